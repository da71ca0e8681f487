using System.Numerics;

namespace Autograd.Ops;

/// <summary>
/// PyTorch's F.max_pool2d (padding with −∞, floor mode): the maximum of each window and the position of its first
/// maximum in scanning order (a NaN wins, the last one if several, exactly as PyTorch's loop). VJP: g scattered to those positions (summed
/// where windows overlap and share a maximum). The scatter and its adjoint, a gather at the same positions, are
/// recorded ops of each other, as for Max(axis), so the VJP is differentiable again.
/// </summary>
internal static class MaxPool2d
{
    public static Tensor Forward(Tensor input, int kernelSize, int? stride, int padding)
    {
        PoolGeometry geometry = PoolGeometry.Create("MaxPool2d", input, kernelSize, stride, padding);
        Tensor output = Tensor.Empty(geometry.OutputShape, input.DType);
        int[] indices = new int[output.Count];
        DTypeDispatch.Float(input.DType, new MaxAction(geometry, input, output, indices));
        if (Tape.ShouldRecord("MaxPool2d", output, input))
        {
            output.SetGradFn(new PoolIndexEntry("MaxPool2d", input, new PoolIndices(geometry, indices), backwardGathers: false));
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
            result.SetGradFn(new PoolIndexEntry("MaxPool2dGather", x, at, backwardGathers: false));
        }

        return result;
    }

    /// <summary>Where each window's maximum is: its offset h·W + w within its plane.</summary>
    internal sealed record PoolIndices(PoolGeometry Geometry, int[] Offsets);

    private readonly struct MaxAction(PoolGeometry g, Tensor input, Tensor output, int[] indices) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> x = input.Span<T>();
            Span<T> y = output.Span<T>();
            int plane = g.H * g.W, outputs = g.OH * g.OW;
            for (int p = 0; p < g.Planes; p++)
            {
                ReadOnlySpan<T> source = x.Slice(p * plane, plane);
                for (int oh = 0; oh < g.OH; oh++)
                {
                    var (h0, h1) = g.Window(oh, g.H);
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        var (w0, w1) = g.Window(ow, g.W);
                        int best = (h0 * g.W) + w0;
                        T max = T.NegativeInfinity;
                        for (int h = h0; h < h1; h++)
                        {
                            for (int w = w0; w < w1; w++)
                            {
                                T value = source[(h * g.W) + w];
                                if (value > max || T.IsNaN(value))
                                {
                                    (max, best) = (value, (h * g.W) + w);
                                }
                            }
                        }

                        int at = (p * outputs) + (oh * g.OW) + ow;
                        y[at] = max;
                        indices[at] = best;
                    }
                }
            }
        }
    }

    private readonly struct ScatterAction(PoolIndices at, Tensor gradOutput, Tensor result) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            PoolGeometry g = at.Geometry;
            ReadOnlySpan<T> source = gradOutput.Span<T>();
            Span<T> destination = result.Span<T>();
            destination.Clear();
            int plane = g.H * g.W, outputs = g.OH * g.OW;
            for (int p = 0; p < g.Planes; p++)
            {
                for (int o = 0; o < outputs; o++)
                {
                    destination[(p * plane) + at.Offsets[(p * outputs) + o]] += source[(p * outputs) + o];
                }
            }
        }
    }

    private readonly struct GatherAction(PoolIndices at, Tensor x, Tensor result) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            PoolGeometry g = at.Geometry;
            ReadOnlySpan<T> source = x.Span<T>();
            Span<T> destination = result.Span<T>();
            int plane = g.H * g.W, outputs = g.OH * g.OW;
            for (int p = 0; p < g.Planes; p++)
            {
                for (int o = 0; o < outputs; o++)
                {
                    destination[(p * outputs) + o] = source[(p * plane) + at.Offsets[(p * outputs) + o]];
                }
            }
        }
    }

    /// <summary>
    /// The entry of MaxPool2d and of the gather (both pick values at the arg-max positions: their VJP is a scatter),
    /// or of the scatter (its VJP is a gather).
    /// </summary>
    private sealed class PoolIndexEntry(string name, Tensor x, PoolIndices at, bool backwardGathers) : TapeEntry(name, x)
    {
        private PoolIndices? _at = at;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = backwardGathers ? Gather(gradOutput, _at!) : Scatter(gradOutput, _at!);

        protected override void ReleaseSaved() => _at = null;
    }
}
