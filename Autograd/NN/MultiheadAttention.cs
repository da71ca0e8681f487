namespace Autograd.NN;

/// <summary>
/// Multi-head attention, PyTorch's <c>nn.MultiheadAttention</c> with <c>batch_first=True</c>: inputs [N, L, E] (or
/// unbatched [L, E]). Parameters and state-dict names as PyTorch: <c>in_proj_weight</c> [3E, E] (query, key and value
/// projections stacked), <c>in_proj_bias</c> [3E], <c>out_proj.weight</c> [E, E], <c>out_proj.bias</c> [E]; initialised
/// as PyTorch (Xavier-uniform in_proj_weight, zero biases, out_proj.weight as nn.Linear). Composed of Linear, Reshape,
/// Transpose and <see cref="Functional.ScaledDotProductAttention"/>, so it carries no backward of its own.
/// </summary>
public sealed class MultiheadAttention : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="embedDim">Model width E (query, key and value widths).</param>
    /// <param name="numHeads">Number of heads; must divide <paramref name="embedDim"/>.</param>
    /// <param name="bias">Whether the projections have biases.</param>
    /// <param name="seed">Seed of the initialisation; null draws one at random.</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public MultiheadAttention(int embedDim, int numHeads, bool bias = true, int? seed = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embedDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numHeads);
        if (embedDim % numHeads != 0)
        {
            throw new ArgumentException($"MultiheadAttention: embedDim {embedDim} must be divisible by numHeads {numHeads}.", nameof(numHeads));
        }

        EmbedDim = embedDim;
        NumHeads = numHeads;
        var random = Init.CreateRandom(seed);
        InProjWeight = RegisterParameter("in_proj_weight", Tensor.Zeros([3 * embedDim, embedDim], dtype));
        var bound = Math.Sqrt(6.0 / (embedDim + (3 * embedDim)));   // xavier_uniform_ on [3E, E]
        Init.Uniform(InProjWeight, random, -bound, bound);
        if (bias)
        {
            InProjBias = RegisterParameter("in_proj_bias", Tensor.Zeros([3 * embedDim], dtype));
        }

        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, seed: unchecked((int)random.NextUInt64()), dtype: dtype));
        if (OutProj.Bias is { } outBias)
        {
            Init.Zeros(outBias);
        }
    }

    /// <summary>Model width E.</summary>
    public int EmbedDim { get; }

    /// <summary>Number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>Query, key and value projections stacked, [3E, E]; <c>"in_proj_weight"</c>.</summary>
    public Tensor InProjWeight { get; }

    /// <summary>Their biases, [3E], or null; <c>"in_proj_bias"</c>.</summary>
    public Tensor? InProjBias { get; }

    /// <summary>The output projection; <c>"out_proj.weight"</c>, <c>"out_proj.bias"</c>.</summary>
    public Linear OutProj { get; }

    /// <summary>Self-attention: <paramref name="input"/> [N, L, E] is the query, the key and the value.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, input, input);

    /// <summary>
    /// Attention of <paramref name="query"/> [N, L, E] over <paramref name="key"/> and <paramref name="value"/> [N, S, E]
    /// (or unbatched [L, E], [S, E]); returns [N, L, E]. Masks follow nn.MultiheadAttention's convention: a Bool
    /// <paramref name="attnMask"/> [L, S] or [N·H, L, S] is true where attention is NOT allowed (a float one is added
    /// to the scores); <paramref name="keyPaddingMask"/> [N, S] is true at padding keys to ignore.
    /// </summary>
    public Tensor Forward(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null, Tensor? keyPaddingMask = null,
        bool isCausal = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        bool batched = query.Rank == 3;
        if (!batched)
        {
            if (query.Rank != 2 || key.Rank != 2 || value.Rank != 2)
            {
                throw new ArgumentException(
                    $"MultiheadAttention: query, key and value must be [N,L,E] (batch first) or unbatched [L,E]; got "
                    + $"{ShapeText.Format(query.Shape)}, {ShapeText.Format(key.Shape)}, {ShapeText.Format(value.Shape)}.");
            }

            query = query.Unsqueeze(0);
            key = key.Unsqueeze(0);
            value = value.Unsqueeze(0);
            keyPaddingMask = keyPaddingMask?.Unsqueeze(0);
        }

        CheckShapes(query, key, value);
        int n = query.Shape[0], l = query.Shape[1], s = key.Shape[1];
        Tensor q, k, v;
        if (ReferenceEquals(query, key) && ReferenceEquals(key, value))
        {
            Tensor[] qkv = Functional.Linear(query, InProjWeight, InProjBias).Chunk(3, axis: -1);   // one product for all three
            (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        }
        else
        {
            q = Functional.Linear(query, InProjWeight.Narrow(0, 0, EmbedDim), InProjBias?.Narrow(0, 0, EmbedDim));
            k = Functional.Linear(key, InProjWeight.Narrow(0, EmbedDim, EmbedDim), InProjBias?.Narrow(0, EmbedDim, EmbedDim));
            v = Functional.Linear(value, InProjWeight.Narrow(0, 2 * EmbedDim, EmbedDim), InProjBias?.Narrow(0, 2 * EmbedDim, EmbedDim));
        }

        Tensor? mask = CombinedMask(attnMask, keyPaddingMask, n, l, s, query.DType);
        if (isCausal && mask is not null)
        {
            mask += Ops.ScaledDotProductAttention.CausalAdditiveMask(l, s, query.DType);   // both: one additive mask
        }

        Tensor heads = Functional.ScaledDotProductAttention(
            SplitHeads(q, n, l), SplitHeads(k, n, s), SplitHeads(v, n, s), mask, isCausal && mask is null);
        Tensor output = OutProj.Forward(heads.Transpose(1, 2).Reshape(n, l, EmbedDim));
        return batched ? output : output.Squeeze(0);
    }

    /// <inheritdoc/>
    public override string ToString() => $"MultiheadAttention(embed_dim={EmbedDim}, num_heads={NumHeads}, batch_first=True)";

    private void CheckShapes(Tensor query, Tensor key, Tensor value)
    {
        int[] q = query.Shape, k = key.Shape, v = value.Shape;
        if (q.Length != 3 || k.Length != 3 || v.Length != 3)
        {
            throw new ArgumentException(
                $"MultiheadAttention: query, key and value must be [N,L,E] (batch first) or unbatched [L,E]; got "
                + $"{ShapeText.Format(q)}, {ShapeText.Format(k)}, {ShapeText.Format(v)}.");
        }

        if (q[2] != EmbedDim || k[2] != EmbedDim || v[2] != EmbedDim)
        {
            throw new ArgumentException(
                $"MultiheadAttention: the last dimension must be embedDim {EmbedDim}; got query {ShapeText.Format(q)}, "
                + $"key {ShapeText.Format(k)}, value {ShapeText.Format(v)}.");
        }

        if (k[0] != q[0] || v[0] != q[0] || k[1] != v[1])
        {
            throw new ArgumentException(
                $"MultiheadAttention: query {ShapeText.Format(q)}, key {ShapeText.Format(k)} and value {ShapeText.Format(v)} "
                + "must share the batch size N, and key and value the length S.");
        }
    }

    /// <summary>[N, T, E] → [N, H, T, E/H].</summary>
    private Tensor SplitHeads(Tensor x, int n, int t) => x.Reshape(n, t, NumHeads, EmbedDim / NumHeads).Transpose(1, 2);

    /// <summary>
    /// Both masks as one additive mask broadcastable to [N, H, L, S] (−∞ where attention is not allowed), or null.
    /// </summary>
    private Tensor? CombinedMask(Tensor? attnMask, Tensor? keyPaddingMask, int n, int l, int s, DType dtype)
    {
        Tensor? mask = null;
        if (attnMask is not null)
        {
            Tensor additive = attnMask.DType == DType.Bool ? Additive(attnMask, dtype) : attnMask;
            if (additive.Rank == 3)
            {
                if (additive.Shape[0] != n * NumHeads)
                {
                    throw new ArgumentException(
                        $"MultiheadAttention: a 3-D attnMask must be [N*numHeads, L, S] = [{n * NumHeads},{l},{s}]; got {ShapeText.Format(attnMask.Shape)}.");
                }

                additive = additive.Reshape(n, NumHeads, l, s);
            }
            else if (additive.Rank != 2)
            {
                throw new ArgumentException(
                    $"MultiheadAttention: attnMask must be [L,S] = [{l},{s}] or [N*numHeads,L,S]; got {ShapeText.Format(attnMask.Shape)}.");
            }

            mask = additive;
        }

        if (keyPaddingMask is not null)
        {
            if (keyPaddingMask.Rank != 2 || keyPaddingMask.Shape[0] != n || keyPaddingMask.Shape[1] != s)
            {
                throw new ArgumentException(
                    $"MultiheadAttention: keyPaddingMask must be [N,S] = [{n},{s}]; got {ShapeText.Format(keyPaddingMask.Shape)}.");
            }

            Tensor padding = (keyPaddingMask.DType == DType.Bool ? Additive(keyPaddingMask, dtype) : keyPaddingMask).Reshape(n, 1, 1, s);
            mask = mask is null ? padding : mask + padding;
        }

        return mask;
    }

    /// <summary>True (not allowed) → −∞, false → 0.</summary>
    private static Tensor Additive(Tensor forbidden, DType dtype) =>
        Tensor.Where(forbidden, Tensor.Scalar(double.NegativeInfinity, dtype), Tensor.Scalar(0, dtype));
}
