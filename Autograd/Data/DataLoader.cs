using System.Collections;

namespace Autograd.Data;

/// <summary>One mini-batch: the inputs, their labels, and which samples of the data set they are.</summary>
/// <param name="X">Inputs, shape [B, ...] where B ≤ the batch size; no gradient.</param>
/// <param name="Labels">The B labels, in the same order as the rows of <paramref name="X"/>.</param>
/// <param name="Indices">The B sample indices into the data set.</param>
public sealed record Batch(Tensor X, int[] Labels, int[] Indices);

/// <summary>
/// Mini-batches of (inputs, labels), PyTorch's <c>DataLoader(TensorDataset(x, y), batch_size,
/// shuffle, drop_last)</c> for data held in memory. Each enumeration is one epoch: with
/// <c>shuffle</c>, every epoch visits every sample once in a fresh random order, and the sequence
/// of epochs is the same for the same seed. The last, smaller batch is kept unless
/// <c>dropLast</c>.
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>
{
    private readonly Tensor _x;   // a private copy of the samples (any dtype: batches are gathered with Array.Copy)
    private readonly int[] _labels;
    private readonly int[] _sampleShape;
    private readonly int _sampleSize;
    private readonly SplitMix64 _random;

    /// <summary>Creates the loader; the inputs are copied once.</summary>
    /// <param name="x">Inputs, shape [N, ...].</param>
    /// <param name="labels">N labels.</param>
    /// <param name="batchSize">Samples per batch, ≥ 1.</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new random order (otherwise 0..N−1).</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">Seed of the shuffling; null draws one at random.</param>
    /// <exception cref="ArgumentException">The inputs are a scalar, or the label count differs from N.</exception>
    public DataLoader(Tensor x, int[] labels, int batchSize, bool shuffle = true, bool dropLast = false, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var shape = x.Shape;
        if (shape.Length == 0)
        {
            throw new ArgumentException("The inputs need a first (sample) axis; got a scalar.", nameof(x));
        }

        if (shape[0] != labels.Length)
        {
            throw new ArgumentException(
                $"The inputs have {shape[0]} samples (shape [{string.Join(", ", shape)}]) but there are {labels.Length} labels.",
                nameof(labels));
        }

        Count = shape[0];
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        _sampleShape = shape[1..];
        _sampleSize = Count == 0 ? 0 : x.Count / Count;
        _labels = (int[])labels.Clone();
        _x = x.CloneData();

        _random = new SplitMix64(seed is { } s ? unchecked((ulong)s) : unchecked((ulong)Random.Shared.NextInt64()));
    }

    /// <summary>Number of samples N.</summary>
    public int Count { get; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether the last smaller batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>Batches per epoch, PyTorch's <c>len(loader)</c>.</summary>
    public int BatchCount => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <summary>Number of epochs started so far (enumerations begun).</summary>
    public int Epoch { get; private set; }

    /// <summary>Starts a new epoch: draws its order now, then yields its batches lazily.</summary>
    /// <returns>The epoch's batches.</returns>
    public IEnumerator<Batch> GetEnumerator()
    {
        Epoch++;
        var order = NextOrder();
        return Batches(order).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int[] NextOrder()
    {
        var order = new int[Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (Shuffle)
        {
            // Fisher–Yates, drawing j uniformly from [0, i].
            for (var i = order.Length - 1; i > 0; i--)
            {
                var j = (int)(_random.NextDouble() * (i + 1));
                (order[i], order[j]) = (order[j], order[i]);
            }
        }

        return order;
    }

    private IEnumerable<Batch> Batches(int[] order)
    {
        for (var start = 0; start < order.Length; start += BatchSize)
        {
            var size = Math.Min(BatchSize, order.Length - start);
            if (size < BatchSize && DropLast)
            {
                yield break;
            }

            var indices = order.AsSpan(start, size).ToArray();
            yield return Gather(indices);
        }
    }

    private Batch Gather(int[] indices)
    {
        var shape = new int[_sampleShape.Length + 1];
        shape[0] = indices.Length;
        _sampleShape.CopyTo(shape, 1);
        var labels = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            labels[i] = _labels[indices[i]];
        }

        var x = Tensor.Empty(shape, _x.DType);
        for (var i = 0; i < indices.Length; i++)
        {
            Array.Copy(_x.Storage, indices[i] * _sampleSize, x.Storage, i * _sampleSize, _sampleSize);
        }

        return new Batch(x, labels, indices);
    }
}
