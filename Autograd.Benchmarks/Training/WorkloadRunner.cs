using System.Diagnostics;
using System.Globalization;
using Autograd.Benchmarks.Engine;
using Autograd.Kernels;

namespace Autograd.Benchmarks.Training;

/// <summary>
/// The plain runner behind <c>dotnet run -c Release --project Autograd.Benchmarks -- workloads --threads N [W1..W4]</c>:
/// the timing rule of <c>Autograd.Benchmarks/Peers/workloads.py</c> (same warm-up, same time box, median of single steps), and
/// RESULT lines in its format plus the bytes allocated per step, so compare-pytorch.sh can race the two.
/// The id "tape" adds the tape-overhead chains (ns per op); "--steps N" runs exactly N steps of each workload and prints
/// its final loss in full (to check that a change leaves results bit-identical).
/// </summary>
public static class WorkloadRunner
{
    private const int MaxSamples = 2_000_000;

    /// <summary>Runs the workloads when <c>args[0]</c> is "workloads"; returns false (doing nothing) otherwise.</summary>
    public static bool TryRun(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] != "workloads")
        {
            return false;
        }

        int threads = Environment.ProcessorCount;
        double seconds = 3;
        int fixedSteps = 0;
        var wanted = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads":
                    threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--steps":
                    fixedSteps = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--seconds":
                    seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    wanted.Add(args[i].ToUpperInvariant());
                    break;
            }
        }

        if (wanted.Count == 0)
        {
            wanted.AddRange(Workloads.Ids);
        }

        LimitToCores(threads);
        Gemm.DefaultMaxThreads = threads;   // the runtime still counts the cores it saw at startup
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# Autograd workloads (.NET {Environment.Version}): threads={threads} (process affinity and "
            + $"Gemm.DefaultMaxThreads), time box {seconds} s per workload"));
        foreach (string id in Workloads.Ids.Where(wanted.Contains))
        {
            Workload workload = Workloads.Create(id);
            if (workload.Note is { } note)
            {
                Console.WriteLine($"# {note}");
            }

            if (fixedSteps > 0)
            {
                // A fixed number of steps and the exact final loss: a change that must not alter results is checked
                // by comparing these lines before and after it.
                for (int i = 0; i < fixedSteps; i++)
                {
                    workload.Step();
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"RESULT {workload.Id} {workload.Name} steps={fixedSteps} final_loss={workload.LastLoss!.Item():R}"));
                continue;
            }

            workload.Step();   // the first step's loss: both sides start from the same weights (W5, W6), so it must agree
            double firstLoss = workload.LastLoss!.Item();
            var (medianMicroseconds, steps, allocatedPerStep, meanMicroseconds) = Race(workload.Step, seconds);
            Window w = LastWindow;
            // Collections per 1,000 steps (gen 0 counts every collection, gen 2 only full ones); "pool_gc" are those the
            // buffer pool asked for, "pool_hit" the share of pooled rents served without allocating.
            double perThousand = 1000.0 / Math.Max(steps, 1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT {workload.Id} {workload.Name} median_us={medianMicroseconds:F3} mean_us={meanMicroseconds:F3} steps={steps} "
                + $"final_loss={workload.LastLoss!.Item():G6} first_loss={firstLoss:G7} alloc_bytes_per_step={allocatedPerStep} "
                + $"gc0={w.Gen0} gc2={w.Gen2} gc0_per_1k={w.Gen0 * perThousand:F1} gc1_per_1k={w.Gen1 * perThousand:F1} "
                + $"gc2_per_1k={w.Gen2 * perThousand:F1} pool_gc_per_1k={w.PoolCollections * perThousand:F1} "
                + $"pool_gc_us_per_step={Stopwatch.GetElapsedTime(0, w.PoolCollectionTicks).TotalMicroseconds / Math.Max(steps, 1):F1} "
                + $"pool_hit={w.Hits / (double)Math.Max(1, w.Hits + w.Misses):F4}"));
        }

        if (wanted.Contains("TAPE"))
        {
            var chain = new TapeChain();
            foreach (var (name, run) in new (string, Action)[]
                { ("tensor-tensor", chain.TensorTensor), ("unary", chain.Unary), ("tensor-scalar", chain.TensorScalar) })
            {
                var (medianMicroseconds, _, allocatedPerStep, meanMicroseconds) = Race(run, seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"RESULT tape {name} ns_per_op={medianMicroseconds * 1000 / TapeChain.Length:F1} "
                    + $"mean_ns_per_op={meanMicroseconds * 1000 / TapeChain.Length:F1} "
                    + $"alloc_bytes_per_op={allocatedPerStep / TapeChain.Length}"));
            }
        }

        return true;
    }

    /// <summary>
    /// workloads.py's race(): warm up ≥ 30 steps and ≥ 0.5 s (stop after ~5 s), then time single steps until
    /// <paramref name="seconds"/> passed and ≥ 5 steps (stop after ~30 s). Returns the median and the mean in µs (the
    /// median hides GC pauses; the mean does not).
    /// </summary>
    public static (double MedianMicroseconds, int Steps, long AllocatedBytesPerStep, double MeanMicroseconds) Race(
        Action step, double seconds)
    {
        ArgumentNullException.ThrowIfNull(step);
        double[] samples = new double[MaxSamples];   // before the warm-up: a 16 MB array, and the collection it may cause
        var clock = Stopwatch.StartNew();
        // 30 steps: the JIT's call-count threshold. A process started on one core has no spare core for the tiered
        // compiler, so slow steps (W5: 50 ms per step in steady state, 146 ms before its kernels are optimised)
        // would otherwise last the whole time box; the cap of ~5 s keeps W3 short.
        for (int i = 0; (i < 30 || clock.Elapsed.TotalSeconds < 0.5) && !(i >= 1 && clock.Elapsed.TotalSeconds > 5); i++)
        {
            step();
        }

        // Then until the buffer pool is steady (at most ~10 s more): no storage allocated for 2 s, 10 steps and four of
        // the pool's collections in a row (it needs one collection budget of buffers, BufferPool.CollectBudget, before
        // it stops allocating, and a few cycles to hold a whole cycle's worth), or no pooled storage used at all (W1).
        PoolState pool = BufferPool.State;
        clock.Restart();
        var quietSince = TimeSpan.Zero;
        for (int quiet = 0, cycles = 0; clock.Elapsed.TotalSeconds < 10;)
        {
            long misses = pool.Misses, rents = pool.Hits + pool.Misses, collections = pool.Collections;
            step();
            bool missed = pool.Misses != misses;
            quietSince = missed || quiet == 0 ? clock.Elapsed : quietSince;
            quiet = missed ? 0 : quiet + 1;
            cycles = missed ? 0 : cycles + (int)(pool.Collections - collections);
            bool unpooled = pool.Hits + pool.Misses == rents;
            if (quiet >= 10 && (unpooled || (cycles >= 4 && (clock.Elapsed - quietSince).TotalSeconds >= 2)))
            {
                break;
            }
        }

        int count = 0;
        Window before = Window.Now(pool);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        clock.Restart();
        while ((count < 5 || clock.Elapsed.TotalSeconds < seconds)
            && !(count > 0 && clock.Elapsed.TotalSeconds > 30) && count < MaxSamples)
        {
            long start = Stopwatch.GetTimestamp();
            step();
            // Raw timestamps, not a TimeSpan: its 100 ns ticks would round a 2 µs step to a multiple of 0.1 µs.
            samples[count++] = (Stopwatch.GetTimestamp() - start) * 1e6 / Stopwatch.Frequency;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        LastWindow = Window.Now(pool) - before;
        double mean = samples.AsSpan(0, count).ToArray().Sum() / count;
        Array.Sort(samples, 0, count);
        double median = count % 2 == 1 ? samples[count / 2] : (samples[(count / 2) - 1] + samples[count / 2]) / 2;
        return (median, count, allocated / count, mean);
    }

    /// <summary>Collections and pool activity during the timed steps of the last <see cref="Race"/> (not its warm-up).</summary>
    internal static Window LastWindow { get; private set; }

    /// <summary>Counters of the runtime's collections and of the buffer pool, to subtract.</summary>
    internal readonly record struct Window(int Gen0, int Gen1, int Gen2, long PoolCollections, long PoolCollectionTicks, long Hits, long Misses)
    {
        public static Window Now(PoolState pool) => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            pool.Collections, pool.CollectionTicks, pool.Hits, pool.Misses);

        public static Window operator -(Window a, Window b) => new(a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2,
            a.PoolCollections - b.PoolCollections, a.PoolCollectionTicks - b.PoolCollectionTicks, a.Hits - b.Hits, a.Misses - b.Misses);
    }

    /// <summary>
    /// Keeps the whole process (GC and JIT threads included) on the first <paramref name="threads"/> cores, so that
    /// "1 thread" means one core, as OPENBLAS_NUM_THREADS=1 does for PyTorch's matmul.
    /// </summary>
    private static void LimitToCores(int threads)
    {
        if (threads >= Environment.ProcessorCount || (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows()))
        {
            return;
        }

        Process.GetCurrentProcess().ProcessorAffinity = (nint)((1L << Math.Max(threads, 1)) - 1);
    }
}
