using System.Numerics;

namespace Autograd.Ops;

/// <summary>
/// PyTorch's F.avg_pool2d with its defaults (count_include_pad = True, ceil_mode = False): the sum of each window's
/// input values divided by k², padding counted as zeros. Linear, so its VJP is its adjoint, AvgPool2dBackward
/// (g/k² spread over each window), a recorded op whose own VJP is AvgPool2d: gradients of any order.
/// </summary>
internal static class AvgPool2d
{
    public static Tensor Forward(Tensor input, int kernelSize, int? stride, int padding) =>
        Apply(PoolGeometry.Create("AvgPool2d", input, kernelSize, stride, padding), input);

    internal static Tensor Apply(PoolGeometry geometry, Tensor input)
    {
        Tensor output = Tensor.Empty(geometry.OutputShape, input.DType);
        DTypeDispatch.Float(input.DType, new PoolAction(geometry, input, output));
        if (Tape.ShouldRecord("AvgPool2d", output, input))
        {
            output.SetGradFn(new AvgPoolEntry("AvgPool2d", input, geometry, backward: false));
        }

        return output;
    }

    /// <summary>The adjoint: each output gradient divided by k² and added over its window of a zero input-shaped tensor.</summary>
    internal static Tensor Backward(PoolGeometry geometry, Tensor gradOutput)
    {
        Tensor result = Tensor.Empty(geometry.InputShape, gradOutput.DType);
        DTypeDispatch.Float(gradOutput.DType, new SpreadAction(geometry, gradOutput, result));
        if (Tape.ShouldRecord("AvgPool2dBackward", result, gradOutput))
        {
            result.SetGradFn(new AvgPoolEntry("AvgPool2dBackward", gradOutput, geometry, backward: true));
        }

        return result;
    }

    private readonly struct PoolAction(PoolGeometry g, Tensor input, Tensor output) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> x = input.Span<T>();
            Span<T> y = output.Span<T>();
            T divisor = T.CreateChecked(g.Kernel * g.Kernel);
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
                        T sum = T.Zero;
                        for (int h = h0; h < h1; h++)
                        {
                            for (int w = w0; w < w1; w++)
                            {
                                sum += source[(h * g.W) + w];
                            }
                        }

                        y[(p * outputs) + (oh * g.OW) + ow] = sum / divisor;
                    }
                }
            }
        }
    }

    private readonly struct SpreadAction(PoolGeometry g, Tensor gradOutput, Tensor result) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> gy = gradOutput.Span<T>();
            Span<T> dx = result.Span<T>();
            dx.Clear();
            T divisor = T.CreateChecked(g.Kernel * g.Kernel);
            int plane = g.H * g.W, outputs = g.OH * g.OW;
            for (int p = 0; p < g.Planes; p++)
            {
                Span<T> destination = dx.Slice(p * plane, plane);
                for (int oh = 0; oh < g.OH; oh++)
                {
                    var (h0, h1) = g.Window(oh, g.H);
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        var (w0, w1) = g.Window(ow, g.W);
                        T share = gy[(p * outputs) + (oh * g.OW) + ow] / divisor;
                        for (int h = h0; h < h1; h++)
                        {
                            for (int w = w0; w < w1; w++)
                            {
                                destination[(h * g.W) + w] += share;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>AvgPool2d's entry (VJP: the spread) or the spread's (VJP: AvgPool2d); both linear, nothing saved.</summary>
    private sealed class AvgPoolEntry(string name, Tensor x, PoolGeometry geometry, bool backward) : TapeEntry(name, x)
    {
        private PoolGeometry? _geometry = geometry;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads) =>
            inputGrads[0] = backward ? Apply(_geometry!, gradOutput) : AvgPool2d.Backward(_geometry!, gradOutput);

        protected override void ReleaseSaved() => _geometry = null;
    }
}
