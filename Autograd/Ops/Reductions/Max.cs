using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>The maximum along an axis. VJP: the gradient goes to the (first) arg-max, zero elsewhere.</summary>
internal static class Max
{
    public static Tensor Axis(Tensor x, int axis, bool keepDim)
    {
        OpChecks.NotNull(x, "Max", "x");
        int resolved = ShapeText.Axis(axis, x.Rank, "Max");
        var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, resolved);
        if (length == 0)
        {
            throw new ArgumentException($"Max: axis {axis} of {ShapeText.Format(x.ShapeSpan)} is empty; a maximum needs one element.");
        }

        Tensor output = Tensor.Empty(ShapeText.Reduced(x.ShapeSpan, resolved, keepDim), x.DType);
        int[] indices = new int[outer * inner];
        if (x.DType == DType.Float32)
        {
            AxisKernels.Max<float>(x.Span<float>(), outer, length, inner, output.Span<float>(), indices);
        }
        else
        {
            AxisKernels.Max<double>(x.Span<double>(), outer, length, inner, output.Span<double>(), indices);
        }

        if (Tape.ShouldRecord(x))
        {
            output.SetGradFn(new MaxEntry(x, indices, outer, length, inner));
        }

        return output;
    }

    private sealed class MaxEntry(Tensor x, int[] indices, int outer, int length, int inner) : TapeEntry("Max", x)
    {
        private readonly int[] _inputShape = x.ShapeArray;
        private int[]? _indices = indices;

        internal override Tensor Vjp(int index, Tensor gradOutput)
        {
            Tensor dx = Tensor.Empty(_inputShape, gradOutput.DType);
            if (dx.DType == DType.Float32)
            {
                AxisKernels.MaxBackward<float>(gradOutput.Span<float>(), _indices, outer, length, inner, dx.Span<float>());
            }
            else
            {
                AxisKernels.MaxBackward<double>(gradOutput.Span<double>(), _indices, outer, length, inner, dx.Span<double>());
            }

            return dx;
        }

        protected override void ReleaseSaved() => _indices = null;
    }
}
