using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Conv1d and Conv2d (PyTorch's F.conv1d / F.conv2d: cross-correlation with stride, zero padding, dilation and
/// groups), by im2col onto the GEMM kernels (<see cref="ConvolutionKernels"/>). The convolution is bilinear in
/// (input, weight): its VJPs are the two other bilinear maps, <see cref="ConvInputGrad"/> (a transposed convolution)
/// and <see cref="ConvWeightGrad"/>, recorded ops whose own VJPs are again among the three, so gradients of any
/// order exist. The bias gradient is the sum of g over items and positions.
/// </summary>
internal static class Convolution
{
    public static Tensor Forward(bool oneD, Tensor input, Tensor weight, Tensor? bias, int stride, int padding,
        int dilation, int groups)
    {
        ConvGeometry geometry = ConvChecks.Geometry(oneD ? "Conv1d" : "Conv2d", oneD, input, weight, bias, stride,
            padding, dilation, groups);
        return Apply(geometry, input, weight, bias);
    }

    /// <summary>The convolution of a validated geometry; recorded when an input requires a gradient.</summary>
    internal static Tensor Apply(ConvGeometry geometry, Tensor input, Tensor weight, Tensor? bias)
    {
        Tensor output = Tensor.Empty(geometry.OutputShape, input.DType);
        DTypeDispatch.Float(input.DType, new ForwardAction(geometry, input, weight, bias, output));
        bool record = bias is null
            ? Tape.ShouldRecord(geometry.Op, output, input, weight)
            : Tape.ShouldRecord(geometry.Op, output, [input, weight, bias]);
        if (record)
        {
            output.SetGradFn(new ConvEntry(geometry, input, weight, bias));
        }

        return output;
    }

    private readonly struct ForwardAction(ConvGeometry geometry, Tensor input, Tensor weight, Tensor? bias, Tensor output)
        : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            ConvolutionKernels.Forward(geometry, input.Data<T>(), weight.Data<T>(), bias?.Data<T>(), output.Data<T>());
    }

    private readonly struct BiasGradAction(ConvGeometry geometry, Tensor gradOutput, Tensor result) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            ConvolutionKernels.BiasGrad<T>(geometry, gradOutput.Span<T>(), result.Span<T>());
    }

    /// <summary>
    /// Inputs (x, W[, b]). Saves x when W needs a gradient and W when x does. dx = ConvInputGrad(g, W) and
    /// dW = ConvWeightGrad(x, g) serve both paths (recorded exactly when the pass creates a graph);
    /// db = Σ g over items and positions, a kernel on the fast path and recorded sums on the graph path.
    /// </summary>
    private sealed class ConvEntry : TapeEntry
    {
        private readonly int _inputSlot = -1, _weightSlot = -1;
        private ConvGeometry? _geometry;

        public ConvEntry(ConvGeometry geometry, Tensor input, Tensor weight, Tensor? bias)
            : base(geometry.Op, bias is null ? [input, weight] : [input, weight, bias])
        {
            _geometry = geometry;
            int slots = 0;
            if (weight.RequiresGrad)
            {
                Save(input);
                _inputSlot = slots++;
            }

            if (input.RequiresGrad)
            {
                Save(weight);
                _weightSlot = slots;
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            ConvGeometry geometry = _geometry!;
            if (context.NeedsInputGrad(0))
            {
                inputGrads[0] = ConvInputGrad.Apply(geometry, gradOutput, Saved(_weightSlot));
            }

            if (context.NeedsInputGrad(1))
            {
                inputGrads[1] = ConvWeightGrad.Apply(geometry, Saved(_inputSlot), gradOutput);
            }

            if (InputCount == 3 && context.NeedsInputGrad(2))
            {
                if (context.CreateGraph)
                {
                    inputGrads[2] = gradOutput.Reshape(geometry.N, geometry.O, geometry.Positions).Sum(2).Sum(0);
                }
                else
                {
                    Tensor result = Tensor.Empty([geometry.O], gradOutput.DType);
                    DTypeDispatch.Float(gradOutput.DType, new BiasGradAction(geometry, gradOutput, result));
                    inputGrads[2] = result;
                }
            }
        }

        protected override void ReleaseSaved() => _geometry = null;
    }
}
