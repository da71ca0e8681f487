namespace Autograd.Kernels;

/// <summary>
/// A unit of parallel work: <see cref="Execute"/> runs once per part, each part on its own thread.
/// Jobs are cached and reused by their kernels so dispatching allocates nothing.
/// </summary>
internal abstract class GemmJob
{
    /// <summary>Called on the dispatching thread before any part runs, with the real part count.</summary>
    public virtual void Prepare(int parts)
    {
    }

    public abstract void Execute(int part, int parts);

    /// <summary>Part <paramref name="part"/>'s share [Start, End) of <paramref name="count"/> items.</summary>
    protected static (int Start, int End) Share(int count, int part, int parts) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));
}

/// <summary>
/// A small persistent pool (one worker per extra core). <c>Parallel.For</c> would allocate a
/// closure and task state per call; these workers wake on an event instead, and the caller runs
/// part 0 itself. A second caller arriving while the pool is busy runs single-threaded rather
/// than queueing behind the first.
/// </summary>
internal static class GemmThreading
{
    // Short spin before sleeping: back-to-back GEMMs (a training step) then avoid a kernel wake-up.
    private const int SpinCount = 2000;

    private static readonly object _gate = new();
    private static readonly ManualResetEventSlim _done = new(false, SpinCount);
    private static Worker[] _workers = [];
    private static int _pending;
    private static Exception? _failure;

    /// <summary>The most parts a job can be split into.</summary>
    public static int MaxThreads => Environment.ProcessorCount;

    /// <summary>Runs <paramref name="job"/> in up to <paramref name="parts"/> parts and waits for all of them.</summary>
    public static void Run(GemmJob job, int parts)
    {
        parts = Math.Min(parts, MaxThreads);
        if (parts <= 1 || !Monitor.TryEnter(_gate))
        {
            job.Prepare(1);
            job.Execute(0, 1);
            return;
        }

        try
        {
            EnsureWorkers(parts - 1);
            job.Prepare(parts);
            _failure = null;
            _done.Reset();
            Volatile.Write(ref _pending, parts - 1);
            for (var w = 1; w < parts; w++)
            {
                _workers[w - 1].Start(job, w, parts);
            }

            job.Execute(0, parts);
            _done.Wait();
            if (_failure is { } failure)
            {
                throw new AggregateException("A GEMM worker thread failed.", failure);
            }
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (_workers.Length >= count)
        {
            return;
        }

        var workers = new Worker[count];
        Array.Copy(_workers, workers, _workers.Length);
        for (var i = _workers.Length; i < count; i++)
        {
            workers[i] = new Worker(i + 1);
        }

        _workers = workers;
    }

    private static void PartFinished(Exception? failure)
    {
        if (failure is not null)
        {
            _failure = failure;
        }

        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _done.Set();
        }
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _start = new(false, SpinCount);
        private GemmJob? _job;
        private int _part;
        private int _parts;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Autograd GEMM worker {index}" };
            thread.Start();
        }

        public void Start(GemmJob job, int part, int parts)
        {
            _job = job;
            _part = part;
            _parts = parts;
            _start.Set();
        }

        private void Loop()
        {
            while (true)
            {
                _start.Wait();
                _start.Reset();
                Exception? failure = null;
                try
                {
                    _job!.Execute(_part, _parts);
                }
                catch (Exception e)
                {
                    failure = e;
                }

                _job = null;
                PartFinished(failure);
            }
        }
    }
}

/// <summary>
/// A reusable barrier for the parts of one job. Parts run on distinct cores, so spinning (with
/// <see cref="SpinWait"/>'s yields for oversubscribed machines) beats sleeping on an event.
/// </summary>
internal sealed class GemmBarrier
{
    private int _count = 1;
    private int _remaining = 1;
    private volatile int _phase;

    public void Reset(int count)
    {
        _count = count;
        _remaining = count;
    }

    public void SignalAndWait()
    {
        if (_count == 1)
        {
            return;
        }

        var phase = _phase;
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _remaining = _count;
            _phase = phase + 1;
            return;
        }

        var spinner = default(SpinWait);
        while (_phase == phase)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}
