using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// +, -, *, / with NumPy broadcasting. The VJP of an operand that was broadcast sums the output
/// gradient over the broadcast axes (<see cref="BroadcastTo.SumTo"/>).
/// </summary>
internal static class Arithmetic
{
    public static Tensor Add(Tensor x, Tensor y)
    {
        Tensor output = Forward<AddKernel>("Add", x, y);
        if (Tape.ShouldRecord("Add", output, x, y))
        {
            output.SetGradFn(new AddEntry(x, y));
        }

        return output;
    }

    public static Tensor Subtract(Tensor x, Tensor y)
    {
        Tensor output = Forward<SubtractKernel>("Subtract", x, y);
        if (Tape.ShouldRecord("Subtract", output, x, y))
        {
            output.SetGradFn(new SubtractEntry(x, y));
        }

        return output;
    }

    public static Tensor Multiply(Tensor x, Tensor y)
    {
        Tensor output = Forward<MultiplyKernel>("Multiply", x, y);
        if (Tape.ShouldRecord("Multiply", output, x, y))
        {
            output.SetGradFn(new MultiplyEntry(x, y));
        }

        return output;
    }

    public static Tensor Divide(Tensor x, Tensor y)
    {
        Tensor output = Forward<DivideKernel>("Divide", x, y);
        if (Tape.ShouldRecord("Divide", output, x, y))
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
        OpChecks.FloatingPoint(op, x);
        int[] shape = OutputShape(x, y, op);
        Tensor output = Tensor.Empty(shape, x.DType);
        DTypeDispatch.Float(x.DType, new BroadcastKernel<TKernel>(x, y, output));
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
    internal static bool BroadcastsInto(ReadOnlySpan<int> operand, ReadOnlySpan<int> shape)
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

    /// <summary>f(gradient, saved) broadcast to the gradient's shape, then summed down to <paramref name="shape"/>.</summary>
    private static Tensor ProductSumTo<TKernel>(Tensor gradient, Tensor saved, int[] shape)
        where TKernel : IBinaryKernel => BroadcastTo.SumTo(Forward<TKernel>("Backward", gradient, saved), shape);

    private readonly struct BroadcastKernel<TKernel>(Tensor x, Tensor y, Tensor output) : IFloatAction
        where TKernel : IBinaryKernel
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Broadcast.Apply<TKernel, T>(x.Span<T>(), x.ShapeSpan, y.Span<T>(), y.ShapeSpan, output.Span<T>(), output.ShapeSpan);
    }

    private readonly struct NegateKernel(Tensor x, Tensor destination) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(x.Span<T>(), destination.Span<T>());
    }

    /// <summary>d(x + y) = (g, g), each summed down to its operand's shape.</summary>
    private sealed class AddEntry(Tensor x, Tensor y) : TapeEntry("Add", x, y)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            // The same code on both paths: SumTo is recorded exactly when the pass creates a graph.
            inputGrads[0] = context.NeedsInputGrad(0) ? BroadcastTo.SumTo(gradOutput, InputShape(0)) : null;
            inputGrads[1] = context.NeedsInputGrad(1) ? BroadcastTo.SumTo(gradOutput, InputShape(1)) : null;
        }
    }

    /// <summary>d(x - y) = (g, -g).</summary>
    private sealed class SubtractEntry(Tensor x, Tensor y) : TapeEntry("Subtract", x, y)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            if (context.CreateGraph)
            {
                inputGrads[0] = context.NeedsInputGrad(0) ? BroadcastTo.SumTo(gradOutput, InputShape(0)) : null;
                inputGrads[1] = context.NeedsInputGrad(1) ? -BroadcastTo.SumTo(gradOutput, InputShape(1)) : null;
                return;
            }

            if (context.NeedsInputGrad(0))
            {
                inputGrads[0] = BroadcastTo.SumTo(gradOutput, InputShape(0));
            }

            if (context.NeedsInputGrad(1))
            {
                Tensor reduced = BroadcastTo.SumTo(gradOutput, InputShape(1));
                bool reusable = !ReferenceEquals(reduced, gradOutput) || context.CanOverwriteGradOutput;
                Tensor negated = reusable ? reduced : Tensor.Empty(InputShape(1), reduced.DType);
                DTypeDispatch.Float(reduced.DType, new NegateKernel(reduced, negated));
                inputGrads[1] = negated;
            }
        }
    }

    /// <summary>d(x · y) = (g · y, g · x); each operand is saved only for the other's VJP.</summary>
    private sealed class MultiplyEntry : TapeEntry
    {
        private readonly int _xSlot = -1, _ySlot = -1;

        public MultiplyEntry(Tensor x, Tensor y)
            : base("Multiply", x, y)
        {
            int slots = 0;
            if (y.RequiresGrad)
            {
                Save(x);
                _xSlot = slots++;
            }

            if (x.RequiresGrad)
            {
                Save(y);
                _ySlot = slots;
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            if (context.NeedsInputGrad(0))
            {
                Tensor y = Saved(_ySlot);
                inputGrads[0] = context.CreateGraph
                    ? BroadcastTo.SumTo(gradOutput * y, InputShape(0))
                    : ProductSumTo<MultiplyKernel>(gradOutput, y, InputShape(0));
            }

            if (context.NeedsInputGrad(1))
            {
                Tensor x = Saved(_xSlot);
                inputGrads[1] = context.CreateGraph
                    ? BroadcastTo.SumTo(gradOutput * x, InputShape(1))
                    : ProductSumTo<MultiplyKernel>(gradOutput, x, InputShape(1));
            }
        }
    }

    /// <summary>d(x / y) = (g / y, −g · out / y); saves y, and the output when y needs a gradient.</summary>
    private sealed class DivideEntry : TapeEntry
    {
        public DivideEntry(Tensor x, Tensor y, Tensor output)
            : base("Divide", x, y)
        {
            Save(y);
            if (y.RequiresGrad)
            {
                Save(output);
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor y = Saved(0);
            if (context.CreateGraph)
            {
                inputGrads[0] = context.NeedsInputGrad(0) ? BroadcastTo.SumTo(gradOutput / y, InputShape(0)) : null;
                inputGrads[1] = context.NeedsInputGrad(1) ? BroadcastTo.SumTo(-(gradOutput * (Saved(1) / y)), InputShape(1)) : null;
                return;
            }

            if (context.NeedsInputGrad(0))
            {
                inputGrads[0] = ProductSumTo<DivideKernel>(gradOutput, y, InputShape(0));
            }

            if (context.NeedsInputGrad(1))
            {
                // −g · out / y, computed at the output's shape before reducing.
                Tensor quotient = Forward<DivideKernel>("Backward", Saved(1), y);
                Tensor product = Forward<MultiplyKernel>("Backward", gradOutput, quotient);
                DTypeDispatch.Float(product.DType, new NegateKernel(product, product));
                inputGrads[1] = BroadcastTo.SumTo(product, InputShape(1));
            }
        }
    }
}
