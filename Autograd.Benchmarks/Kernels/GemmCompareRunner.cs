using System.Diagnostics;
using System.Globalization;
using Autograd.Kernels;

namespace Autograd.Benchmarks.Kernels;

/// <summary>
/// <c>dotnet run -c Release --project Autograd.Benchmarks -- gemm-compare [--threads 1,2] [--rounds 5]
/// [--seconds 0.25] [--tile Scalar|Vector128|Vector256|Vector512] [shape names...]</c>: our Blocked kernel and
/// OpenBLAS's <c>cblas_sgemm</c> on <see cref="GemmBenchmarks.Shapes"/>, alternated call batch by call batch
/// (which one goes first swaps every round), so both see the same load on this shared machine. Prints, per
/// shape and thread count, the range over rounds of each one's median GFLOP/s and of the per-round ratio, and
/// each one's best single call (what the core gives when the neighbours leave it alone, which on this shared
/// machine long products rarely see for a whole median). BenchmarkDotNet measures each case in its own process
/// minutes apart; this is for ratios under noise.
/// </summary>
public static class GemmCompareRunner
{
    /// <summary>Runs the comparison when <c>args[0]</c> is "gemm-compare"; returns false (doing nothing) otherwise.</summary>
    public static bool TryRun(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] != "gemm-compare")
        {
            return false;
        }

        int[] threadCounts = [1, 2];
        var rounds = 5;
        var seconds = 0.25;
        GemmTile? tile = null;
        var wanted = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads":
                    threadCounts = args[++i].Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
                    break;
                case "--rounds":
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--seconds":
                    seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--tile":
                    tile = Enum.Parse<GemmTile>(args[++i], ignoreCase: true);
                    break;
                default:
                    wanted.Add(args[i]);
                    break;
            }
        }

        var shapes = GemmBenchmarks.Shapes.Where(s => wanted.Count == 0 || wanted.Contains(s.Name)).ToList();
        if (!OpenBlas.IsAvailable)
        {
            Console.WriteLine("# libopenblas.so.0 not found (apt-get install libopenblas0-pthread): nothing to compare with.");
            return true;
        }

        GemmTiles.Forced = tile;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# gemm-compare (.NET {Environment.Version}): tile {GemmTiles.Current}, OpenBLAS core {OpenBlas.CoreName}, {rounds} rounds, {seconds} s per batch, "
            + $"{DateTime.Now:yyyy-MM-dd HH:mm}, load average {LoadAverage()}"));
        Console.WriteLine("# shape                 threads   ours GFLOP/s (median, min-max)   OpenBLAS GFLOP/s            ratio (median, min-max)   best: ours  OpenBLAS  ratio");
        foreach (var shape in shapes)
        {
            foreach (var threads in threadCounts)
            {
                Compare(shape, threads, rounds, seconds);
            }
        }

        Console.WriteLine($"# done {DateTime.Now:HH:mm}, load average {LoadAverage()}");
        return true;
    }

    private static void Compare(GemmShape shape, int threads, int rounds, double seconds)
    {
        var random = new Random(42);
        var a = Enumerable.Range(0, shape.M * shape.K).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var b = Enumerable.Range(0, shape.K * shape.N).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var c = new float[shape.M * shape.N];
        OpenBlas.SetThreads(threads);
        void Ours() => Gemm.Multiply(GemmKernel.Blocked, shape.TransA, shape.TransB, shape.M, shape.N, shape.K, a, b, c, maxThreads: threads);
        void Theirs() => OpenBlas.Multiply(shape.TransA, shape.TransB, shape.M, shape.N, shape.K, a, b, c);

        Ours();
        Theirs();
        var ours = new List<double>();
        var theirs = new List<double>();
        var ratios = new List<double>();
        double bestOurs = 0, bestTheirs = 0;
        for (var round = 0; round < rounds; round++)
        {
            (double Median, double Best) mine, peer;
            if (round % 2 == 0)
            {
                mine = Gflops(Ours, shape.Flops, seconds);
                peer = Gflops(Theirs, shape.Flops, seconds);
            }
            else
            {
                peer = Gflops(Theirs, shape.Flops, seconds);
                mine = Gflops(Ours, shape.Flops, seconds);
            }

            ours.Add(mine.Median);
            theirs.Add(peer.Median);
            ratios.Add(mine.Median / peer.Median);
            bestOurs = Math.Max(bestOurs, mine.Best);
            bestTheirs = Math.Max(bestTheirs, peer.Best);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{shape.Name,-22} {threads,7}   {Summary(ours, "F1"),-32} {Summary(theirs, "F1"),-27} {Summary(ratios, "F2"),-25} {bestOurs,6:F1} {bestTheirs,9:F1} {bestOurs / bestTheirs,6:F2}"));
    }

    /// <summary>Median and best GFLOP/s of single calls over a time box (at least three calls).</summary>
    private static (double Median, double Best) Gflops(Action call, double flops, double seconds)
    {
        // OpenBLAS's workers spin for about 2^28 cycles (~0.1 s) after a call before they sleep: starting our
        // batch right after its batch would leave one of them spinning on the core our second thread needs (our
        // two-thread figures came out below our one-thread ones). Let every worker of either library go to sleep.
        Thread.Sleep(200);

        var times = new List<double>();
        var box = Stopwatch.StartNew();
        while (times.Count < 3 || box.Elapsed.TotalSeconds < seconds)
        {
            var start = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return (flops / Median(times) / 1e9, flops / times.Min() / 1e9);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Summary(List<double> values, string format) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Median(values).ToString(format, CultureInfo.InvariantCulture)} ({values.Min().ToString(format, CultureInfo.InvariantCulture)}-{values.Max().ToString(format, CultureInfo.InvariantCulture)})");

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
