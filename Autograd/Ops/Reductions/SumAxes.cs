using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Σ (and the mean) over several axes at once, as torch.sum(x, dim=[...]). One axis goes to <see cref="Sum.Axis"/> and
/// every axis to <see cref="Sum.All"/> (the paths training uses, unchanged); other sets of axes sum the input down to
/// its shape with those axes kept as 1 (the broadcast-sum kernel). VJP: the gradient viewed with the axes kept, then
/// repeated over them (ExpandTo, a recorded op whose VJP is SumTo).
/// </summary>
internal static class SumAxes
{
    public static Tensor Sum(Tensor x, int[] axes, bool keepDim) => Reduce(x, axes, keepDim, "Sum", out _);

    /// <summary>The sum times 1/n, n the number of elements summed into each output (0 gives NaN, as PyTorch).</summary>
    public static Tensor Mean(Tensor x, int[] axes, bool keepDim)
    {
        Tensor sum = Reduce(x, axes, keepDim, "Mean", out long count);
        return Unary.Apply(sum, new MultiplyScalarOp(1.0 / count));
    }

    private static Tensor Reduce(Tensor x, int[] axes, bool keepDim, string op, out long count)
    {
        OpChecks.NotNull(x, op, "x");
        ArgumentNullException.ThrowIfNull(axes);
        OpChecks.FloatingPoint(op, x);
        bool[] reduced = Resolve(x, axes, op);
        int[] kept = x.ShapeArray.ToArray();
        int reducedCount = 0;
        count = 1;   // long: the product of the reduced sizes of a zero-size tensor may exceed int
        for (int i = 0; i < kept.Length; i++)
        {
            if (reduced[i])
            {
                count *= kept[i];
                kept[i] = 1;
                reducedCount++;
            }
        }

        if (axes.Length == 1)
        {
            return Ops.Sum.Axis(x, axes[0], keepDim);
        }

        if (reducedCount == x.Rank)
        {
            Tensor all = Ops.Sum.All(x);
            return keepDim && x.Rank > 0 ? Reshape.Forward(all, kept) : all;
        }

        int[] shape = keepDim ? kept : x.ShapeArray.Where((_, i) => !reduced[i]).ToArray();
        Tensor output = Tensor.Empty(shape, x.DType);
        DTypeDispatch.Float(x.DType, new SumToAction(x, output, kept));
        if (Tape.ShouldRecord("Sum", output, x))
        {
            output.SetGradFn(new SumAxesEntry(x, kept));
        }

        return output;
    }

    /// <summary>
    /// Which axes are reduced. An empty array reduces every axis (as torch.sum(x, dim=[]) in PyTorch 1.13); an axis out
    /// of range or named twice (also as −1 and rank − 1) throws, naming it and the rank.
    /// </summary>
    private static bool[] Resolve(Tensor x, int[] axes, string op)
    {
        bool[] reduced = new bool[x.Rank];
        if (axes.Length == 0)
        {
            Array.Fill(reduced, true);
            return reduced;
        }

        foreach (int axis in axes)
        {
            int resolved = ShapeText.Axis(axis, x.Rank, op);
            if (reduced[resolved])
            {
                throw new ArgumentException(
                    $"{op}: axis {resolved} appears more than once in axes [{string.Join(",", axes)}] "
                    + $"(tensor {ShapeText.Format(x.ShapeSpan)} of rank {x.Rank}).", nameof(axes));
            }

            reduced[resolved] = true;
        }

        return reduced;
    }

    private readonly struct SumToAction(Tensor x, Tensor destination, int[] kept) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Broadcast.SumTo(x.Span<T>(), x.ShapeSpan, destination.Span<T>(), kept);
    }

    /// <summary>
    /// dx = g repeated over the summed axes: g viewed with them kept (size 1), then ExpandTo the input's shape. The
    /// same code serves both paths: it records exactly when the pass creates a graph.
    /// </summary>
    private sealed class SumAxesEntry(Tensor x, int[] kept) : TapeEntry("Sum", x)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = BroadcastTo.ExpandTo(Reshape.Forward(gradOutput, kept), InputShape(0));
    }
}
