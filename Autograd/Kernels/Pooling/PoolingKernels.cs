using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// Max and average pooling and their adjoints, plane by plane (a plane is one channel of one item). Planes are
/// independent and each is computed by the same loop whoever runs it, so groups of planes run in parallel on the GEMM
/// pool with bit-identical results. Windows are clipped to the input: max pooling's padding is −∞ (never chosen),
/// average pooling's is 0 (counted in the k² divisor).
/// </summary>
internal static class PoolingKernels
{
    /// <summary>Below this many window elements (outputs · k²) waking a second thread costs more than it saves.</summary>
    private const long ParallelWork = 1 << 16;

    /// <summary>y = the maximum of each window; <paramref name="indices"/> = its offset h·W + w in the plane.</summary>
    public static void MaxForward<T>(PoolGeometry g, T[] x, T[] y, int[] indices)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(g, (first, end) =>
        {
            int plane = g.H * g.W, outputs = g.OH * g.OW;
            for (int p = first; p < end; p++)
            {
                MaxPlane<T>(g, x.AsSpan(p * plane, plane), y.AsSpan(p * outputs, outputs), indices.AsSpan(p * outputs, outputs));
            }
        });

    /// <summary>dx = 0, then each window's gradient added at its recorded offset (in window order, per plane).</summary>
    public static void MaxScatter<T>(PoolGeometry g, int[] indices, T[] gy, T[] dx)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(g, (first, end) =>
        {
            int plane = g.H * g.W, outputs = g.OH * g.OW;
            for (int p = first; p < end; p++)
            {
                Span<T> destination = dx.AsSpan(p * plane, plane);
                ReadOnlySpan<T> source = gy.AsSpan(p * outputs, outputs);
                ReadOnlySpan<int> at = indices.AsSpan(p * outputs, outputs);
                destination.Clear();
                for (int o = 0; o < source.Length; o++)
                {
                    destination[at[o]] += source[o];
                }
            }
        });

