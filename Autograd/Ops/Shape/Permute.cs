using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Reorders the axes (output axis i is input axis axes[i]) into new contiguous storage; Transpose(a, b) is the
/// permutation that swaps two axes. A permutation that leaves the elements in order (it moves only size-1 axes,
/// or none) is a view. VJP: the gradient permuted by the inverse permutation (recorded when the pass creates a
/// graph).
/// </summary>
internal static class Permute
{
    public static Tensor Forward(Tensor x, int[] axes)
    {
        OpChecks.NotNull(x, "Permute", "x");
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length != x.Rank)
        {
            throw new ArgumentException(
                $"Permute: {ShapeText.Format(x.ShapeSpan)} has {x.Rank} axes but the order {ShapeText.Format(axes)} "
                + $"names {axes.Length}.");
        }

        int[] resolved = new int[axes.Length];
        Span<bool> seen = stackalloc bool[axes.Length];
        for (int i = 0; i < axes.Length; i++)
        {
            resolved[i] = ShapeText.Axis(axes[i], x.Rank, "Permute");
            if (seen[resolved[i]])
            {
                throw new ArgumentException(
                    $"Permute: axis {axes[i]} appears twice in {ShapeText.Format(axes)} for {ShapeText.Format(x.ShapeSpan)}.");
            }

            seen[resolved[i]] = true;
        }

        return Apply("Permute", x, resolved);
    }

    /// <summary>x with axes <paramref name="axis0"/> and <paramref name="axis1"/> swapped.</summary>
    public static Tensor Transpose(Tensor x, int axis0, int axis1)
    {
        OpChecks.NotNull(x, "Transpose", "x");
        // A scalar takes axes 0 and -1, as in PyTorch (and is its own transpose).
        int a = ShapeText.Axis(axis0, Math.Max(x.Rank, 1), "Transpose");
        int b = ShapeText.Axis(axis1, Math.Max(x.Rank, 1), "Transpose");
        int[] axes = new int[x.Rank];
        for (int i = 0; i < axes.Length; i++)
        {
            axes[i] = i;
        }

        if (x.Rank > 0)
        {
            (axes[a], axes[b]) = (b, a);
        }

        return Apply("Transpose", x, axes);
    }

    /// <summary>The permutation of checked, non-negative <paramref name="axes"/>, recorded as <paramref name="op"/>.</summary>
    private static Tensor Apply(string op, Tensor x, int[] axes)
    {
        int[] shape = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++)
        {
            shape[i] = x.ShapeSpan[axes[i]];
        }

        Tensor output;
        if (PermuteKernel.KeepsOrder(x.ShapeSpan, axes))
        {
            output = Tensor.View(x, shape);
        }
        else
        {
            output = Tensor.Empty(shape, x.DType);
            var action = new PermuteAction(x, output, axes);
            DTypeDispatch.Any(x.DType, ref action);
        }

        // RequiresGrad first, as in every shape op: see Cat.AnyRequiresGrad.
        if (x.RequiresGrad && Tape.ShouldRecord(op, output, x))
        {
            output.SetGradFn(new PermuteEntry(op, x, axes));
        }

        return output;
    }

    private readonly struct PermuteAction(Tensor x, Tensor output, int[] axes) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged =>
            PermuteKernel.Permute<T>(x.Span<T>(), output.Span<T>(), x.ShapeSpan, axes);
    }

    private sealed class PermuteEntry(string op, Tensor x, int[] axes) : TapeEntry(op, x)
    {
        private readonly int[] _inverse = Inverse(axes);

        // The inverse permutation of the gradient, on both paths (recorded when the pass creates a graph).
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = Apply(Name, gradOutput, _inverse);

        private static int[] Inverse(int[] axes)
        {
            int[] inverse = new int[axes.Length];
            for (int i = 0; i < axes.Length; i++)
            {
                inverse[axes[i]] = i;
            }

            return inverse;
        }
    }
}
