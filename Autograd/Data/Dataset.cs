namespace Autograd.Data;

/// <summary>
/// A map-style data set, PyTorch's <c>torch.utils.data.Dataset</c>: <see cref="Count"/> samples, each a fixed number
/// of tensors (fields: an input and its target, say), read by index. <see cref="DataLoader"/> draws mini-batches
/// from it. <see cref="TensorDataset"/> holds samples in memory; derive from this class to read them from anywhere
/// else (files, a generator), and override <see cref="GetBatch"/> when a batch can be gathered faster than sample by
/// sample.
/// </summary>
public abstract class Dataset
{
    /// <summary>The number of samples, PyTorch's <c>len(dataset)</c>.</summary>
    public abstract int Count { get; }

    /// <summary>Sample <paramref name="index"/>: one tensor per field, without a sample axis (PyTorch's <c>__getitem__</c>).
    /// Every sample has the same number of fields, and field f the same shape and dtype in every sample.</summary>
    /// <param name="index">In [0, <see cref="Count"/>).</param>
    /// <returns>The sample's fields.</returns>
    public abstract Tensor[] this[int index] { get; }

    /// <summary>
    /// The samples at <paramref name="indices"/>, collated as PyTorch's <c>default_collate</c>: field f of the result
    /// stacks field f of every sample along a new axis 0, shape [B, ...field f's shape], B = the number of indices.
    /// This implementation reads each sample with the indexer and copies it into place; <see cref="TensorDataset"/>
    /// copies rows straight from its tensors instead.
    /// </summary>
    /// <param name="indices">At least one index, each in [0, <see cref="Count"/>); repeats allowed.</param>
    /// <returns>One tensor per field; no gradient.</returns>
    /// <exception cref="ArgumentException">No indices, or the samples differ in their number of fields, or a field's
    /// shape or dtype differs between samples.</exception>
    public virtual Tensor[] GetBatch(ReadOnlySpan<int> indices)
    {
        if (indices.IsEmpty)
        {
            throw new ArgumentException($"{GetType().Name}.GetBatch: no indices; a batch has at least one sample.", nameof(indices));
        }

        var first = Sample(indices[0]);
        var batch = new Tensor[first.Length];
        for (int field = 0; field < first.Length; field++)
        {
            batch[field] = Tensor.Empty([indices.Length, .. first[field].ShapeSpan], first[field].DType);
        }

        for (int i = 0; i < indices.Length; i++)
        {
            var sample = i == 0 ? first : Sample(indices[i]);
            if (sample.Length != first.Length)
            {
                throw new ArgumentException(
                    $"{GetType().Name}.GetBatch: sample {indices[i]} has {sample.Length} fields, sample {indices[0]} has {first.Length}.",
                    nameof(indices));
            }

            for (int field = 0; field < first.Length; field++)
            {
                var value = sample[field];
                if (value.DType != first[field].DType || !value.ShapeSpan.SequenceEqual(first[field].ShapeSpan))
                {
                    throw new ArgumentException(
                        $"{GetType().Name}.GetBatch: field {field} of sample {indices[i]} is {value.DType} {ShapeText.Format(value.ShapeSpan)}, "
                        + $"of sample {indices[0]} {first[field].DType} {ShapeText.Format(first[field].ShapeSpan)}; samples must agree to be stacked.",
                        nameof(indices));
                }

                Array.Copy(value.Storage, 0, batch[field].Storage, (long)i * value.Count, value.Count);
            }
        }

        return batch;
    }

    private Tensor[] Sample(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{GetType().Name}: sample index must be in [0, {Count}).");
        }

        var sample = this[index] ?? throw new InvalidOperationException($"{GetType().Name}: sample {index} is null.");
        if (sample.Length == 0 || sample.Any(t => t is null))
        {
            throw new InvalidOperationException($"{GetType().Name}: sample {index} must be one or more tensors, none null.");
        }

        return sample;
    }
}
