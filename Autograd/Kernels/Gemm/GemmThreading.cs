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

    /// <summary>
    /// True when the parts wait for one another (a barrier), so each must run on its own thread at the same time.
    /// Otherwise a part can run after another on the same thread, and the dispatching thread runs itself any part
    /// no worker has started yet rather than wait for one to wake.
    /// </summary>
    public virtual bool PartsMeet => false;

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
/// <remarks>
/// A part offered to a worker is claimed by whoever gets to it first: the worker once it wakes, or the caller once
/// its own part is done (unless the job's parts meet at a barrier, see <see cref="GemmJob.PartsMeet"/>). The caller
/// then waits only for parts a worker actually started: on a loaded machine a worker can take milliseconds to be
/// scheduled, and waiting for it to wake only to find nothing left made two threads slower than one. Which thread
/// runs a part does not change what it computes, so results stay the same whatever the thread count.
/// </remarks>
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

    /// <summary>Tests only: runs on a worker thread when it wakes, before it claims its part (to delay it).</summary>
    internal static Action? WorkerWaking { get; set; }

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
                _workers[w - 1].Offer(job, w, parts);
            }

            try
            {
                job.Execute(0, parts);
                if (!job.PartsMeet)
                {
                    for (var w = 1; w < parts; w++)
                    {
                        if (_workers[w - 1].TryWithdraw())
                        {
                            RunWithdrawn(job, w, parts);
                        }
                    }
                }
            }
            finally
            {
                // Also when part 0 failed: no worker may start on the job after this returns, nor still run it.
                for (var w = 1; w < parts; w++)
                {
                    if (_workers[w - 1].TryWithdraw())
                    {
                        PartFinished(null);
                    }
                }

                _done.Wait();
            }

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

    /// <summary>Runs on the calling thread a part withdrawn from its worker, counting it done even if it fails.</summary>
    private static void RunWithdrawn(GemmJob job, int part, int parts)
    {
        try
        {
            job.Execute(part, parts);
        }
        finally
        {
            PartFinished(null);
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
        // The state of the part last offered: offered (nobody runs it yet), or taken by the worker or the caller.
        private const int Offered = 0, TakenByWorker = 1, Withdrawn = 2;

        private readonly ManualResetEventSlim _start = new(false, SpinCount);
        private GemmJob? _job;
        private int _part;
        private int _parts;
        private int _state = Withdrawn;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Autograd GEMM worker {index}" };
            thread.Start();
        }

        public void Offer(GemmJob job, int part, int parts)
        {
            _job = job;
            _part = part;
            _parts = parts;
            Volatile.Write(ref _state, Offered);   // publishes the fields above to the worker that claims it
            _start.Set();
        }

        /// <summary>Takes the offered part away from the worker if it has not started it: true if the caller now owns it.</summary>
        public bool TryWithdraw()
        {
            if (Interlocked.CompareExchange(ref _state, Withdrawn, Offered) != Offered)
            {
                return false;
            }

            _job = null;   // the worker reads it only after taking the part, which it no longer can
            return true;
        }

        private void Loop()
        {
            while (true)
            {
                _start.Wait();
                _start.Reset();
                WorkerWaking?.Invoke();

                // The caller may have run the part already (or a wake-up may be left over from an earlier job).
                if (Interlocked.CompareExchange(ref _state, TakenByWorker, Offered) != Offered)
                {
                    continue;
                }

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
