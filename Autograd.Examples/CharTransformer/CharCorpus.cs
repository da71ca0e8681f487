namespace Autograd.Examples.CharTransformer;

/// <summary>A text as character ids: the vocabulary (sorted distinct characters), a 90/10 split and batches of windows.</summary>
public sealed class CharCorpus
{
    private readonly char[] _characters;
    private readonly Dictionary<char, int> _ids;

    /// <summary>Encodes <paramref name="text"/> and holds out its last tenth.</summary>
    public CharCorpus(string text)
    {
        _characters = text.Distinct().Order().ToArray();
        _ids = _characters.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        long[] all = Encode(text);
        int split = (int)(all.Length * 0.9);
        Train = all[..split];
        Validation = all[split..];
    }

    /// <summary>Number of distinct characters.</summary>
    public int Vocabulary => _characters.Length;

    /// <summary>The first 90% of the text.</summary>
    public long[] Train { get; }

    /// <summary>The last 10%, never trained on.</summary>
    public long[] Validation { get; }

    /// <summary>Character ids of <paramref name="text"/>; characters outside the vocabulary become id 0.</summary>
    public long[] Encode(string text) => text.Select(c => (long)_ids.GetValueOrDefault(c)).ToArray();

    /// <summary>The character of an id.</summary>
    public char Decode(int id) => _characters[id];

    /// <summary><paramref name="batch"/> windows at random offsets: inputs [B, T] and the next characters [B, T].</summary>
    public (Tensor X, Tensor Y) RandomBatch(long[] ids, int batch, int context, Random random) =>
        Windows(ids, batch, context, _ => random.Next(ids.Length - context - 1));

    /// <summary>Batch <paramref name="index"/> of <paramref name="count"/> of windows spread evenly over the ids.</summary>
    public (Tensor X, Tensor Y) EvenBatch(long[] ids, int batch, int context, int index, int count)
    {
        long span = ids.Length - context - 1;
        return Windows(ids, batch, context, b => (int)(span * ((index * batch) + b) / (count * batch)));
    }

    private static (Tensor X, Tensor Y) Windows(long[] ids, int batch, int context, Func<int, int> start)
    {
        var x = new long[batch * context];
        var y = new long[batch * context];
        for (int b = 0; b < batch; b++)
        {
            int s = start(b);
            Array.Copy(ids, s, x, b * context, context);
            Array.Copy(ids, s + 1, y, b * context, context);
        }

        return (Tensor.FromArray(x, batch, context), Tensor.FromArray(y, batch, context));
    }
}
