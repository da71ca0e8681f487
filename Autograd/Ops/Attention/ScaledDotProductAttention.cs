namespace Autograd.Ops;

/// <summary>
/// softmax(Q·Kᵀ·scale + mask)·V, composed of recorded ops (batched MatMul, Where or Add, Softmax), so its gradients
/// and second derivatives are theirs. A Bool mask keeps the positions that are true (PyTorch's convention); an
/// additive mask is added to the scores; <c>isCausal</c> keeps key j for query i when j ≤ i.
/// </summary>
internal static class ScaledDotProductAttention
{
    private const string Op = "ScaledDotProductAttention";

    public static Tensor Forward(Tensor query, Tensor key, Tensor value, Tensor? attnMask, bool isCausal)
    {
        OpChecks.NotNull(query, Op, "query");
        OpChecks.NotNull(key, Op, "key");
        OpChecks.NotNull(value, Op, "value");
        Check(query, key, value, attnMask, isCausal);
        int queries = query.ShapeSpan[^2], keys = key.ShapeSpan[^2], width = query.ShapeSpan[^1];

        Tensor scores = query.MatMul(key.Transpose(-2, -1)) * (1.0 / Math.Sqrt(width));
        if (isCausal)
        {
            scores = Tensor.Where(CausalMask(queries, keys), scores, NegativeInfinity(scores.DType));
        }
        else if (attnMask is { DType: DType.Bool })
        {
            scores = Tensor.Where(attnMask, scores, NegativeInfinity(scores.DType));
        }
        else if (attnMask is not null)
        {
            scores += attnMask;
        }

        return scores.Softmax(-1).MatMul(value);
    }

    [ThreadStatic]
    private static Tensor? _lastCausalMask;

    /// <summary>[L,S] with true where key j may be attended from query i (j ≤ i), as torch.ones(L, S).tril(). The last one
    /// made on this thread is kept and reused: nothing writes to it (it is only Where's condition), and a training loop
    /// asks for the same one every step.</summary>
    internal static Tensor CausalMask(int queries, int keys)
    {
        if (_lastCausalMask is { } last && last.ShapeSpan[0] == queries && last.ShapeSpan[1] == keys)
        {
            return last;
        }


        var allowed = new bool[queries * keys];
        for (int i = 0; i < queries; i++)
        {
            allowed.AsSpan(i * keys, Math.Min(i + 1, keys)).Fill(true);
        }

        return _lastCausalMask = Tensor.FromArray(allowed, queries, keys);
    }

    /// <summary>[L,S] with 0 where key j may be attended from query i (j ≤ i) and −∞ elsewhere.</summary>
    internal static Tensor CausalAdditiveMask(int queries, int keys, DType dtype)
    {
        var values = new double[queries * keys];
        for (int i = 0; i < queries; i++)
        {
            values.AsSpan((i * keys) + Math.Min(i + 1, keys), keys - Math.Min(i + 1, keys)).Fill(double.NegativeInfinity);
        }

        return Tensor.FromValues(values, [queries, keys], dtype);
    }

    private static Tensor NegativeInfinity(DType dtype) => Tensor.Scalar(double.NegativeInfinity, dtype);

    private static void Check(Tensor query, Tensor key, Tensor value, Tensor? attnMask, bool isCausal)
    {
        foreach (var (name, t) in new[] { ("query", query), ("key", key), ("value", value) })
        {
            if (t.Rank < 2)
            {
                throw new ArgumentException($"{Op}: {name} must be [..., L, E] (at least 2-D); got {ShapeText.Format(t.ShapeSpan)}.");
            }
        }

        if (query.ShapeSpan[^1] != key.ShapeSpan[^1])
        {
            throw new ArgumentException(
                $"{Op}: query {ShapeText.Format(query.ShapeSpan)} and key {ShapeText.Format(key.ShapeSpan)} must have the same "
                + "last dimension (the embedding width E).");
        }

        if (key.ShapeSpan[^2] != value.ShapeSpan[^2])
        {
            throw new ArgumentException(
                $"{Op}: key {ShapeText.Format(key.ShapeSpan)} and value {ShapeText.Format(value.ShapeSpan)} must have the same "
                + "number of positions S (the second-to-last dimension).");
        }

        if (attnMask is not null && isCausal)
        {
            throw new ArgumentException($"{Op}: give either attnMask or isCausal, not both (as PyTorch).");
        }

        if (attnMask is not null && attnMask.DType != DType.Bool && attnMask.DType != query.DType)
        {
            throw new ArgumentException(
                $"{Op}: attnMask must be Bool (true = attend) or additive of the query's dtype {query.DType}; got {attnMask.DType}.");
        }
    }
}
