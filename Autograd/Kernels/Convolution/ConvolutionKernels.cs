using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Autograd.Kernels;

/// <summary>
/// Convolution by im2col onto the GEMM kernels, one batch item at a time (docs/KERNELS.md, "Convolution"):
/// forward <c>y[n,g] = W[g]·col(x[n])[g]</c>, input gradient <c>dx[n] = col2im(W[g]ᵀ·G[n,g])</c>, weight gradient
/// <c>dW[g] = Σn G[n,g]·col(x[n])[g]ᵀ</c>. Batch items (for dW, fixed chunks of them) run in parallel on the GEMM
/// pool, each thread with one reused column buffer; every output element is computed by the same sequence of
/// operations whatever the thread count, so results are bit-identical.
/// </summary>
internal static class ConvolutionKernels
{
    /// <summary>The weight gradient is summed over at most this many fixed chunks of the batch (then chunk by chunk, in order).</summary>
    internal const int MaxChunks = 8;

    /// <summary>Partial weight gradients of the chunks stay below this many elements in total.</summary>
    private const int MaxPartialElements = 1 << 22;

    /// <summary>Tests set this (on the calling thread) to force a thread count whatever the size.</summary>
    [ThreadStatic]
    internal static int? ForcedThreads;

    /// <summary>Threads worth using for work of <paramref name="flops"/>, as for one GEMM (Gemm.DefaultMaxThreads caps it).</summary>
    internal static int ThreadsFor(double flops) =>
        ForcedThreads ?? (flops < Gemm.ParallelFlops ? 1 : Math.Min(Gemm.DefaultMaxThreads, GemmThreading.MaxThreads));

    /// <summary>y [N,O,OH,OW] = conv(x [N,C,H,W], w [O,C/g,kh,kw]) + b [O].</summary>
    public static void Forward<T>(ConvGeometry g, T[] x, T[] w, T[]? b, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new ForwardJob<T>(g, x, w, b, y).Run(g.N, ThreadsFor(g.Flops));

    /// <summary>dx [N,C,H,W] = the adjoint of the convolution in x applied to gy [N,O,OH,OW] (a transposed convolution).</summary>
    public static void InputGrad<T>(ConvGeometry g, T[] gy, T[] w, T[] dx)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new InputGradJob<T>(g, gy, w, dx).Run(g.N, ThreadsFor(g.Flops));

    /// <summary>dw [O,C/g,kh,kw] = Σn gy[n]·col(x[n])ᵀ, summed chunk by chunk in a fixed order.</summary>
    public static void WeightGrad<T>(ConvGeometry g, T[] x, T[] gy, T[] dw)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = g.WeightCount;
        int chunks = Math.Max(1, Math.Min(Math.Min(g.N, MaxChunks), MaxPartialElements / Math.Max(1, size)));
        T[]? partials = chunks > 1 ? ConvScratch<T>.Partials((chunks - 1) * size) : null;
        new WeightGradJob<T>(g, x, gy, dw, partials, chunks).Run(chunks, ThreadsFor(g.Flops));
        for (int chunk = 1; chunk < chunks; chunk++)
        {
            TensorPrimitives.Add(dw.AsSpan(0, size), partials.AsSpan((chunk - 1) * size, size), dw.AsSpan(0, size));
        }

        ConvScratch<T>.Trim();
    }

    /// <summary>db [O] = Σ over items and positions of gy [N,O,P], item by item in order.</summary>
    public static void BiasGrad<T>(ConvGeometry g, ReadOnlySpan<T> gy, Span<T> db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int positions = g.Positions;
        db[..g.O].Clear();
        for (int n = 0; n < g.N; n++)
        {
            for (int o = 0; o < g.O; o++)
            {
                db[o] += TensorPrimitives.Sum(gy.Slice(((n * g.O) + o) * positions, positions));
            }
        }
    }

    /// <summary>
    /// The kernel for one item's product, by shape only (never by thread count). Products with a very short inner
    /// dimension (a first layer's forward, C·k² = 9) or a very narrow transposed B (its weight gradient, 9 columns)
    /// are 2–5× faster without packing: measured per item of W5's first layer, [32,9]·[9,784] took 37 µs blocked and
    /// 15 µs by RowAxpy, [32,784]·[9,784]ᵀ 34 µs blocked and 14 µs by Dot (the blocked kernel's edge packing
    /// dominates there); from k = 12 and n = 16 on, Auto's blocked kernel wins.
    /// </summary>
    internal static GemmKernel Choose(int n, int k, bool transA, bool transB) => (transA, transB) switch
    {
        (false, false) when k < 12 => GemmKernel.RowAxpy,
        (false, true) when n < 16 => GemmKernel.Dot,
        _ => GemmKernel.Auto,
    };

