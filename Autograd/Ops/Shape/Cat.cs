using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Concatenation along an existing axis: each input is one block copy per row (the axes before the joining axis)
/// into new storage. One tape entry for all inputs. VJP: input i's gradient is the slice of g at input i's place
/// (<see cref="Narrow.Slice"/>, recorded when the pass creates a graph), computed only for the inputs that need it.
/// </summary>
internal static class Cat
{
    public static Tensor Forward(Tensor[] tensors, int axis)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0)
        {
            throw new ArgumentException("Cat: expected a non-empty list of tensors.");
        }

        Tensor first = CheckNotNull(tensors, 0, "Cat");
        if (first.Rank == 0)
        {
            throw new ArgumentException("Cat: tensor 0 is a scalar (shape []), which cannot be concatenated; Stack scalars instead.");
        }

        int resolved = ShapeText.Axis(axis, first.Rank, "Cat");
        long total = first.ShapeSpan[resolved];
        for (int i = 1; i < tensors.Length; i++)
        {
            Tensor t = CheckNotNull(tensors, i, "Cat");
            CheckDType("Cat", first, t, i);
            if (t.Rank != first.Rank)
            {
                throw new ArgumentException(
                    $"Cat: tensor 0 {ShapeText.Format(first.ShapeSpan)} and tensor {i} {ShapeText.Format(t.ShapeSpan)} have "
                    + $"different ranks ({first.Rank} and {t.Rank}).");
            }

            for (int d = 0; d < first.Rank; d++)
            {
                if (d != resolved && t.ShapeSpan[d] != first.ShapeSpan[d])
                {
                    throw new ArgumentException(
                        $"Cat: tensor 0 {ShapeText.Format(first.ShapeSpan)} and tensor {i} {ShapeText.Format(t.ShapeSpan)} "
                        + $"differ in dimension {d}; only the joining axis {resolved} may differ.");
                }
            }

            total += t.ShapeSpan[resolved];
        }

        int[] shape = first.Shape;
        shape[resolved] = (int)Math.Min(total, int.MaxValue);
        Tensor output = Tensor.Empty(shape, first.DType);
        var (rows, _, inner) = ShapeText.AroundAxis(shape, resolved);
        int[] sizes = new int[tensors.Length];
        for (int i = 0, offset = 0; i < tensors.Length; i++)
        {
            sizes[i] = tensors[i].ShapeSpan[resolved];
            CopyInto(tensors[i], output, rows, sizes[i] * inner, shape[resolved] * inner, offset * inner);
            offset += sizes[i];
        }

        if (AnyRequiresGrad(tensors) && Tape.ShouldRecord("Cat", output, tensors))
        {
            output.SetGradFn(new CatEntry(tensors, resolved, sizes));
        }

        return output;
    }

    /// <summary>Copies each of <paramref name="rows"/> blocks of <paramref name="source"/> into its place in each row of <paramref name="output"/>.</summary>
    internal static void CopyInto(Tensor source, Tensor output, int rows, int block, int outputRow, int offset)
    {
        var action = new CopyIntoAction(source, output, rows, block, outputRow, offset);
        DTypeDispatch.Any(source.DType, ref action);
    }

    /// <summary>
    /// Whether any input requires a gradient: tested before <see cref="Tape.ShouldRecord(string, Tensor, ReadOnlySpan{Tensor})"/>
    /// by every shape op. Moving elements cannot make a NaN, so the anomaly check has nothing to find in an op that is
    /// not recorded, and Int64 and Bool tensors (which never require a gradient) never reach it.
    /// </summary>
    internal static bool AnyRequiresGrad(Tensor[] tensors)
    {
        foreach (Tensor t in tensors)
        {
            if (t.RequiresGrad)
            {
                return true;
            }
        }

        return false;
    }

    internal static Tensor CheckNotNull(Tensor[] tensors, int index, string op) =>
        tensors[index] ?? throw new ArgumentNullException(nameof(tensors), $"{op}: tensor {index} is null.");

    internal static void CheckDType(string op, Tensor first, Tensor other, int index)
    {
        if (other.DType != first.DType)
        {
            throw new ArgumentException(
                $"{op}: tensor 0 {ShapeText.Format(first.ShapeSpan)} is {first.DType} but tensor {index} "
                + $"{ShapeText.Format(other.ShapeSpan)} is {other.DType}; convert with To(DType) first.");
        }
    }

    private readonly struct CopyIntoAction(Tensor source, Tensor output, int rows, int block, int outputRow, int offset) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged =>
            BlockCopy.Rows<T>(source.Span<T>(), block, 0, output.Span<T>(), outputRow, offset, rows, block);
    }

    private sealed class CatEntry(Tensor[] tensors, int axis, int[] sizes) : TapeEntry("Cat", tensors)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            for (int i = 0, offset = 0; i < sizes.Length; offset += sizes[i], i++)
            {
                if (context.NeedsInputGrad(i))
                {
                    inputGrads[i] = Narrow.Slice(gradOutput, axis, offset, sizes[i]);
                }
            }
        }
    }
}
