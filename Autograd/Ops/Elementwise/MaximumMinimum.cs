using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Elementwise maximum and minimum of two tensors with broadcasting; a NaN in either operand gives NaN, as PyTorch.
/// VJP, as PyTorch's: the gradient goes to the larger (smaller) operand, is split g/2 to each at a tie, and goes
/// whole to both where either is NaN. Each operand's share is summed down to its shape.
/// </summary>
internal static class MaximumMinimum
{
    public static Tensor Maximum(Tensor x, Tensor y)
    {
        Tensor output = Arithmetic.Forward<MaximumKernel>("Maximum", x, y);
        if (Tape.ShouldRecord("Maximum", output, x, y))
        {
            output.SetGradFn(new ExtremumEntry<ScalarBinaryKernel<MaximumShare>>("Maximum", x, y));
        }

        return output;
    }

    public static Tensor Minimum(Tensor x, Tensor y)
    {
        Tensor output = Arithmetic.Forward<MinimumKernel>("Minimum", x, y);
        if (Tape.ShouldRecord("Minimum", output, x, y))
        {
            output.SetGradFn(new ExtremumEntry<ScalarBinaryKernel<MinimumShare>>("Minimum", x, y));
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

    /// <summary>
    /// Saves both operands. The share of the first operand is TShare(x, y) at the output's shape; the second's is
    /// TShare(y, x) (the rule is symmetric).
    /// </summary>
    private sealed class ExtremumEntry<TShare> : TapeEntry
        where TShare : IBinaryKernel
    {
        private readonly int[] _xShape, _yShape;

        public ExtremumEntry(string name, Tensor x, Tensor y)
            : base(name, x, y)
        {
            _xShape = x.ShapeArray;
            _yShape = y.ShapeArray;
            Save(x);
            Save(y);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor x = Saved(0), y = Saved(1);
            if (context.NeedsInputGrad(0))
            {
                inputGrads[0] = Share(context, gradOutput, x, y, _xShape);
            }

            if (context.NeedsInputGrad(1))
            {
                inputGrads[1] = Share(context, gradOutput, y, x, _yShape);
            }
        }

        /// <summary>SumTo(g · share(self, other)): the share is a constant 0, ½ or 1 (its derivative is 0).</summary>
        private Tensor Share(in BackwardContext context, Tensor g, Tensor self, Tensor other, int[] shape)
        {
            Tensor share = Arithmetic.Forward<TShare>(Name, self, other);   // a new tensor at the output's shape, unrecorded
            if (context.CreateGraph)
            {
                return BroadcastTo.SumTo(g * share, shape);
            }

            DTypeDispatch.Float(share.DType, new MultiplyInPlace(share, g));
            return BroadcastTo.SumTo(share, shape);
        }
    }
}

/// <summary><c>max(x, y)</c>, NaN if either is NaN.</summary>
internal readonly struct MaximumKernel : IBinaryKernel
{
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, y, destination);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, y, destination);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(y, x, destination);
}

/// <summary><c>min(x, y)</c>, NaN if either is NaN.</summary>
internal readonly struct MinimumKernel : IBinaryKernel
{
    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(x, y, destination);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(x, y, destination);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(y, x, destination);
}

/// <summary>The share of the gradient of max(x, y) that goes to x: ½ at a tie, 0 where x &lt; y, else 1 (also NaN).</summary>
internal readonly struct MaximumShare : IScalarBinaryFunction
{
    public static T Of<T>(T x, T y)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        x == y ? T.CreateTruncating(0.5) : x < y ? T.Zero : T.One;
}

/// <summary>The share of the gradient of min(x, y) that goes to x: ½ at a tie, 0 where x &gt; y, else 1 (also NaN).</summary>
internal readonly struct MinimumShare : IScalarBinaryFunction
{
    public static T Of<T>(T x, T y)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        x == y ? T.CreateTruncating(0.5) : x > y ? T.Zero : T.One;
}