    /// <summary>C (+)= op(A)·op(B) on whichever of float and double T is.</summary>
    private static void Multiply<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate, int threads)
        where T : unmanaged
    {
        GemmKernel kernel = Choose(n, k, transA, transB);
        if (typeof(T) == typeof(float))
        {
            Gemm.Multiply(kernel, transA, transB, m, n, k, MemoryMarshal.Cast<T, float>(a),
                MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), accumulate, threads);
        }
        else
        {
            Gemm.Multiply(kernel, transA, transB, m, n, k, MemoryMarshal.Cast<T, double>(a),
                MemoryMarshal.Cast<T, double>(b), MemoryMarshal.Cast<T, double>(c), accumulate, threads);
        }
    }

    /// <summary>One item's column matrix: the input itself for a pointwise kernel, else gathered into the thread's buffer.</summary>
    private static ReadOnlySpan<T> Columns<T>(ConvGeometry g, T[] x, int n)
        where T : unmanaged
    {
        ReadOnlySpan<T> item = x.AsSpan(n * g.InputItem, g.InputItem);
        if (g.IsPointwise)
        {
            return item;
        }

        Span<T> col = ConvScratch<T>.Columns(g.C * g.KH * g.KW * g.Positions);
        Im2Col.Gather(g, item, col);
        return col;
    }

    private sealed class ForwardJob<T>(ConvGeometry g, T[] x, T[] w, T[]? b, T[] y) : ItemJob
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        protected override void Finish() => ConvScratch<T>.Trim();

        protected override void RunItem(int n)
        {
            ReadOnlySpan<T> col = Columns(g, x, n);
            int rows = g.GroupRows, outputs = g.GroupOutputs, positions = g.Positions;
            Span<T> output = y.AsSpan(n * g.OutputItem, g.OutputItem);
            if (b is not null)
            {
                for (int o = 0; o < g.O; o++)
                {
                    output.Slice(o * positions, positions).Fill(b[o]);
                }
            }

            for (int group = 0; group < g.Groups; group++)
            {
                Multiply(false, false, outputs, positions, rows,
                    w.AsSpan(group * outputs * rows, outputs * rows),
                    col.Slice(group * rows * positions, rows * positions),
                    output.Slice(group * outputs * positions, outputs * positions),
                    accumulate: b is not null, GemmThreads);
            }
        }
    }

    private sealed class InputGradJob<T>(ConvGeometry g, T[] gy, T[] w, T[] dx) : ItemJob
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        protected override void Finish() => ConvScratch<T>.Trim();

        protected override void RunItem(int n)
        {
            int rows = g.GroupRows, outputs = g.GroupOutputs, positions = g.Positions;
            Span<T> item = dx.AsSpan(n * g.InputItem, g.InputItem);

            // Pointwise, the column gradient is the input gradient; otherwise it is scattered back through the taps.
            Span<T> col = g.IsPointwise ? item : ConvScratch<T>.Columns(g.C * g.KH * g.KW * positions);
            ReadOnlySpan<T> gradient = gy.AsSpan(n * g.OutputItem, g.OutputItem);
            for (int group = 0; group < g.Groups; group++)
            {
                Multiply(true, false, rows, positions, outputs,
                    w.AsSpan(group * outputs * rows, outputs * rows),
                    gradient.Slice(group * outputs * positions, outputs * positions),
                    col.Slice(group * rows * positions, rows * positions),
                    accumulate: false, GemmThreads);
            }

            if (!g.IsPointwise)
            {
                item.Clear();
                Im2Col.ScatterAdd(g, col, item);
            }
        }
    }

    /// <summary>Chunk 0 sums into dw, chunk c into partial c − 1; the chunks depend on N only, never on the threads.</summary>
    private sealed class WeightGradJob<T>(ConvGeometry g, T[] x, T[] gy, T[] dw, T[]? partials, int chunks) : ItemJob
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        protected override void Finish() => ConvScratch<T>.Trim();

        protected override void RunItem(int chunk)
        {
            int size = g.WeightCount, rows = g.GroupRows, outputs = g.GroupOutputs, positions = g.Positions;
            Span<T> sum = chunk == 0 ? dw.AsSpan(0, size) : partials.AsSpan((chunk - 1) * size, size);
            int first = (int)((long)g.N * chunk / chunks), end = (int)((long)g.N * (chunk + 1) / chunks);
            if (first == end)
            {
                sum.Clear();
                return;
            }

            for (int n = first; n < end; n++)
            {
                ReadOnlySpan<T> col = Columns(g, x, n);
                ReadOnlySpan<T> gradient = gy.AsSpan(n * g.OutputItem, g.OutputItem);
                for (int group = 0; group < g.Groups; group++)
                {
                    Multiply(false, true, outputs, rows, positions,
                        gradient.Slice(group * outputs * positions, outputs * positions),
                        col.Slice(group * rows * positions, rows * positions),
                        sum.Slice(group * outputs * rows, outputs * rows),
                        accumulate: n != first, GemmThreads);
                }
            }
        }
    }
}

/// <summary>
/// Scratch reused by every item and every call (grow-only, per thread): the column buffer of each thread that runs
/// items, and the chunks' partial weight gradients of the thread that dispatches them. A buffer beyond
/// <see cref="MaxKept"/> elements lives for one call only (<see cref="Trim"/> at the end of a thread's part).
/// </summary>
internal static class ConvScratch<T>
    where T : unmanaged
{
    private const int MaxKept = 1 << 22;

    [ThreadStatic]
    private static T[]? _columns;

    [ThreadStatic]
    private static T[]? _partials;

    public static Span<T> Columns(int length) => Get(ref _columns, length).AsSpan(0, length);

    public static T[] Partials(int length) => Get(ref _partials, length);

    /// <summary>Drops this thread's buffers that are too large to keep between calls.</summary>
    public static void Trim()
    {
        if (_columns?.Length > MaxKept)
        {
            _columns = null;
        }

        if (_partials?.Length > MaxKept)
        {
            _partials = null;
        }
    }

    private static T[] Get(ref T[]? slot, int length)
    {
        if (slot is null || slot.Length < length)
        {
            slot = GC.AllocateUninitializedArray<T>(length);
        }

        return slot;
    }
}
