using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// x^e for two tensors, with broadcasting (C's pow: x^0 = 1, 0^e = 0 or ∞, a negative x to a fractional e is NaN).
/// VJP, as PyTorch's: dx = g · e · x^(e−1), 0 where e = 0; de = g · x^e · ln x, 0 where x = 0 and e ≥ 0 (the
/// limit of x^e ln x, instead of 0 · −∞); each summed down to its operand's shape.
/// </summary>
internal static class PowTensor
{
    public static Tensor Forward(Tensor x, Tensor exponent)
    {
        Tensor output = Arithmetic.Forward<PowKernel>("Pow", x, exponent);
        if (Tape.ShouldRecord("Pow", output, x, exponent))
        {
            output.SetGradFn(new PowEntry(x, exponent));
        }

        return output;
    }

    private readonly struct MultiplyInPlace(Tensor destination, Tensor g) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Span<T> d = destination.Span<T>();
            TensorPrimitives.Multiply(d, g.Span<T>(), d);
        }
    }

    /// <summary>Saves x and e; each VJP recomputes what it needs from them at the output's shape.</summary>
    private sealed class PowEntry : TapeEntry
    {
        private readonly int[] _xShape, _eShape;

        public PowEntry(Tensor x, Tensor exponent)
            : base("Pow", x, exponent)
        {
            _xShape = x.ShapeArray;
            _eShape = exponent.ShapeArray;
            Save(x);
            Save(exponent);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor x = Saved(0), e = Saved(1);
            if (context.CreateGraph)
            {
                BackwardGraph(context, gradOutput, x, e, inputGrads);
                return;
            }

            if (context.NeedsInputGrad(0))
            {
                Tensor local = Arithmetic.Forward<ScalarBinaryKernel<PowBaseDerivative>>("Pow", x, e);
                DTypeDispatch.Float(local.DType, new MultiplyInPlace(local, gradOutput));
                inputGrads[0] = BroadcastTo.SumTo(local, _xShape);
            }

            if (context.NeedsInputGrad(1))
            {
                Tensor local = Arithmetic.Forward<ScalarBinaryKernel<PowExponentDerivative>>("Pow", x, e);
                DTypeDispatch.Float(local.DType, new MultiplyInPlace(local, gradOutput));
                inputGrads[1] = BroadcastTo.SumTo(local, _eShape);
            }
        }

        /// <summary>
        /// The same formulas as recorded ops at the output's shape. Where a piece is dropped (0 · x^(−1) at x = e = 0,
        /// x^e · ln x at x = 0, e ≥ 0), x is first replaced by 1 through a constant mask, so that the dropped piece and
        /// its derivatives are finite and the product with 0 is exactly 0 (not 0 · ∞ = NaN) at every order. Where
        /// e = 0 and x ≠ 0, e · x^(e−1) is kept as it is (its value is 0), so its derivative in e is 1/x, as the
        /// differences say, where PyTorch's where(e == 0, 0, ...) gives 0.
        /// </summary>
        private void BackwardGraph(in BackwardContext context, Tensor g, Tensor x, Tensor e, Span<Tensor?> inputGrads)
        {
            int[] shape = g.ShapeArray;
            Tensor xs = BroadcastTo.ExpandTo(x, shape), es = BroadcastTo.ExpandTo(e, shape);
            if (context.NeedsInputGrad(0))
            {
                Tensor replaced = ConstantMasks.Where(xs, es, new BothZero());
                Tensor safe = (xs * (1.0 - replaced)) + replaced;
                inputGrads[0] = BroadcastTo.SumTo(g * (es * Forward(safe, es - 1.0)), _xShape);
            }

            if (context.NeedsInputGrad(1))
            {
                Tensor replaced = ConstantMasks.Where(xs, es, new ZeroBaseNonNegativeExponent());
                Tensor safe = (xs * (1.0 - replaced)) + replaced;
                inputGrads[1] = BroadcastTo.SumTo(g * (Forward(safe, es) * safe.Log()), _eShape);
            }
        }
    }

    private readonly struct BothZero : IPairCondition
    {
        public bool Holds<T>(T x, T e)
            where T : unmanaged, IFloatingPointIeee754<T> => x == T.Zero && e == T.Zero;
    }

    private readonly struct ZeroBaseNonNegativeExponent : IPairCondition
    {
        public bool Holds<T>(T x, T e)
            where T : unmanaged, IFloatingPointIeee754<T> => x == T.Zero && e >= T.Zero;
    }
}

/// <summary><c>x^y</c>.</summary>
internal readonly struct PowKernel : IBinaryKernel
{
    public static ElementCost Cost => ElementCost.Compute;

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MathKernels.Pow(x, y, destination);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MathKernels.Pow(x, y, destination);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MathKernels.Pow(x, y, destination);
}

/// <summary><c>∂x^e/∂x = e · x^(e−1)</c>, 0 where e = 0.</summary>
internal readonly struct PowBaseDerivative : IScalarBinaryFunction
{
    public static T Of<T>(T x, T e)
        where T : unmanaged, IFloatingPointIeee754<T> => e == T.Zero ? T.Zero : e * T.Pow(x, e - T.One);
}

/// <summary><c>∂x^e/∂e = x^e · ln x</c>, 0 where x = 0 and e ≥ 0.</summary>
internal readonly struct PowExponentDerivative : IScalarBinaryFunction
{
    public static T Of<T>(T x, T e)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        x == T.Zero && e >= T.Zero ? T.Zero : T.Pow(x, e) * T.Log(x);
}
