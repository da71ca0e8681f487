using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// The gradient of a convolution with respect to its weight, dW = Σn g[n]·col(x[n])ᵀ, as a recorded op of (x, g).
/// It is bilinear: with U the gradient arriving at dW, ⟨U, ConvWeightGrad(x, g)⟩ = ⟨Conv(x, U), g⟩ =
/// ⟨x, ConvInputGrad(g, U)⟩, so dx = ConvInputGrad(g, U) and dg = Conv(x, U).
/// </summary>
internal static class ConvWeightGrad
{
    public static Tensor Apply(ConvGeometry geometry, Tensor input, Tensor gradOutput)
    {
        Tensor result = Tensor.Empty(geometry.WeightShape, gradOutput.DType);
        DTypeDispatch.Float(gradOutput.DType, new WeightGradAction(geometry, input, gradOutput, result));
        if (Tape.ShouldRecord("ConvWeightGrad", result, input, gradOutput))
        {
            result.SetGradFn(new WeightGradEntry(geometry, input, gradOutput));
        }

        return result;
    }

    private readonly struct WeightGradAction(ConvGeometry geometry, Tensor input, Tensor gradOutput, Tensor result)
        : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            ConvolutionKernels.WeightGrad(geometry, input.Data<T>(), gradOutput.Data<T>(), result.Data<T>());
    }

    /// <summary>Inputs (x, g); saves g when x needs a gradient and x when g does.</summary>
    private sealed class WeightGradEntry : TapeEntry
    {
        private readonly int _inputSlot = -1, _gradSlot = -1;
        private ConvGeometry? _geometry;

        public WeightGradEntry(ConvGeometry geometry, Tensor input, Tensor gradOutput)
            : base("ConvWeightGrad", input, gradOutput)
        {
            _geometry = geometry;
            int slots = 0;
            if (input.RequiresGrad)
            {
                Save(gradOutput);
                _gradSlot = slots++;
            }

            if (gradOutput.RequiresGrad)
            {
                Save(input);
                _inputSlot = slots;
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            if (context.NeedsInputGrad(0))
            {
                inputGrads[0] = ConvInputGrad.Apply(_geometry!, Saved(_gradSlot), gradOutput);
            }

            if (context.NeedsInputGrad(1))
            {
                inputGrads[1] = Convolution.Apply(_geometry!, Saved(_inputSlot), gradOutput, bias: null);
            }
        }

        protected override void ReleaseSaved() => _geometry = null;
    }
}
