namespace Autograd.Data;

/// <summary>
/// Samples held in tensors that share their first axis, PyTorch's <c>TensorDataset(*tensors)</c>: sample i is row i of
/// every tensor (inputs [N, ...], Int64 class labels [N], float regression targets [N, k], masks, any dtype). The
/// tensors are not copied: changes made to them later show in later batches, as in PyTorch.
/// </summary>
public sealed class TensorDataset : Dataset
{
    private readonly Tensor[] _tensors;

    /// <summary>Wraps the tensors.</summary>
    /// <param name="tensors">One or more tensors, each with a first axis of the same size N.</param>
    /// <exception cref="ArgumentException">No tensors, a scalar, or first axes of different sizes.</exception>
    public TensorDataset(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0)
        {
            throw new ArgumentException("TensorDataset: needs at least one tensor.", nameof(tensors));
        }

        for (int i = 0; i < tensors.Length; i++)
        {
            var tensor = tensors[i] ?? throw new ArgumentException($"TensorDataset: tensor {i} is null.", nameof(tensors));
            if (tensor.Rank == 0)
            {
                throw new ArgumentException($"TensorDataset: tensor {i} is a scalar; every tensor needs a first (sample) axis.", nameof(tensors));
            }

            if (tensor.ShapeSpan[0] != tensors[0].ShapeSpan[0])
            {
                throw new ArgumentException(
                    $"TensorDataset: tensor {i} {ShapeText.Format(tensor.ShapeSpan)} has {tensor.ShapeSpan[0]} samples but tensor 0 "
                    + $"{ShapeText.Format(tensors[0].ShapeSpan)} has {tensors[0].ShapeSpan[0]}; the first axes must agree.",
                    nameof(tensors));
            }
        }

        _tensors = (Tensor[])tensors.Clone();
        Count = tensors[0].ShapeSpan[0];
    }

    /// <summary>The tensors, one per field.</summary>
    public IReadOnlyList<Tensor> Tensors => _tensors;

    /// <inheritdoc/>
    public override int Count { get; }

    /// <summary>Row <paramref name="index"/> of every tensor, as new tensors without the first axis.</summary>
    /// <param name="index">In [0, <see cref="Count"/>).</param>
    /// <returns>One tensor per field.</returns>
    public override Tensor[] this[int index] => GetBatch([index]).Select(t => t.Reshape(t.Shape[1..])).ToArray();

    /// <summary>
    /// Field f of the result is rows <paramref name="indices"/> of tensor f, [B, ...]: copied straight from the
    /// tensor's storage, one block per run of consecutive indices (a whole batch in one copy when unshuffled).
    /// </summary>
    /// <param name="indices">At least one index, each in [0, <see cref="Count"/>); repeats allowed.</param>
    /// <returns>One tensor per field; no gradient.</returns>
    public override Tensor[] GetBatch(ReadOnlySpan<int> indices)
    {
        if (indices.IsEmpty)
        {
            throw new ArgumentException("TensorDataset.GetBatch: no indices; a batch has at least one sample.", nameof(indices));
        }

        foreach (var index in indices)
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"TensorDataset: sample index must be in [0, {Count}).");
            }
        }

        var batch = new Tensor[_tensors.Length];
        for (int field = 0; field < _tensors.Length; field++)
        {
            var source = _tensors[field];
            int row = Count == 0 ? 0 : source.Count / Count;
            var rows = Tensor.Empty([indices.Length, .. source.ShapeSpan[1..]], source.DType);
            for (int i = 0; i < indices.Length;)
            {
                int run = 1;
                while (i + run < indices.Length && indices[i + run] == indices[i] + run)
                {
                    run++;
                }

                Array.Copy(source.Storage, (long)indices[i] * row, rows.Storage, (long)i * row, (long)run * row);
                i += run;
            }

            batch[field] = rows;
        }

        return batch;
    }
}
