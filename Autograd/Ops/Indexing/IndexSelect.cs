using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// torch.index_select: the slices of x at the given indices along an axis, in the indices' order (repeats allowed).
/// VJP: an index add (the gradient's slices summed into zeros at the same indices, repeats accumulating). The add and
/// the select are recorded ops of each other, so the VJP is differentiable again to any order.
/// </summary>
internal static class IndexSelect
{
    public static Tensor Forward(Tensor x, int axis, Tensor indices)
    {
        const string Op = "IndexSelect";
        OpChecks.NotNull(x, Op, "x");
        IndexChecks.Int64(Op, indices);
        if (indices.Rank > 1)
        {
            throw new ArgumentException($"{Op}: indices must be 0-D or 1-D, got {ShapeText.Format(indices.ShapeSpan)}.");
        }

        // A scalar is selected from as a vector of one element, and stays a scalar (as PyTorch).
        int[] viewed = x.Rank == 0 ? [1] : x.ShapeArray;
        int resolved = ShapeText.Axis(axis, viewed.Length, Op);
        if (x.Rank == 0 && indices.Count != 1)
        {
            throw new ArgumentException(
                $"{Op}: selecting from a scalar takes exactly one index, got {ShapeText.Format(indices.ShapeSpan)}.");
        }

        int[] selected = IndexChecks.InRange(Op, indices, resolved, viewed[resolved], coordinates: false);
        int[] outputShape = x.ShapeArray;
        if (x.Rank > 0)
        {
            outputShape = (int[])outputShape.Clone();
            outputShape[resolved] = selected.Length;
        }

        var (outer, length, inner) = ShapeText.AroundAxis(viewed, resolved);
        return Select(x, new AxisIndex(selected, outer, length, inner, x.ShapeArray, outputShape));
    }

    /// <summary>The slices of x (of <c>at.SourceShape</c>) at <c>at.Indices</c>, shaped <c>at.SelectedShape</c>.</summary>
    internal static Tensor Select(Tensor x, AxisIndex at)
    {
        Tensor output = Tensor.Empty(at.SelectedShape, x.DType);
        var action = new SelectAction(x, at, output);
        DTypeDispatch.Any(x.DType, ref action);
        // Only a floating-point result can carry a gradient; an Int64 or Bool one never reaches the tape.
        if (DTypeDispatch.IsFloatingPoint(x.DType) && Tape.ShouldRecord("IndexSelect", output, x))
        {
            output.SetGradFn(new IndexEntry("IndexSelect", x, at, backwardSelects: false));
        }

        return output;
    }

    /// <summary>g (of <c>at.SelectedShape</c>) summed into zeros of <c>at.SourceShape</c> at <c>at.Indices</c>: the adjoint of <see cref="Select"/>.</summary>
    internal static Tensor Add(Tensor g, AxisIndex at)
    {
        Tensor output = Tensor.Empty(at.SourceShape, g.DType);
        DTypeDispatch.Float(g.DType, new AddAction(g, at, output));
        if (Tape.ShouldRecord("IndexSelectBackward", output, g))
        {
            output.SetGradFn(new IndexEntry("IndexSelectBackward", g, at, backwardSelects: true));
        }

        return output;
    }

    /// <summary>
    /// Validated indices along one axis of a tensor viewed as [Outer, Length, Inner], and the two shapes involved:
    /// the source's and the selection's (the axis of size <c>Indices.Length</c>).
    /// </summary>
    internal sealed record AxisIndex(int[] Indices, int Outer, int Length, int Inner, int[] SourceShape, int[] SelectedShape);

    private readonly struct SelectAction(Tensor x, AxisIndex at, Tensor output) : IAnyAction
    {
        public void Invoke<T>()
            where T : unmanaged =>
            IndexKernels.IndexSelect(x.Data<T>(), at.Outer, at.Length, at.Inner, at.Indices, output.Data<T>());
    }

    private readonly struct AddAction(Tensor g, AxisIndex at, Tensor output) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] destination = output.Data<T>();
            Array.Clear(destination);
            IndexKernels.IndexAdd(g.Data<T>(), at.Outer, at.Length, at.Inner, at.Indices, destination);
        }
    }

    /// <summary>
    /// The entry of the select (its VJP is an add at the same indices) or of the add (its VJP is a select); the same
    /// code on both paths, recorded exactly when the backward pass creates a graph.
    /// </summary>
    private sealed class IndexEntry(string name, Tensor x, AxisIndex at, bool backwardSelects) : TapeEntry(name, x)
    {
        private AxisIndex? _at = at;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = backwardSelects ? Select(gradOutput, _at!) : Add(gradOutput, _at!);

        protected override void ReleaseSaved() => _at = null;
    }
}
