using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// PyTorch's F.avg_pool2d with its defaults (count_include_pad = True, ceil_mode = False): the sum of each window's
/// input values divided by k², padding counted as zeros. Linear, so its VJP is its adjoint, AvgPool2dBackward
/// (g/k² spread over each window), a recorded op whose own VJP is AvgPool2d: gradients of any order.
/// </summary>
internal static class AvgPool2d
{
    public static Tensor Forward(Tensor input, int kernelSize, int? stride, int padding) =>
        Apply(PoolChecks.Geometry("AvgPool2d", input, kernelSize, stride, padding), input);

    internal static Tensor Apply(PoolGeometry geometry, Tensor input)
    {
        Tensor output = Tensor.Empty(geometry.OutputShape, input.DType);
        DTypeDispatch.Float(input.DType, new PoolAction(geometry, input, output));
        if (Tape.ShouldRecord("AvgPool2d", output, input))
        {
            output.SetGradFn(new AvgPoolEntry("AvgPool2d", input, geometry, backward: false));
        }

        return output;
    }

    /// <summary>The adjoint: each output gradient divided by k² and added over its window of a zero input-shaped tensor.</summary>
    internal static Tensor Backward(PoolGeometry geometry, Tensor gradOutput)
    {
        Tensor result = Tensor.Empty(geometry.InputShape, gradOutput.DType);
        DTypeDispatch.Float(gradOutput.DType, new SpreadAction(geometry, gradOutput, result));
        if (Tape.ShouldRecord("AvgPool2dBackward", result, gradOutput))
        {
            result.SetGradFn(new AvgPoolEntry("AvgPool2dBackward", gradOutput, geometry, backward: true));
        }

        return result;
    }

    private readonly struct PoolAction(PoolGeometry geometry, Tensor input, Tensor output) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            PoolingKernels.AvgForward(geometry, input.Data<T>(), output.Data<T>());
    }

    private readonly struct SpreadAction(PoolGeometry geometry, Tensor gradOutput, Tensor result) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            PoolingKernels.AvgSpread(geometry, gradOutput.Data<T>(), result.Data<T>());
    }

    /// <summary>AvgPool2d's entry (VJP: the spread) or the spread's (VJP: AvgPool2d); both linear, nothing saved.</summary>
    private sealed class AvgPoolEntry(string name, Tensor x, PoolGeometry geometry, bool backward) : TapeEntry(name, x)
    {
        private PoolGeometry? _geometry = geometry;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = backward ? Apply(_geometry!, gradOutput) : AvgPool2d.Backward(_geometry!, gradOutput);

        protected override void ReleaseSaved() => _geometry = null;
    }
}
