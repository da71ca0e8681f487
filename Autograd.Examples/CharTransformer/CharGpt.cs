using Autograd.NN;

namespace Autograd.Examples.CharTransformer;

/// <summary>
/// A character-level GPT: token and position embeddings, <c>layers</c> pre-norm blocks of causal self-attention and a
/// GELU MLP, a final LayerNorm and a linear head to the vocabulary. Input: Int64 token ids [B, T]; output: logits
/// [B, T, vocab].
/// </summary>
public sealed class CharGpt : Module
{
    private readonly Tensor _positions;

    /// <summary>Creates the model with GPT-2's initialisation (weights N(0, 0.02²), biases 0).</summary>
    public CharGpt(int vocabulary, int context, int width, int heads, int layers, int seed)
    {
        Context = context;
        TokenEmbedding = RegisterModule("tok_emb", new Embedding(vocabulary, width, seed));
        PositionEmbedding = RegisterModule("pos_emb", new Embedding(context, width, seed + 1));
        Blocks = [];
        for (int i = 0; i < layers; i++)
        {
            Blocks.Add(RegisterModule($"block{i}", new TransformerBlock(width, heads, seed + 10 + i)));
        }

        FinalNorm = RegisterModule("ln_f", new LayerNorm([width]));
        Head = RegisterModule("head", new Linear(width, vocabulary, seed: seed + 2));
        int s = seed + 100;
        foreach (var (name, p) in NamedParameters())
        {
            if (name.EndsWith("weight", StringComparison.Ordinal) && p.Rank == 2)
            {
                Init.Normal(p, 0, 0.02, seed: s++);
            }
            else if (name.EndsWith("bias", StringComparison.Ordinal) && !name.Contains("ln", StringComparison.Ordinal))
            {
                Init.Zeros(p);
            }
        }

        _positions = Tensor.FromArray(Enumerable.Range(0, context).Select(i => (long)i).ToArray(), context);
    }

    /// <summary>The longest sequence the position embedding covers.</summary>
    public int Context { get; }

    /// <summary>Token embedding.</summary>
    public Embedding TokenEmbedding { get; }

    /// <summary>Position embedding.</summary>
    public Embedding PositionEmbedding { get; }

    /// <summary>The transformer blocks.</summary>
    public List<TransformerBlock> Blocks { get; }

    /// <summary>The final LayerNorm.</summary>
    public LayerNorm FinalNorm { get; }

    /// <summary>The vocabulary head.</summary>
    public Linear Head { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        int t = input.Shape[^1];
        if (t > Context)
        {
            throw new ArgumentException($"CharGpt: sequence length {t} exceeds the context {Context}.");
        }

        Tensor x = TokenEmbedding.Forward(input) + PositionEmbedding.Forward(_positions.Narrow(0, 0, t));
        foreach (var block in Blocks)
        {
            x = block.Forward(x);
        }

        return Head.Forward(FinalNorm.Forward(x));
    }
}

/// <summary>A pre-norm GPT block: x + Attention(LN(x)), then x + MLP(LN(x)) with a 4× GELU MLP.</summary>
public sealed class TransformerBlock : Module
{
    /// <summary>Creates the block.</summary>
    public TransformerBlock(int width, int heads, int seed)
    {
        Norm1 = RegisterModule("ln1", new LayerNorm([width]));
        Attention = RegisterModule("attn", new MultiheadAttention(width, heads, seed: seed));
        Norm2 = RegisterModule("ln2", new LayerNorm([width]));
        Up = RegisterModule("fc1", new Linear(width, 4 * width, seed: seed + 1000));
        Down = RegisterModule("fc2", new Linear(4 * width, width, seed: seed + 2000));
    }

    /// <summary>The LayerNorm before attention.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>Causal self-attention.</summary>
    public MultiheadAttention Attention { get; }

    /// <summary>The LayerNorm before the MLP.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>The MLP's first layer (width → 4·width).</summary>
    public Linear Up { get; }

    /// <summary>The MLP's second layer (4·width → width).</summary>
    public Linear Down { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        Tensor h = Norm1.Forward(input);
        Tensor x = input + Attention.Forward(h, h, h, isCausal: true);
        return x + Down.Forward(Up.Forward(Norm2.Forward(x)).Gelu());
    }
}
