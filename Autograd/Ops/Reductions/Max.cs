using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// The maximum (or minimum) along an axis. VJP: the gradient goes to the (first) arg-max, zero elsewhere (a scatter);
/// the scatter and its adjoint, a gather at the same indices, are recorded ops of each other, so the VJP is
/// differentiable again. Min is the same op with the order reversed.
/// </summary>
internal static class Max
{
    public static Tensor Axis(Tensor x, int axis, bool keepDim) => Axis(x, axis, keepDim, minimum: false);

    /// <summary>The maximum along <paramref name="axis"/>, or the minimum when <paramref name="minimum"/>.</summary>
    public static Tensor Axis(Tensor x, int axis, bool keepDim, bool minimum)
    {
        string op = minimum ? "Min" : "Max";
        OpChecks.NotNull(x, op, "x");
        OpChecks.FloatingPoint(op, x);
        int resolved = ShapeText.Axis(axis, x.Rank, op);
        var (outer, length, inner) = ShapeText.AroundAxis(x.ShapeSpan, resolved);
        if (length == 0)
        {
            throw new ArgumentException(
                $"{op}: axis {axis} of {ShapeText.Format(x.ShapeSpan)} is empty; a {(minimum ? "minimum" : "maximum")} needs one element.");
        }

        Tensor output = Tensor.Empty(ShapeText.Reduced(x.ShapeSpan, resolved, keepDim), x.DType);
        int[] indices = new int[outer * inner];
        DTypeDispatch.Float(x.DType, new MaxAction(x, outer, length, inner, output, indices, minimum));
        if (Tape.ShouldRecord(op, output, x))
        {
            output.SetGradFn(new ArgMaxEntry(op, x, new ArgIndices(indices, outer, length, inner, minimum), backwardGathers: false));
        }

        return output;
    }

    /// <summary>g (one value per arg-max) written to the arg-max positions of a zero tensor of <paramref name="shape"/>.</summary>
    internal static Tensor Scatter(Tensor g, ArgIndices at, int[] shape)
    {
        Tensor output = Tensor.Empty(shape, g.DType);
        DTypeDispatch.Float(g.DType, new ScatterAction(g, at, output));
        string op = at.Minimum ? "MinBackward" : "MaxBackward";
        if (Tape.ShouldRecord(op, output, g))
        {
            output.SetGradFn(new ArgMaxEntry(op, g, at, backwardGathers: true));
        }

        return output;
    }

    /// <summary>The values of x at the arg-max positions, shaped like <paramref name="shape"/> (the adjoint of <see cref="Scatter"/>).</summary>
    internal static Tensor Gather(Tensor x, ArgIndices at, int[] shape)
    {
        Tensor output = Tensor.Empty(shape, x.DType);
        DTypeDispatch.Float(x.DType, new GatherAction(x, at, output));
        string op = at.Minimum ? "MinGather" : "MaxGather";
        if (Tape.ShouldRecord(op, output, x))
        {
            output.SetGradFn(new ArgMaxEntry(op, x, at, backwardGathers: false));
        }

        return output;
    }

    /// <summary>Where the maxima (minima) are: index along the axis for each (outer, inner) position.</summary>
    internal sealed record ArgIndices(int[] Indices, int Outer, int Length, int Inner, bool Minimum = false);

    private readonly struct MaxAction(Tensor x, int outer, int length, int inner, Tensor output, int[] indices, bool minimum) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (minimum)
            {
                ReductionKernels.ArgExtremum<T, Least>(x.Span<T>(), outer, length, inner, output.Span<T>(), indices);
            }
            else
            {
                ReductionKernels.ArgExtremum<T, Greatest>(x.Span<T>(), outer, length, inner, output.Span<T>(), indices);
            }
        }
    }

    private readonly struct ScatterAction(Tensor g, ArgIndices at, Tensor output) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            AxisKernels.MaxBackward<T>(g.Span<T>(), at.Indices, at.Outer, at.Length, at.Inner, output.Span<T>());
    }

    private readonly struct GatherAction(Tensor x, ArgIndices at, Tensor output) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> source = x.Span<T>();
            Span<T> destination = output.Span<T>();
            for (int o = 0; o < at.Outer; o++)
            {
                for (int i = 0; i < at.Inner; i++)
                {
                    int position = (o * at.Inner) + i;
                    destination[position] = source[(((o * at.Length) + at.Indices[position]) * at.Inner) + i];
                }
            }
        }
    }

    /// <summary>
    /// The entry of Max and of the gather (both pick values at the arg-max positions: their VJP is a scatter), or of
    /// the scatter (its VJP is a gather).
    /// </summary>
    private sealed class ArgMaxEntry(string name, Tensor x, ArgIndices at, bool backwardGathers) : TapeEntry(name, x)
    {
        private ArgIndices? _at = at;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = backwardGathers ? Gather(gradOutput, _at!, InputShape(0)) : Scatter(gradOutput, _at!, InputShape(0));

        protected override void ReleaseSaved() => _at = null;
    }
}
