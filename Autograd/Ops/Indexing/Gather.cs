using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// torch.gather: <c>out[..., j, ...] = x[..., indices[..., j, ...], ...]</c> along an axis, the output shaped like the
/// indices (which may be smaller than x in the other dimensions). VJP: a scatter-add of the gradient into zeros at
/// the same indices (repeats accumulate). The scatter-add and the gather are recorded ops of each other, so the VJP
/// is differentiable again to any order.
/// </summary>
internal static class Gather
{
    public static Tensor Forward(Tensor x, int axis, Tensor indices)
    {
        const string Op = "Gather";
        OpChecks.NotNull(x, Op, "x");
        IndexChecks.Int64(Op, indices);
        if (indices.Rank != x.Rank)
        {
            throw new ArgumentException(
                $"{Op}: indices {ShapeText.Format(indices.ShapeSpan)} and input {ShapeText.Format(x.ShapeSpan)} must have "
                + $"the same number of dimensions ({indices.Rank} and {x.Rank}).");
        }

        // Scalars are gathered from as vectors of one element (as PyTorch).
        int[] source = x.Rank == 0 ? [1] : x.ShapeArray;
        int[] index = indices.Rank == 0 ? [1] : indices.ShapeArray;
        int resolved = ShapeText.Axis(axis, source.Length, Op);
        for (int d = 0; d < source.Length; d++)
        {
            if (d != resolved && index[d] > source[d])
            {
                throw new ArgumentException(
                    $"{Op}: indices {ShapeText.Format(indices.ShapeSpan)} are larger than input {ShapeText.Format(x.ShapeSpan)} "
                    + $"in dimension {d} ({index[d]} > {source[d]}); only the gather axis {resolved} may be larger.");
            }
        }

        int[] gathered = IndexChecks.InRange(Op, indices, resolved, source[resolved], coordinates: true);
        var at = new GatherIndex(gathered, new GatherLayout(source, index, resolved), x.ShapeArray, indices.ShapeArray);
        return Take(x, at);
    }

    /// <summary>The elements of x (of <c>at.SourceShape</c>) at <c>at.Indices</c>, shaped <c>at.IndexShape</c>.</summary>
    internal static Tensor Take(Tensor x, GatherIndex at)
    {
        Tensor output = Tensor.Empty(at.IndexShape, x.DType);
        var action = new GatherAction(x, at, output);
        DTypeDispatch.Any(x.DType, ref action);
        // Only a floating-point result can carry a gradient; an Int64 or Bool one never reaches the tape.
        if (DTypeDispatch.IsFloatingPoint(x.DType) && Tape.ShouldRecord("Gather", output, x))
        {
            output.SetGradFn(new GatherEntry("Gather", x, at, backwardGathers: false));
        }

        return output;
    }

    /// <summary>g (of <c>at.IndexShape</c>) summed into zeros of <c>at.SourceShape</c> at <c>at.Indices</c>: the adjoint of <see cref="Take"/>.</summary>
    internal static Tensor ScatterAdd(Tensor g, GatherIndex at)
    {
        Tensor output = Tensor.Empty(at.SourceShape, g.DType);
        DTypeDispatch.Float(g.DType, new ScatterAddAction(g, at, output));
        if (Tape.ShouldRecord("GatherBackward", output, g))
        {
            output.SetGradFn(new GatherEntry("GatherBackward", g, at, backwardGathers: true));
        }

        return output;
    }

    /// <summary>Validated indices (flat, in the index tensor's order), where they read, and the two shapes.</summary>
    internal sealed record GatherIndex(int[] Indices, GatherLayout Layout, int[] SourceShape, int[] IndexShape);

    private readonly struct GatherAction(Tensor x, GatherIndex at, Tensor output) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged =>
            IndexKernels.Gather(x.Data<T>(), at.Layout, at.Indices, output.Data<T>());
    }

    private readonly struct ScatterAddAction(Tensor g, GatherIndex at, Tensor output) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] destination = output.Data<T>();
            Array.Clear(destination);
            IndexKernels.ScatterAdd(g.Data<T>(), at.Layout, at.Indices, destination);
        }
    }

    /// <summary>
    /// The entry of the gather (its VJP is a scatter-add at the same indices) or of the scatter-add (its VJP is a
    /// gather); the same code on both paths, recorded exactly when the backward pass creates a graph.
    /// </summary>
    private sealed class GatherEntry(string name, Tensor x, GatherIndex at, bool backwardGathers) : TapeEntry(name, x)
    {
        private GatherIndex? _at = at;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = backwardGathers ? Take(gradOutput, _at!) : ScatterAdd(gradOutput, _at!);

        protected override void ReleaseSaved() => _at = null;
    }
}
