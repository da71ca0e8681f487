using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Σ over all elements or along one axis. VJP: the gradient broadcast back over the summed axis.
/// Mean is composed: Sum times 1/n.
/// </summary>
internal static class Sum
{
    public static Tensor All(Tensor x)
    {
        OpChecks.NotNull(x, "Sum", "x");
        Tensor output = Tensor.Empty([], x.DType);
        if (x.DType == DType.Float32)
        {
            output.Span<float>()[0] = TensorPrimitives.Sum<float>(x.Span<float>());
        }
        else
        {
            output.Span<double>()[0] = TensorPrimitives.Sum<double>(x.Span<double>());
        }

        if (Tape.ShouldRecord(x))
        {
            output.SetGradFn(new SumEntry(x, outer: 1, length: x.Count, inner: 1));
        }

        return output;
    }

    public static Tensor Axis(Tensor x, int axis, bool keepDim)
    {
        OpChecks.NotNull(x, "Sum", "x");
        int resolved = ShapeText.Axis(axis, x.Rank, "Sum");
        var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, resolved);
        Tensor output = Tensor.Empty(ShapeText.Reduced(x.ShapeSpan, resolved, keepDim), x.DType);
        if (x.DType == DType.Float32)
        {
            AxisKernels.Sum<float>(x.Span<float>(), outer, length, inner, output.Span<float>());
        }
        else
        {
            AxisKernels.Sum<double>(x.Span<double>(), outer, length, inner, output.Span<double>());
        }

        if (Tape.ShouldRecord(x))
        {
            output.SetGradFn(new SumEntry(x, outer, length, inner));
        }

        return output;
    }

    public static Tensor Mean(Tensor x) => Unary.Apply(All(x), new MultiplyScalarOp(1.0 / x.Count));

    public static Tensor Mean(Tensor x, int axis, bool keepDim)
    {
        int length = x.ShapeSpan[ShapeText.Axis(axis, x.Rank, "Mean")];
        return Unary.Apply(Axis(x, axis, keepDim), new MultiplyScalarOp(1.0 / length));
    }

    private sealed class SumEntry(Tensor x, int outer, int length, int inner) : TapeEntry("Sum", x)
    {
        private readonly int[] _inputShape = x.ShapeArray;

        internal override Tensor Vjp(int index, Tensor gradOutput)
        {
            Tensor dx = Tensor.Empty(_inputShape, gradOutput.DType);
            if (dx.DType == DType.Float32)
            {
                AxisKernels.Expand<float>(gradOutput.Span<float>(), outer, length, inner, dx.Span<float>());
            }
            else
            {
                AxisKernels.Expand<double>(gradOutput.Span<double>(), outer, length, inner, dx.Span<double>());
            }

            return dx;
        }
    }
}
