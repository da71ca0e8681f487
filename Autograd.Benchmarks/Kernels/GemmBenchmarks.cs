using Autograd.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Autograd.Benchmarks.Kernels;

/// <summary>What a benchmark case runs: one of our kernels, or the OpenBLAS baseline.</summary>
public enum GemmImplementation
{
    Naive,
    RowAxpy,
    Dot,
    Blocked,
    Auto,
    OpenBlas,
}

/// <summary>One product's sizes and transposes; its name (at most 20 characters, or the summary truncates it) is what the summary shows.</summary>
public sealed record GemmShape(string Name, int M, int N, int K, bool TransA, bool TransB) : IFlopCount
{
    public double Flops => 2.0 * M * N * K;

    public override string ToString() => Name;
}

/// <summary>
/// Float32 GEMM throughput for every kernel against OpenBLAS at the same thread count. Naive is
/// run only up to 256² (beyond that it takes seconds per call) and on one thread (it is
/// single-threaded); RowAxpy and Dot stop at 1024² (2048² costs about a second per call).
/// Run: <c>dotnet run -c Release --project Autograd.Benchmarks -- --filter '*Gemm*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class GemmBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = Shapes.First();

    [ParamsAllValues]
    public GemmImplementation Implementation { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>
    /// Squares, then the three products of a 1024→4096 linear layer (W [4096,1024]) at batch 256:
    /// forward Y = X·Wᵀ, input gradient dX = G·W, weight gradient dW = Gᵀ·X (G = dY [256,4096]);
    /// then the same three for a 4096→4096 layer (W [4096,4096]); then the small-M products of W2's MLP at batch 64
    /// (784→256 and 256→128 layers), where two threads must split N to both have work.
    /// </summary>
    public static IEnumerable<GemmShape> Shapes =>
    [
        .. new[] { 64, 128, 256, 512, 1024, 2048 }.Select(s => new GemmShape($"{s}²", s, s, s, false, false)),
        new GemmShape("Y=XWᵀ 256,4096,1024", 256, 4096, 1024, false, true),
        new GemmShape("dX=GW 256,1024,4096", 256, 1024, 4096, false, false),
        new GemmShape("dW=GᵀX 4096,1024,256", 4096, 1024, 256, true, false),
        new GemmShape("Y=XWᵀ 256,4096,4096", 256, 4096, 4096, false, true),
        new GemmShape("dX=GW 256,4096,4096", 256, 4096, 4096, false, false),
        new GemmShape("dW=GᵀX 4096,4096,256", 4096, 4096, 256, true, false),
        new GemmShape("Y=XWᵀ 64,256,784", 64, 256, 784, false, true),
        new GemmShape("dX=GW 64,784,256", 64, 784, 256, false, false),
        new GemmShape("dW=GᵀX 256,784,64", 256, 784, 64, true, false),
        new GemmShape("Y=XWᵀ 64,128,256", 64, 128, 256, false, true),
        new GemmShape("dX=GW 64,256,128", 64, 256, 128, false, false),
        new GemmShape("dW=GᵀX 128,256,64", 128, 256, 64, true, false),
    ];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _a = Enumerable.Range(0, Shape.M * Shape.K).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        _b = Enumerable.Range(0, Shape.K * Shape.N).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        _c = new float[Shape.M * Shape.N];
        if (Implementation == GemmImplementation.OpenBlas)
        {
            OpenBlas.SetThreads(Threads);
        }
    }

    [Benchmark]
    public void Multiply()
    {
        var s = Shape;
        if (Implementation == GemmImplementation.OpenBlas)
        {
            OpenBlas.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, _a, _b, _c);
            return;
        }

        var kernel = Implementation switch
        {
            GemmImplementation.Naive => GemmKernel.Naive,
            GemmImplementation.RowAxpy => GemmKernel.RowAxpy,
            GemmImplementation.Dot => GemmKernel.Dot,
            GemmImplementation.Blocked => GemmKernel.Blocked,
            _ => GemmKernel.Auto,
        };
        Gemm.Multiply(kernel, s.TransA, s.TransB, s.M, s.N, s.K, _a, _b, _c, maxThreads: Threads);
    }

    /// <summary>Drops the cases that would only waste time, and adds the throughput columns.</summary>
    private sealed class Config : ManualConfig
    {
        private static bool _reportedMissingOpenBlas;

        public Config()
        {
            AddColumn(new GflopsColumn(), new RatioToOpenBlasColumn());
            AddFilter(new SimpleFilter(Include));
        }

        private static bool Include(BenchmarkCase benchmarkCase)
        {
            var shape = (GemmShape)benchmarkCase.Parameters[nameof(Shape)];
            var threads = (int)benchmarkCase.Parameters[nameof(Threads)];
            var largest = Math.Max(shape.M, Math.Max(shape.N, shape.K));
            switch ((GemmImplementation)benchmarkCase.Parameters[nameof(Implementation)])
            {
                case GemmImplementation.Naive:
                    return largest <= 256 && threads == 1;
                case GemmImplementation.RowAxpy or GemmImplementation.Dot:
                    return shape.Flops < 2.0 * 2048 * 2048 * 2048;
                case GemmImplementation.OpenBlas when !OpenBlas.IsAvailable:
                    if (!_reportedMissingOpenBlas)
                    {
                        _reportedMissingOpenBlas = true;
                        Console.WriteLine("// libopenblas.so.0 not found: skipping the OpenBLAS baseline (apt-get install libopenblas0-pthread).");
                    }

                    return false;
                default:
                    return true;
            }
        }
    }

    /// <summary>This case's GFLOP/s over OpenBLAS's for the same shape and thread count in the same run.</summary>
    private sealed class RatioToOpenBlasColumn : IColumn
    {
        public string Id => nameof(RatioToOpenBlasColumn);

        public string ColumnName => "vs OpenBLAS";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 1;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "GFLOP/s relative to OpenBLAS cblas_sgemm, same shape and threads, same run";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var shape = benchmarkCase.Parameters[nameof(Shape)]?.ToString();
            var threads = benchmarkCase.Parameters[nameof(Threads)];
            var baseline = summary.BenchmarksCases.FirstOrDefault(other =>
                other.Parameters[nameof(Implementation)] is GemmImplementation.OpenBlas
                && other.Parameters[nameof(Shape)]?.ToString() == shape
                && Equals(other.Parameters[nameof(Threads)], threads));
            return baseline is not null
                && GflopsColumn.Gflops(summary, benchmarkCase) is { } ours
                && GflopsColumn.Gflops(summary, baseline) is { } theirs
                ? (ours / theirs).ToString("F2")
                : "-";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
