namespace Autograd;

public static partial class Functional
{
    /// <summary>
    /// Attention, as PyTorch's <c>scaled_dot_product_attention</c>: softmax(Q·Kᵀ/√E + mask)·V for query [..., L, E],
    /// key [..., S, E] and value [..., S, Ev], with batch dimensions broadcast; the result is [..., L, Ev].
    /// </summary>
    /// <param name="query">Queries, [..., L, E].</param>
    /// <param name="key">Keys, [..., S, E].</param>
    /// <param name="value">Values, [..., S, Ev].</param>
    /// <param name="attnMask">Broadcastable to [..., L, S]: Bool (true where a query may attend to a key) or additive
    /// (added to the scores, e.g. −∞ to forbid).</param>
    /// <param name="isCausal">Query i attends to keys 0..i only; not together with <paramref name="attnMask"/>.</param>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null,
        bool isCausal = false) => Ops.ScaledDotProductAttention.Forward(query, key, value, attnMask, isCausal);

    /// <summary>
    /// Rows of <paramref name="weight"/> [num, dim] looked up by Int64 <paramref name="indices"/> of any shape; the result
    /// is indices.Shape ++ [dim]. The gradient scatter-adds into the rows (repeated indices accumulate).
    /// </summary>
    public static Tensor Embedding(Tensor indices, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(weight);
        if (indices.DType != DType.Int64)
        {
            throw new ArgumentException(
                $"Embedding: indices must be Int64 (class or token ids); got {indices.DType} {ShapeText.Format(indices.ShapeSpan)}.");
        }

        if (weight.Rank != 2)
        {
            throw new ArgumentException($"Embedding: weight must be [num_embeddings, embedding_dim]; got {ShapeText.Format(weight.ShapeSpan)}.");
        }

        int[] shape = [.. indices.ShapeSpan, weight.ShapeSpan[1]];
        return weight.IndexSelect(0, indices.Reshape(-1)).Reshape(shape);
    }
}
