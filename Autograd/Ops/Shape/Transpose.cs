using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Swaps the two axes of a matrix into new contiguous storage. VJP: the gradient transposed back.
/// (MatMul takes transposed operands by flag, so products never need this copy.)
/// </summary>
internal static class Transpose
{
    public static Tensor Forward(Tensor x)
    {
        OpChecks.NotNull(x, "Transpose", "x");
        OpChecks.FloatingPoint("Transpose", x);
        if (x.Rank != 2)
        {
            throw new ArgumentException($"Transpose: expected a 2-D tensor; got {ShapeText.Format(x.ShapeSpan)}.");
        }

        Tensor output = Copy(x);
        if (Tape.ShouldRecord("Transpose", output, x))
        {
            output.SetGradFn(new TransposeEntry(x));
        }

        return output;
    }

    private static Tensor Copy(Tensor x)
    {
        int rows = x.ShapeSpan[0], columns = x.ShapeSpan[1];
        Tensor output = Tensor.Empty([columns, rows], x.DType);
        DTypeDispatch.Float(x.DType, new TransposeAction(x, output, rows, columns));
        return output;
    }

    private readonly struct TransposeAction(Tensor x, Tensor output, int rows, int columns) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
            TransposeKernel.Transpose<T>(x.Span<T>(), output.Span<T>(), rows, columns);
    }

    private sealed class TransposeEntry(Tensor x) : TapeEntry("Transpose", x)
    {
        // The gradient transposed back; recorded when the pass creates a graph.
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = Forward(gradOutput);
    }
}
