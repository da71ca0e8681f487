using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// The gradient of a convolution with respect to its input, dx = col2im(Wᵀ·g) (a transposed convolution), as a
/// recorded op of (g, W). It is bilinear: with u the gradient arriving at dx, ⟨u, ConvInputGrad(g, W)⟩ =
/// ⟨Conv(u, W), g⟩ = ⟨ConvWeightGrad(u, g), W⟩, so dg = Conv(u, W) and dW = ConvWeightGrad(u, g).
/// </summary>
internal static class ConvInputGrad
{
    public static Tensor Apply(ConvGeometry geometry, Tensor gradOutput, Tensor weight)
    {
        Tensor result = Tensor.Empty(geometry.InputShape, gradOutput.DType);
        DTypeDispatch.Float(gradOutput.DType, new InputGradAction(geometry, gradOutput, weight, result));
        if (Tape.ShouldRecord("ConvInputGrad", result, gradOutput, weight))
        {
            result.SetGradFn(new InputGradEntry(geometry, gradOutput, weight));
        }

        return result;
    }

    private readonly struct InputGradAction(ConvGeometry geometry, Tensor gradOutput, Tensor weight, Tensor result)
        : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            ConvolutionKernels.InputGrad(geometry, gradOutput.Data<T>(), weight.Data<T>(), result.Data<T>());
    }

    /// <summary>Inputs (g, W); saves W when g needs a gradient and g when W does.</summary>
    private sealed class InputGradEntry : TapeEntry
    {
        private readonly int _gradSlot = -1, _weightSlot = -1;
        private ConvGeometry? _geometry;

        public InputGradEntry(ConvGeometry geometry, Tensor gradOutput, Tensor weight)
            : base("ConvInputGrad", gradOutput, weight)
        {
            _geometry = geometry;
            int slots = 0;
            if (gradOutput.RequiresGrad)
            {
                Save(weight);
                _weightSlot = slots++;
            }

            if (weight.RequiresGrad)
            {
                Save(gradOutput);
                _gradSlot = slots;
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            if (context.NeedsInputGrad(0))
            {
                inputGrads[0] = Convolution.Apply(_geometry!, gradOutput, Saved(_weightSlot), bias: null);
            }

            if (context.NeedsInputGrad(1))
            {
                inputGrads[1] = ConvWeightGrad.Apply(_geometry!, gradOutput, Saved(_gradSlot));
            }
        }

        protected override void ReleaseSaved() => _geometry = null;
    }
}
