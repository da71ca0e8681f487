using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// PyTorch's F.max_pool2d (padding with −∞, floor mode): the maximum of each window and the offset of its first
/// maximum in scanning order (a NaN wins, the last one if several, exactly as PyTorch's loop). VJP: g scattered to
/// those offsets (summed where overlapping windows share a maximum). The scatter and its adjoint, a gather at the
/// same offsets, are recorded ops of each other, as for Max(axis), so the VJP is differentiable again.
/// </summary>
internal static class MaxPool2d
{
    public static Tensor Forward(Tensor input, int kernelSize, int? stride, int padding)
    {
        PoolGeometry geometry = PoolChecks.Geometry("MaxPool2d", input, kernelSize, stride, padding);
        Tensor output = Tensor.Empty(geometry.OutputShape, input.DType);
        int[] indices = BufferPool.RentScratch<int>(output.Count);   // the entry gives it back when released
        DTypeDispatch.Float(input.DType, new MaxAction(geometry, input, output, indices));
        if (Tape.ShouldRecord("MaxPool2d", output, input))
        {
            output.SetGradFn(new PoolIndexEntry("MaxPool2d", input, new PoolIndices(geometry, indices), backwardGathers: false));
        }
        else
        {
            BufferPool.Return(indices);
        }

        return output;
    }

    /// <summary>g (one value per window) added at each window's arg-max of a zero tensor of the input's shape.</summary>
    internal static Tensor Scatter(Tensor gradOutput, PoolIndices at)
    {
        Tensor result = Tensor.Empty(at.Geometry.InputShape, gradOutput.DType);
        DTypeDispatch.Float(gradOutput.DType, new ScatterAction(at, gradOutput, result));
        if (Tape.ShouldRecord("MaxPool2dBackward", result, gradOutput))
        {
            at.Shared = true;
            result.SetGradFn(new PoolIndexEntry("MaxPool2dBackward", gradOutput, at, backwardGathers: true));
        }

        return result;
    }

    /// <summary>The values of x (input-shaped) at each window's arg-max: the adjoint of <see cref="Scatter"/>.</summary>
    internal static Tensor Gather(Tensor x, PoolIndices at)
    {
        Tensor result = Tensor.Empty(at.Geometry.OutputShape, x.DType);
        DTypeDispatch.Float(x.DType, new GatherAction(at, x, result));
        if (Tape.ShouldRecord("MaxPool2dGather", result, x))
        {
            at.Shared = true;
            result.SetGradFn(new PoolIndexEntry("MaxPool2dGather", x, at, backwardGathers: false));
        }

        return result;
    }

    /// <summary>Where each window's maximum is: its offset h·W + w within its plane.</summary>
    internal sealed record PoolIndices(PoolGeometry Geometry, int[] Offsets)
    {
        /// <summary>Set once a second-order entry (createGraph) keeps the offsets too: they then stay with the GC.</summary>
        public bool Shared { get; set; }
    }

    private readonly struct MaxAction(PoolGeometry geometry, Tensor input, Tensor output, int[] indices) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            PoolingKernels.MaxForward(geometry, input.Data<T>(), output.Data<T>(), indices);
    }

    private readonly struct ScatterAction(PoolIndices at, Tensor gradOutput, Tensor result) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            PoolingKernels.MaxScatter(at.Geometry, at.Offsets, gradOutput.Data<T>(), result.Data<T>());
    }

    private readonly struct GatherAction(PoolIndices at, Tensor x, Tensor result) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            PoolingKernels.MaxGather(at.Geometry, at.Offsets, x.Data<T>(), result.Data<T>());
    }

    /// <summary>
    /// The entry of MaxPool2d and of the gather (both pick values at the arg-max offsets: their VJP is a scatter), or
    /// of the scatter (its VJP is a gather).
    /// </summary>
    private sealed class PoolIndexEntry(string name, Tensor x, PoolIndices at, bool backwardGathers) : TapeEntry(name, x)
    {
        private PoolIndices? _at = at;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = backwardGathers ? Gather(gradOutput, _at!) : Scatter(gradOutput, _at!);

        protected override void ReleaseSaved()
        {
            if (Name == "MaxPool2d" && _at is { Shared: false } at)
            {
                BufferPool.Return(at.Offsets);   // the forward's own offsets, which only this entry held
            }

            _at = null;
        }
    }
}
