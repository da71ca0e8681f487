using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// log Σ exp(x) along an axis, shifted by the maximum so that it is finite for inputs of ±1000 (−∞ for a line of −∞,
/// as PyTorch). VJP as PyTorch's logsumexp_backward: dx = g · exp(x − result), the softmax of the line; a line whose
/// result is ±∞ gets NaN where x equals it (∞ − ∞), as PyTorch.
/// </summary>
internal static class LogSumExp
{
    public static Tensor Forward(Tensor x, int axis, bool keepDim)
    {
        OpChecks.NotNull(x, "LogSumExp", "x");
        OpChecks.FloatingPoint("LogSumExp", x);
        int resolved = ShapeText.Axis(axis, x.Rank, "LogSumExp");
        var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, resolved);
        Tensor output = Tensor.Empty(ShapeText.Reduced(x.ShapeSpan, resolved, keepDim), x.DType);
        DTypeDispatch.Float(x.DType, new ForwardAction(x, outer, length, inner, output));
        if (Tape.ShouldRecord("LogSumExp", output, x))
        {
            output.SetGradFn(new LogSumExpEntry(x, output, resolved));
        }

        return output;
    }

    private readonly struct ForwardAction(Tensor x, int outer, int length, int inner, Tensor output) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            ReductionKernels.LogSumExp<T>(x.Span<T>(), outer, length, inner, output.Span<T>());
    }

    private readonly struct BackwardAction(Tensor x, Tensor result, Tensor g, int outer, int length, int inner, Tensor dx) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            ReductionKernels.ShiftScale<T>(x.Span<T>(), result.Span<T>(), g.Span<T>(), outer, length, inner, dx.Span<T>(), exp: true);
    }

    /// <summary>
    /// Saves x and the output. Graph path: <c>g · (x − result).Exp()</c> with g and the result viewed with the axis kept;
    /// the result is the recorded output, so the second derivative goes through it (giving softmax's Jacobian).
    /// </summary>
    private sealed class LogSumExpEntry : TapeEntry
    {
        private readonly int _axis;

        public LogSumExpEntry(Tensor x, Tensor output, int axis)
            : base("LogSumExp", x)
        {
            _axis = axis;
            Save(x);
            Save(output);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor x = Saved(0);
            Tensor result = Saved(1);
            if (context.CreateGraph)
            {
                int[] kept = ShapeText.Reduced(x.ShapeSpan, _axis, keepDim: true);
                inputGrads[0] = Reshape.Forward(gradOutput, kept) * (x - Reshape.Forward(result, kept)).Exp();
                return;
            }

            var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, _axis);
            Tensor dx = Tensor.Empty(x.ShapeArray, x.DType);
            DTypeDispatch.Float(x.DType, new BackwardAction(x, result, gradOutput, outer, length, inner, dx));
            inputGrads[0] = dx;
        }
    }
}
