namespace Autograd.Kernels;

/// <summary>
/// Independent items (batch items, chunks of them, planes) spread over the GEMM worker pool: parts claim the next
/// item from a shared counter, so a part whose core is busy takes fewer. Each item's result is computed by the same
/// code whoever runs it, so the output does not depend on the number of threads.
/// </summary>
internal abstract class ItemJob : GemmJob
{
    private int _count;
    private int _threads;
    private int _next;

    /// <summary>
    /// Threads each product inside an item may use: all of them when the items run one after another (one part,
    /// e.g. a batch of one), else 1 (the parts already keep the cores busy). A product's result does not depend on
    /// it either (GEMM threads never split the sum over k).
    /// </summary>
    protected int GemmThreads { get; private set; } = 1;

    /// <summary>Runs items 0..<paramref name="count"/>-1 on up to <paramref name="threads"/> threads and waits for them.</summary>
    public void Run(int count, int threads)
    {
        (_count, _threads) = (count, threads);
        GemmThreading.Run(this, Math.Min(threads, count));
    }

    public sealed override void Prepare(int parts)
    {
        _next = 0;
        GemmThreads = parts == 1 ? _threads : 1;
    }

    public sealed override void Execute(int part, int parts)
    {
        for (int item = Interlocked.Increment(ref _next) - 1; item < _count; item = Interlocked.Increment(ref _next) - 1)
        {
            RunItem(item);
        }

        Finish();
    }

    protected abstract void RunItem(int item);

    /// <summary>Runs on each part's thread after its last item (to release per-thread scratch).</summary>
    protected virtual void Finish()
    {
    }
}
