namespace Autograd.Data;

/// <summary>
/// One mini-batch from a <see cref="DataLoader"/>: a tensor per field of the data set, each the fields of the batch's
/// samples stacked along axis 0, and which samples they are. Deconstructs as PyTorch's loop does:
/// <c>foreach (var (x, y) in loader)</c>.
/// </summary>
public sealed class Batch
{
    private readonly Tensor[] _tensors;
    private int[]? _labels;

    /// <summary>Creates a batch.</summary>
    /// <param name="tensors">One tensor per field, each with a first axis of <paramref name="indices"/>' length.</param>
    /// <param name="indices">The sample indices into the data set, in the order of the rows.</param>
    /// <exception cref="ArgumentException">No tensors, or a tensor's first axis differs from the number of indices.</exception>
    public Batch(Tensor[] tensors, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(indices);
        if (tensors.Length == 0)
        {
            throw new ArgumentException("Batch: needs at least one tensor.", nameof(tensors));
        }

        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i] is not { Rank: > 0 } tensor || tensor.ShapeSpan[0] != indices.Length)
            {
                throw new ArgumentException(
                    $"Batch: tensor {i} must have a first axis of {indices.Length} (one row per index); got "
                    + (tensors[i] is null ? "null" : ShapeText.Format(tensors[i].ShapeSpan)) + ".", nameof(tensors));
            }
        }

        _tensors = (Tensor[])tensors.Clone();
        Indices = indices;
    }

    /// <summary>The fields, one tensor each, [B, ...].</summary>
    public IReadOnlyList<Tensor> Tensors => _tensors;

    /// <summary>Field <paramref name="field"/>, [B, ...].</summary>
    /// <param name="field">In [0, the number of fields).</param>
    public Tensor this[int field] => _tensors[field];

    /// <summary>The B sample indices into the data set, in row order.</summary>
    public int[] Indices { get; }

    /// <summary>The number of samples B.</summary>
    public int Count => Indices.Length;

    /// <summary>The first field: the inputs, by convention.</summary>
    public Tensor X => _tensors[0];

    /// <summary>
    /// The second field as class indices, for <c>Loss.CrossEntropy(logits, int[])</c> and accuracy counts: it must be a
    /// 1-D Int64 tensor (as the labels of <see cref="DataLoader(Tensor, int[], int, bool, bool, int?, int, int)"/> are).
    /// Read once, on first use.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no second field, or it is not 1-D Int64.</exception>
    public int[] Labels => _labels ??= ReadLabels();

    /// <summary>The two fields of a two-field batch: <c>var (x, y) = batch</c>.</summary>
    /// <param name="first">Field 0.</param>
    /// <param name="second">Field 1.</param>
    /// <exception cref="InvalidOperationException">The batch does not have exactly two fields.</exception>
    public void Deconstruct(out Tensor first, out Tensor second)
    {
        CheckFieldCount(2);
        (first, second) = (_tensors[0], _tensors[1]);
    }

    /// <summary>The three fields of a three-field batch: <c>var (x, y, mask) = batch</c>.</summary>
    /// <param name="first">Field 0.</param>
    /// <param name="second">Field 1.</param>
    /// <param name="third">Field 2.</param>
    /// <exception cref="InvalidOperationException">The batch does not have exactly three fields.</exception>
    public void Deconstruct(out Tensor first, out Tensor second, out Tensor third)
    {
        CheckFieldCount(3);
        (first, second, third) = (_tensors[0], _tensors[1], _tensors[2]);
    }

    private void CheckFieldCount(int count)
    {
        if (_tensors.Length != count)
        {
            throw new InvalidOperationException($"Batch: deconstructed into {count} tensors but the batch has {_tensors.Length} fields.");
        }
    }

    private int[] ReadLabels()
    {
        if (_tensors.Length < 2 || _tensors[1] is not { Rank: 1, DType: DType.Int64 } labels)
        {
            throw new InvalidOperationException(
                "Batch.Labels: the second field must be a 1-D Int64 tensor of class indices; this batch has "
                + (_tensors.Length < 2 ? "no second field." : $"{_tensors[1].DType} {ShapeText.Format(_tensors[1].ShapeSpan)}."));
        }

        return Array.ConvertAll(labels.ToArray<long>(), v => checked((int)v));
    }
}
