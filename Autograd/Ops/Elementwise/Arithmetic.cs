using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// +, -, *, / with NumPy broadcasting. The VJP of an operand that was broadcast sums the output
/// gradient over the broadcast axes (<see cref="Broadcast.SumTo"/>).
/// </summary>
internal static class Arithmetic
{
    public static Tensor Add(Tensor x, Tensor y)
    {
        Tensor output = Forward<AddKernel>("Add", x, y);
        if (Tape.ShouldRecord(x, y))
        {
            output.SetGradFn(new AddEntry(x, y));
        }

        return output;
    }

    public static Tensor Subtract(Tensor x, Tensor y)
    {
        Tensor output = Forward<SubtractKernel>("Subtract", x, y);
        if (Tape.ShouldRecord(x, y))
        {
            output.SetGradFn(new SubtractEntry(x, y));
        }

        return output;
    }

    public static Tensor Multiply(Tensor x, Tensor y)
    {
        Tensor output = Forward<MultiplyKernel>("Multiply", x, y);
        if (Tape.ShouldRecord(x, y))
        {
            output.SetGradFn(new MultiplyEntry(x, y));
        }

        return output;
    }

    public static Tensor Divide(Tensor x, Tensor y)
    {
        Tensor output = Forward<DivideKernel>("Divide", x, y);
        if (Tape.ShouldRecord(x, y))
        {
            output.SetGradFn(new DivideEntry(x, y, output));
        }

        return output;
    }

    /// <summary>The broadcast forward pass: validates, allocates the output and runs the kernel.</summary>
    internal static Tensor Forward<TKernel>(string op, Tensor x, Tensor y)
        where TKernel : IBinaryKernel
    {
        OpChecks.NotNull(x, op, "x");
        OpChecks.NotNull(y, op, "y");
        OpChecks.SameDType(op, x, y);
        int[] shape = OutputShape(x, y, op);
        Tensor output = Tensor.Empty(shape, x.DType);
        if (x.DType == DType.Float32)
        {
            Broadcast.Apply<TKernel, float>(x.Span<float>(), x.ShapeSpan, y.Span<float>(), y.ShapeSpan, output.Span<float>(), shape);
        }
        else
        {
            Broadcast.Apply<TKernel, double>(x.Span<double>(), x.ShapeSpan, y.Span<double>(), y.ShapeSpan, output.Span<double>(), shape);
        }

        return output;
    }

    /// <summary>
    /// The broadcast shape of x and y. When one operand already has it (equal shapes, a bias row, a scalar), that
    /// operand's own shape array is shared rather than a new one built.
    /// </summary>
    private static int[] OutputShape(Tensor x, Tensor y, string op)
    {
        if (BroadcastsInto(y.ShapeSpan, x.ShapeSpan))
        {
            return x.ShapeArray;
        }

        return BroadcastsInto(x.ShapeSpan, y.ShapeSpan) ? y.ShapeArray : BroadcastLayout.BroadcastShape(x.ShapeSpan, y.ShapeSpan, op);
    }