    /// <summary>y = x at each window's recorded offset: the adjoint of <see cref="MaxScatter"/>.</summary>
    public static void MaxGather<T>(PoolGeometry g, int[] indices, T[] x, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(g, (first, end) =>
        {
            int plane = g.H * g.W, outputs = g.OH * g.OW;
            for (int p = first; p < end; p++)
            {
                ReadOnlySpan<T> source = x.AsSpan(p * plane, plane);
                Span<T> destination = y.AsSpan(p * outputs, outputs);
                ReadOnlySpan<int> at = indices.AsSpan(p * outputs, outputs);
                for (int o = 0; o < destination.Length; o++)
                {
                    destination[o] = source[at[o]];
                }
            }
        });

    /// <summary>y = the sum of each window / k².</summary>
    public static void AvgForward<T>(PoolGeometry g, T[] x, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(g, (first, end) =>
        {
            int plane = g.H * g.W, outputs = g.OH * g.OW;
            for (int p = first; p < end; p++)
            {
                AvgPlane<T>(g, x.AsSpan(p * plane, plane), y.AsSpan(p * outputs, outputs));
            }
        });

    /// <summary>dx = 0, then each window's gradient / k² added over the window: the adjoint of <see cref="AvgForward"/>.</summary>
    public static void AvgSpread<T>(PoolGeometry g, T[] gy, T[] dx)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(g, (first, end) =>
        {
            int plane = g.H * g.W, outputs = g.OH * g.OW;
            for (int p = first; p < end; p++)
            {
                SpreadPlane<T>(g, gy.AsSpan(p * outputs, outputs), dx.AsSpan(p * plane, plane));
            }
        });

    /// <summary>
    /// Two passes per window: the maximum (T.Max, NaN-propagating), then the first offset holding it, found without a
    /// branch (a mask), and the value read back from there. PyTorch's one-pass loop (<c>if (v &gt; max || isnan(v))</c>)
    /// gives the same offset, but its branch is unpredictable on real data: on W5's [64,32,28,28] 2×2 pooling it took
    /// 8.4 ms against 4.5 ms. With a NaN in the window the offset is the last NaN's, as PyTorch's loop leaves it; reading
    /// the value back keeps the sign of a zero maximum as PyTorch does (T.Max prefers +0).
    /// </summary>
    private static void MaxPlane<T>(PoolGeometry g, ReadOnlySpan<T> x, Span<T> y, Span<int> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int height = g.H, width = g.W, kernel = g.Kernel, stride = g.Stride, padding = g.Padding, columns = g.OW;
        for (int oh = 0, o = 0; oh < g.OH; oh++)
        {
            int h0 = (oh * stride) - padding, h1 = Math.Min(h0 + kernel, height);
            h0 = Math.Max(h0, 0);
            for (int ow = 0; ow < columns; ow++, o++)
            {
                int w0 = (ow * stride) - padding, w1 = Math.Min(w0 + kernel, width);
                w0 = Math.Max(w0, 0);
                T max = T.NegativeInfinity;
                for (int h = h0; h < h1; h++)
                {
                    ReadOnlySpan<T> row = x.Slice(h * width, width);
                    for (int w = w0; w < w1; w++)
                    {
                        max = T.Max(max, row[w]);
                    }
                }

                int best = (h0 * width) + w0;
                if (T.IsNaN(max))
                {
                    for (int h = h0; h < h1; h++)
                    {
                        for (int w = w0; w < w1; w++)
                        {
                            if (T.IsNaN(x[(h * width) + w]))
                            {
                                best = (h * width) + w;
                            }
                        }
                    }
                }
                else
                {
                    // Backwards, so the first offset equal to the maximum is the one left.
                    for (int h = h1 - 1; h >= h0; h--)
                    {
                        for (int w = w1 - 1; w >= w0; w--)
                        {
                            int at = (h * width) + w;
                            int mask = -(x[at] == max ? 1 : 0);
                            best = (best & ~mask) | (at & mask);
                        }
                    }
                }

                y[o] = x[best];
                indices[o] = best;
            }
        }
    }

    private static void AvgPlane<T>(PoolGeometry g, ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int height = g.H, width = g.W, kernel = g.Kernel, stride = g.Stride, padding = g.Padding, columns = g.OW;
        T divisor = T.CreateChecked(kernel * kernel);
        for (int oh = 0, o = 0; oh < g.OH; oh++)
        {
            int h0 = (oh * stride) - padding, h1 = Math.Min(h0 + kernel, height);
            h0 = Math.Max(h0, 0);
            for (int ow = 0; ow < columns; ow++, o++)
            {
                int w0 = (ow * stride) - padding, w1 = Math.Min(w0 + kernel, width);
                w0 = Math.Max(w0, 0);
                T sum = T.Zero;
                for (int h = h0; h < h1; h++)
                {
                    ReadOnlySpan<T> row = x.Slice(h * width, width);
                    for (int w = w0; w < w1; w++)
                    {
                        sum += row[w];
                    }
                }

                y[o] = sum / divisor;
            }
        }
    }

    private static void SpreadPlane<T>(PoolGeometry g, ReadOnlySpan<T> gy, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int height = g.H, width = g.W, kernel = g.Kernel, stride = g.Stride, padding = g.Padding, columns = g.OW;
        T divisor = T.CreateChecked(kernel * kernel);
        dx.Clear();
        for (int oh = 0, o = 0; oh < g.OH; oh++)
        {
            int h0 = (oh * stride) - padding, h1 = Math.Min(h0 + kernel, height);
            h0 = Math.Max(h0, 0);
            for (int ow = 0; ow < columns; ow++, o++)
            {
                int w0 = (ow * stride) - padding, w1 = Math.Min(w0 + kernel, width);
                w0 = Math.Max(w0, 0);
                T share = gy[o] / divisor;
                for (int h = h0; h < h1; h++)
                {
                    Span<T> row = dx.Slice(h * width, width);
                    for (int w = w0; w < w1; w++)
                    {
                        row[w] += share;
                    }
                }
            }
        }
    }

    /// <summary>Runs <paramref name="planes"/>(first, end) over groups of whole planes, in parallel when the work pays for it.</summary>
    private static void Run(PoolGeometry g, Action<int, int> planes)
    {
        long work = (long)g.Planes * g.OH * g.OW * g.Kernel * g.Kernel;
        int threads = ItemJob.ThreadsFor(work, ParallelWork);

        // Groups of at least ~4096 input elements, so the claim per group is negligible.
        int perGroup = Math.Max(1, 4096 / Math.Max(1, g.H * g.W));
        int groups = (g.Planes + perGroup - 1) / perGroup;
        if (threads == 1 || groups == 1)
        {
            planes(0, g.Planes);
            return;
        }

        new PlaneJob(planes, perGroup, g.Planes).Run(groups, threads);
    }

    private sealed class PlaneJob(Action<int, int> planes, int perGroup, int count) : ItemJob
    {
        protected override void RunItem(int item) =>
            planes(item * perGroup, Math.Min(count, (item + 1) * perGroup));
    }
}
