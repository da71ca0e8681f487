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
        if (x.Rank != 2)
        {
            throw new ArgumentException($"Transpose: expected a 2-D tensor; got {ShapeText.Format(x.ShapeSpan)}.");
        }

        Tensor output = Copy(x);
        if (Tape.ShouldRecord(x))
        {
            output.SetGradFn(new TransposeEntry(x));
        }

        return output;
    }

    private static Tensor Copy(Tensor x)
    {
        int rows = x.ShapeSpan[0], columns = x.ShapeSpan[1];
        Tensor output = Tensor.Empty([columns, rows], x.DType);
        if (x.DType == DType.Float32)
        {
            TransposeKernel.Transpose<float>(x.Span<float>(), output.Span<float>(), rows, columns);
        }
        else
        {
            TransposeKernel.Transpose<double>(x.Span<double>(), output.Span<double>(), rows, columns);
        }

        return output;
    }

    private sealed class TransposeEntry(Tensor x) : TapeEntry("Transpose", x)
    {
        internal override Tensor Vjp(int index, Tensor gradOutput) => Copy(gradOutput);
    }
}