    /// <summary>True when <paramref name="operand"/> broadcasts to exactly <paramref name="shape"/>.</summary>
    private static bool BroadcastsInto(ReadOnlySpan<int> operand, ReadOnlySpan<int> shape)
    {
        if (operand.Length > shape.Length)
        {
            return false;
        }

        int offset = shape.Length - operand.Length;
        for (int i = 0; i < operand.Length; i++)
        {
            if (operand[i] != 1 && operand[i] != shape[offset + i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Sums <paramref name="gradient"/> down to <paramref name="shape"/> (undoing a broadcast); returns the
    /// gradient itself when no axis was broadcast.
    /// </summary>
    internal static Tensor SumTo(Tensor gradient, int[] shape)
    {
        if (gradient.ShapeSpan.SequenceEqual(shape))
        {
            return gradient;
        }

        Tensor result = Tensor.Empty(shape, gradient.DType);
        if (gradient.DType == DType.Float32)
        {
            Broadcast.SumTo(gradient.Span<float>(), gradient.ShapeSpan, result.Span<float>(), shape);
        }
        else
        {
            Broadcast.SumTo(gradient.Span<double>(), gradient.ShapeSpan, result.Span<double>(), shape);
        }

        return result;
    }

    /// <summary>f(gradient, saved) broadcast to the gradient's shape, then summed down to <paramref name="shape"/>.</summary>
    private static Tensor ProductSumTo<TKernel>(Tensor gradient, Tensor saved, int[] shape)
        where TKernel : IBinaryKernel => SumTo(Forward<TKernel>("Backward", gradient, saved), shape);

    /// <summary>d(x + y) = (g, g), each summed down to its operand's shape.</summary>
    private sealed class AddEntry(Tensor x, Tensor y) : TapeEntry("Add", x, y)
    {
        private readonly int[] _xShape = x.ShapeArray;
        private readonly int[] _yShape = y.ShapeArray;

        internal override Tensor Vjp(int index, Tensor gradOutput) =>
            SumTo(gradOutput, index == 0 ? _xShape : _yShape);
    }

    /// <summary>d(x - y) = (g, -g).</summary>
    private sealed class SubtractEntry(Tensor x, Tensor y) : TapeEntry("Subtract", x, y)
    {
        private readonly int[] _xShape = x.ShapeArray;
        private readonly int[] _yShape = y.ShapeArray;

        internal override Tensor Vjp(int index, Tensor gradOutput)
        {
            if (index == 0)
            {
                return SumTo(gradOutput, _xShape);
            }

            Tensor reduced = SumTo(gradOutput, _yShape);
            Tensor negated = Tensor.Empty(_yShape, reduced.DType);
            if (reduced.DType == DType.Float32)
            {
                TensorPrimitives.Negate(reduced.Span<float>(), negated.Span<float>());
            }
            else
            {
                TensorPrimitives.Negate(reduced.Span<double>(), negated.Span<double>());
            }

            return negated;
        }
    }

    /// <summary>d(x · y) = (g · y, g · x); saves both operands.</summary>
    private sealed class MultiplyEntry(Tensor x, Tensor y) : TapeEntry("Multiply", x, y)
    {
        private Tensor? _x = y.RequiresGrad ? x : null;   // each operand is saved only for the other's VJP
        private Tensor? _y = x.RequiresGrad ? y : null;
        private readonly int[] _xShape = x.ShapeArray;
        private readonly int[] _yShape = y.ShapeArray;

        internal override Tensor Vjp(int index, Tensor gradOutput) => index == 0
            ? ProductSumTo<MultiplyKernel>(gradOutput, _y!, _xShape)
            : ProductSumTo<MultiplyKernel>(gradOutput, _x!, _yShape);

        protected override void ReleaseSaved() => (_x, _y) = (null, null);
    }

    /// <summary>d(x / y) = (g / y, −g · out / y); saves y and the output.</summary>
    private sealed class DivideEntry(Tensor x, Tensor y, Tensor output) : TapeEntry("Divide", x, y)
    {
        private Tensor? _y = y;
        private Tensor? _output = y.RequiresGrad ? output : null;
        private readonly int[] _xShape = x.ShapeArray;
        private readonly int[] _yShape = y.ShapeArray;

        internal override Tensor Vjp(int index, Tensor gradOutput)
        {
            if (index == 0)
            {
                return ProductSumTo<DivideKernel>(gradOutput, _y!, _xShape);
            }

            // −g · out / y, computed at the output's shape before reducing.
            Tensor quotient = Forward<DivideKernel>("Backward", _output!, _y!);
            Tensor product = Forward<MultiplyKernel>("Backward", gradOutput, quotient);
            if (product.DType == DType.Float32)
            {
                TensorPrimitives.Negate(product.Span<float>(), product.Span<float>());
            }
            else
            {
                TensorPrimitives.Negate(product.Span<double>(), product.Span<double>());
            }

            return SumTo(product, _yShape);
        }

        protected override void ReleaseSaved() => (_y, _output) = (null, null);
    }

}
