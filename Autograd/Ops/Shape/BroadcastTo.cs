using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// The two halves of broadcasting as recorded ops, each the other's VJP: <see cref="SumTo"/> sums a tensor down to a
/// shape it was broadcast from (the VJP of every broadcasting op), <see cref="ExpandTo"/> repeats a tensor up to a
/// shape it broadcasts to. Recorded, they make broadcasting VJPs differentiable again.
/// </summary>
internal static class BroadcastTo
{
    /// <summary>x summed over the axes along which <paramref name="shape"/> was broadcast to x's shape; x itself when equal.</summary>
    public static Tensor SumTo(Tensor x, int[] shape)
    {
        if (x.ShapeSpan.SequenceEqual(shape))
        {
            return x;
        }

        Tensor output = Tensor.Empty(shape, x.DType);
        DTypeDispatch.Float(x.DType, new SumToKernel(x, output));
        // (RequiresGrad first: in a first-order backward pass the gradient never does, and the check reads no TLS.)
        if (x.RequiresGrad && Tape.ShouldRecord("SumTo", output, x))
        {
            output.SetGradFn(new SumToEntry(x));
        }

        return output;
    }

    /// <summary>x repeated along the axes where it broadcasts to <paramref name="shape"/> (a copy); x itself when equal.</summary>
    public static Tensor ExpandTo(Tensor x, int[] shape)
    {
        if (x.ShapeSpan.SequenceEqual(shape))
        {
            return x;
        }

        int[] broadcast = BroadcastLayout.BroadcastShape(x.ShapeSpan, shape, "ExpandTo");
        if (!broadcast.AsSpan().SequenceEqual(shape))
        {
            throw new ArgumentException(
                $"ExpandTo: {ShapeText.Format(x.ShapeSpan)} does not broadcast to {ShapeText.Format(shape)}.");
        }

        Tensor output = Tensor.Empty(shape, x.DType);
        DTypeDispatch.Float(x.DType, new ExpandKernel(x, output));
        if (x.RequiresGrad && Tape.ShouldRecord("ExpandTo", output, x))
        {
            output.SetGradFn(new ExpandToEntry(x));
        }

        return output;
    }

    private readonly struct SumToKernel(Tensor x, Tensor destination) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Broadcast.SumTo(x.Span<T>(), x.ShapeSpan, destination.Span<T>(), destination.ShapeSpan);
    }

    private readonly struct ExpandKernel(Tensor x, Tensor destination) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            // The second operand is ignored by the kernel; giving it the output's shape keeps the layout simple.
            Span<T> output = destination.Span<T>();
            Broadcast.Apply<FirstOperandKernel, T>(x.Span<T>(), x.ShapeSpan, output, destination.ShapeSpan, output, destination.ShapeSpan);
        }
    }

    /// <summary>d SumTo(x) = ExpandTo(g, x.shape).</summary>
    private sealed class SumToEntry(Tensor x) : TapeEntry("SumTo", x)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = ExpandTo(gradOutput, InputShape(0));
    }

    /// <summary>d ExpandTo(x) = SumTo(g, x.shape).</summary>
    private sealed class ExpandToEntry(Tensor x) : TapeEntry("ExpandTo", x)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = SumTo(gradOutput, InputShape(0));
    }
}
