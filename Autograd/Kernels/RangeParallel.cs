namespace Autograd.Kernels;

/// <summary>Work over the items [start, end) of a range (rows, channels, columns), each item computed on its own.</summary>
internal interface IRangeBody
{
    void Run(int start, int end);
}

/// <summary>
/// Splits [0, count) into contiguous ranges and runs them on the GEMM thread pool when the work is large enough.
/// Bodies compute every item independently of the split (a row's statistics never depend on which thread summed the
/// others), so the result is the same bits whatever the thread count; only the speed changes.
/// </summary>
internal static class RangeParallel
{
    /// <summary>Below this many elements touched, waking a worker costs more than it saves.</summary>
    public const long ParallelWork = 1 << 15;

    [ThreadStatic]
    private static int? _exactParts;

    // Set once any thread set ExactParts: until then Threads reads no thread-static (a call into the TLS resolver on
    // Linux, a measurable part of a tiny op).
    private static bool _exactPartsEverSet;

    /// <summary>When set (tests), the number of ranges to split into whatever the size (on this thread; more ranges than
    /// cores run several per core). The block-parallel kernels take it as their thread count.</summary>
    internal static int? ExactParts
    {
        get => _exactParts;
        set
        {
            _exactParts = value;
            _exactPartsEverSet |= value is not null;
        }
    }

    /// <summary>
    /// The threads worth using for <paramref name="work"/> elements: one below <paramref name="threshold"/>, else all that
    /// <see cref="Gemm.DefaultMaxThreads"/> and the cores allow (one in a process that sees a single core).
    /// </summary>
    public static int Threads(long work, long threshold) =>
        (_exactPartsEverSet ? _exactParts : null) ?? (work < threshold ? 1 : Math.Min(Gemm.DefaultMaxThreads, GemmThreading.MaxThreads));

    /// <summary>Runs <paramref name="body"/> over [0, <paramref name="count"/>), split when <paramref name="work"/> is large.</summary>
    public static void For<TBody>(int count, long work, TBody body)
        where TBody : struct, IRangeBody => For(count, work, ParallelWork, body);

    /// <summary>
    /// Runs <paramref name="body"/> over [0, <paramref name="count"/>), split when <paramref name="work"/> reaches
    /// <paramref name="threshold"/>.
    /// </summary>
    public static void For<TBody>(int count, long work, long threshold, TBody body)
        where TBody : struct, IRangeBody => Run(count, Threads(work, threshold), body);

    /// <summary>Runs <paramref name="body"/> over [0, <paramref name="count"/>) in up to <paramref name="threads"/> ranges.</summary>
    public static void Run<TBody>(int count, int threads, TBody body)
        where TBody : struct, IRangeBody
    {
        int parts = Math.Min(threads, count);
        if (parts <= 1)
        {
            body.Run(0, count);
            return;
        }

        GemmThreading.Run(new RangeJob<TBody>(body, count, parts), parts);
    }

    /// <summary>Thread <c>part</c> of <c>threads</c> runs ranges part, part + threads, ... of <c>ranges</c>.</summary>
    private sealed class RangeJob<TBody>(TBody body, int count, int ranges) : GemmJob
        where TBody : struct, IRangeBody
    {
        public override void Execute(int part, int parts)
        {
            for (int range = part; range < ranges; range += parts)
            {
                var (start, end) = Share(count, range, ranges);
                body.Run(start, end);
            }
        }
    }
}
