using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Softmax and log-softmax along an axis, stable for logits of any magnitude (max-shifted). Both save only
/// their output: softmax's VJP is y·(g − Σ g·y), log-softmax's is g − e^y·Σ g.
/// </summary>
internal static class Softmax
{
    public static Tensor Forward(Tensor x, int axis, bool log)
    {
        string op = log ? "LogSoftmax" : "Softmax";
        OpChecks.NotNull(x, op, "x");
        OpChecks.FloatingPoint(op, x);
        int resolved = ShapeText.Axis(axis, x.Rank, op);
        var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, resolved);
        Tensor output = Tensor.Empty(x.ShapeArray, x.DType);
        DTypeDispatch.Float(x.DType, new SoftmaxAction(x, outer, length, inner, output, log));
        if (Tape.ShouldRecord(op, output, x))
        {
            output.SetGradFn(new SoftmaxEntry(op, x, output, resolved, outer, length, inner, log));
        }

        return output;
    }

    private readonly struct SoftmaxAction(Tensor x, int outer, int length, int inner, Tensor output, bool log) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            AxisKernels.Softmax<T>(x.Span<T>(), outer, length, inner, output.Span<T>(), log);
    }

    private readonly struct SoftmaxBackwardAction(Tensor y, Tensor g, int outer, int length, int inner, Tensor dx, bool log) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            AxisKernels.SoftmaxBackward<T>(y.Span<T>(), g.Span<T>(), outer, length, inner, dx.Span<T>(), log);
    }

    private sealed class SoftmaxEntry : TapeEntry
    {
        private readonly int _axis, _outer, _length, _inner;
        private readonly bool _log;

        public SoftmaxEntry(string op, Tensor x, Tensor output, int axis, int outer, int length, int inner, bool log)
            : base(op, x)
        {
            (_axis, _outer, _length, _inner, _log) = (axis, outer, length, inner, log);
            Save(output);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor y = Saved(0);
            if (context.CreateGraph)
            {
                // The same formulas as recorded ops; y is the recorded output, so they differentiate through it.
                inputGrads[0] = _log
                    ? gradOutput - (y.Exp() * gradOutput.Sum(_axis, keepDim: true))
                    : y * (gradOutput - (gradOutput * y).Sum(_axis, keepDim: true));
                return;
            }

            Tensor dx = Tensor.Empty(gradOutput.ShapeArray, gradOutput.DType);
            DTypeDispatch.Float(dx.DType, new SoftmaxBackwardAction(y, gradOutput, _outer, _length, _inner, dx, _log));
            inputGrads[0] = dx;
        }
    }
}
