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
        int resolved = ShapeText.Axis(axis, x.Rank, op);
        var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, resolved);
        Tensor output = Tensor.Empty(x.ShapeArray, x.DType);
        if (x.DType == DType.Float32)
        {
            AxisKernels.Softmax<float>(x.Span<float>(), outer, length, inner, output.Span<float>(), log);
        }
        else
        {
            AxisKernels.Softmax<double>(x.Span<double>(), outer, length, inner, output.Span<double>(), log);
        }

        if (Tape.ShouldRecord(x))
        {
            output.SetGradFn(new SoftmaxEntry(op, x, output, outer, length, inner, log));
        }

        return output;
    }

    private sealed class SoftmaxEntry(string op, Tensor x, Tensor output, int outer, int length, int inner, bool log)
        : TapeEntry(op, x)
    {
        private Tensor? _output = output;

        internal override Tensor Vjp(int index, Tensor gradOutput)
        {
            Tensor dx = Tensor.Empty(gradOutput.ShapeArray, gradOutput.DType);
            if (dx.DType == DType.Float32)
            {
                AxisKernels.SoftmaxBackward<float>(_output!.Span<float>(), gradOutput.Span<float>(), outer, length, inner, dx.Span<float>(), log);
            }
            else
            {
                AxisKernels.SoftmaxBackward<double>(_output!.Span<double>(), gradOutput.Span<double>(), outer, length, inner, dx.Span<double>(), log);
            }

            return dx;
        }

        protected override void ReleaseSaved() => _output = null;
    }
}
