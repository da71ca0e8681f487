using System.Buffers;
using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// The index of the maximum (or minimum) along an axis, as an Int64 tensor: the first occurrence on ties, the first
/// NaN when there is one (as PyTorch on CPU). Integer indices have no gradient: nothing is ever recorded. Float32,
/// Float64 and Int64 inputs are accepted (PyTorch's argmax has no Bool kernel either).
/// </summary>
internal static class ArgMax
{
    public static Tensor Forward(Tensor x, int axis, bool keepDim, bool minimum)
    {
        string op = minimum ? "ArgMin" : "ArgMax";
        OpChecks.NotNull(x, op, "x");
        if (x.DType == DType.Bool)
        {
            OpChecks.FloatingPoint(op, x);   // throws, naming the op and the dtype
        }

        int resolved = ShapeText.Axis(axis, x.Rank, op);
        var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, resolved);
        if (length == 0)
        {
            throw new ArgumentException(
                $"{op}: axis {axis} of {ShapeText.Format(x.ShapeSpan)} is empty; an {(minimum ? "arg-min" : "arg-max")} needs one element.");
        }

        int[] indices = new int[outer * inner];
        switch (x.DType)
        {
            case DType.Int64:
                Find<long>(x, outer, length, inner, indices, minimum);
                break;
            default:
                DTypeDispatch.Float(x.DType, new FindAction(x, outer, length, inner, indices, minimum));
                break;
        }

        long[] data = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            data[i] = indices[i];
        }

        return new Tensor(data, ShapeText.Reduced(x.ShapeSpan, resolved, keepDim), DType.Int64);
    }

    private static void Find<T>(Tensor x, int outer, int length, int inner, int[] indices, bool minimum)
        where T : unmanaged, INumber<T>
    {
        // The kernel also yields the extreme values; they are not needed here.
        T[] values = ArrayPool<T>.Shared.Rent(indices.Length);
        try
        {
            Span<T> scratch = values.AsSpan(0, indices.Length);
            if (minimum)
            {
                ReductionKernels.ArgExtremum<T, Least>(x.Span<T>(), outer, length, inner, scratch, indices);
            }
            else
            {
                ReductionKernels.ArgExtremum<T, Greatest>(x.Span<T>(), outer, length, inner, scratch, indices);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(values);
        }
    }

    private readonly struct FindAction(Tensor x, int outer, int length, int inner, int[] indices, bool minimum) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> => Find<T>(x, outer, length, inner, indices, minimum);
    }
}
