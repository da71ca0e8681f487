using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// The variance along an axis, Σ (x − mean)² / (n − correction) with correction 1 (unbiased) or 0, and the standard
/// deviation, its square root. Forward: the corrected two-pass algorithm on shifted data (a constant line has a
/// variance of exactly 0). VJP as PyTorch's var_backward / std_backward:
/// dx = (2 / (n − correction)) · g · (x − mean), with g replaced by g / (2·std) for Std, and by 0 where std = 0
/// (PyTorch's choice at the kink of the square root). n − correction = 0 (one element, unbiased) gives NaN values and
/// gradients, as PyTorch.
/// </summary>
internal static class Variance
{
    public static Tensor Forward(Tensor x, int axis, bool unbiased, bool keepDim, bool std)
    {
        string op = std ? "Std" : "Var";
        OpChecks.NotNull(x, op, "x");
        OpChecks.FloatingPoint(op, x);
        int resolved = ShapeText.Axis(axis, x.Rank, op);
        var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, resolved);
        int correction = unbiased ? 1 : 0;
        int[] shape = ShapeText.Reduced(x.ShapeSpan, resolved, keepDim);
        Tensor output = Tensor.Empty(shape, x.DType);
        Tensor mean = Tensor.Empty(shape, x.DType);
        DTypeDispatch.Float(x.DType, new MomentsAction(x, outer, length, inner, mean, output, correction, std));
        if (Tape.ShouldRecord(op, output, x))
        {
            output.SetGradFn(new VarianceEntry(op, x, output, mean, resolved, correction, std));
        }

        return output;
    }

    private readonly struct MomentsAction(Tensor x, int outer, int length, int inner, Tensor mean, Tensor output, int correction, bool std)
        : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            ReductionKernels.Moments<T>(x.Span<T>(), outer, length, inner, mean.Span<T>(), output.Span<T>(), correction, std);
    }

    /// <summary>coef = (2 / (n − correction)) · gv with gv = g, or for Std g / (2·std) (0 where std = 0).</summary>
    private readonly struct CoefficientAction(Tensor g, Tensor? std, double twoOverDivisor, Tensor coefficient) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> gradient = g.Span<T>();
            ReadOnlySpan<T> deviation = std is null ? default : std.Span<T>();
            Span<T> result = coefficient.Span<T>();
            T scale = T.CreateChecked(twoOverDivisor);
            T two = T.CreateChecked(2);
            for (int i = 0; i < result.Length; i++)
            {
                T gv = gradient[i];
                if (std is not null)
                {
                    gv = deviation[i] == T.Zero ? T.Zero : gv / (deviation[i] * two);
                }

                result[i] = scale * gv;
            }
        }
    }

    private readonly struct BackwardAction(Tensor x, Tensor mean, Tensor coefficient, int outer, int length, int inner, Tensor dx) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            ReductionKernels.ShiftScale<T>(x.Span<T>(), mean.Span<T>(), coefficient.Span<T>(), outer, length, inner, dx.Span<T>(), exp: false);
    }

    /// <summary>1 where <paramref name="std"/> is 0, else 0 (a constant); returns whether any is 0.</summary>
    private struct ZeroMaskAction(Tensor std, Tensor mask) : IFloatAction
    {
        public bool Any;

        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> source = std.Span<T>();
            Span<T> result = mask.Span<T>();
            for (int i = 0; i < source.Length; i++)
            {
                bool zero = source[i] == T.Zero;
                result[i] = zero ? T.One : T.Zero;
                Any |= zero;
            }
        }
    }

    /// <summary>
    /// Saves x (and for Std the output); keeps the forward pass's means for the fast path. Graph path: the same formula
    /// from recorded ops, the mean recomputed as a recorded Mean of x so that second derivatives see it:
    /// <c>(gv · 2/(n − correction)) · (x − x.Mean(axis, keepDim: true))</c>, gv = g, or for Std
    /// <c>g / (2·std + zero) · (1 − zero)</c> with zero the constant mask of std = 0.
    /// </summary>
    private sealed class VarianceEntry : TapeEntry
    {
        private readonly int _axis, _correction;
        private readonly bool _std;
        private Tensor? _mean;

        public VarianceEntry(string op, Tensor x, Tensor output, Tensor mean, int axis, int correction, bool std)
            : base(op, x)
        {
            (_mean, _axis, _correction, _std) = (mean, axis, correction, std);
            Save(x);
            if (std)
            {
                Save(output);
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor x = Saved(0);
            Tensor? std = _std ? Saved(1) : null;
            var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, _axis);
            double twoOverDivisor = 2.0 / Math.Max(length - _correction, 0);
            if (context.CreateGraph)
            {
                inputGrads[0] = BackwardGraph(x, std, gradOutput, twoOverDivisor);
                return;
            }

            Tensor coefficient = Tensor.Empty(gradOutput.ShapeArray, gradOutput.DType);
            DTypeDispatch.Float(x.DType, new CoefficientAction(gradOutput, std, twoOverDivisor, coefficient));
            Tensor dx = Tensor.Empty(x.ShapeArray, x.DType);
            DTypeDispatch.Float(x.DType, new BackwardAction(x, _mean!, coefficient, outer, length, inner, dx));
            inputGrads[0] = dx;
        }

        private Tensor BackwardGraph(Tensor x, Tensor? std, Tensor gradOutput, double twoOverDivisor)
        {
            int[] kept = ShapeText.Reduced(x.ShapeSpan, _axis, keepDim: true);
            Tensor gv = Reshape.Forward(gradOutput, kept);
            if (std is not null)
            {
                Tensor deviation = Reshape.Forward(std, kept);
                Tensor zero = Tensor.Empty(kept, std.DType);
                var mask = new ZeroMaskAction(std, zero);
                DTypeDispatch.Float(std.DType, ref mask);
                gv = mask.Any ? gv / ((deviation * 2.0) + zero) * (1.0 - zero) : gv / (deviation * 2.0);
            }

            return (gv * twoOverDivisor) * (x - x.Mean(_axis, keepDim: true));
        }

        protected override void ReleaseSaved() => _mean = null;
    }
}
