using Autograd.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;

namespace Autograd.Benchmarks.Kernels;

/// <summary>One batched product: [batch,m,k]·[batch,k,n] (or a shared B [k,n]), forward only or forward and backward.</summary>
public sealed record BatchedCase(string Name, int Batch, int M, int N, int K, bool SharedB, bool Backward) : IFlopCount
{
    /// <summary>The forward product's 2·b·m·n·k, three times that with the two gradient products.</summary>
    public double Flops => (Backward ? 3.0 : 1.0) * 2.0 * Batch * M * N * K;

    public override string ToString() => Name;
}

/// <summary>
/// Batched MatMul (one call over the batch) against a loop of 2-D MatMuls on the same data, as ops (tensors, tape)
/// and as bare kernels (<see cref="Gemm.MultiplyBatched(GemmKernel, bool, bool, int, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, bool, int?)"/>
/// against <see cref="Gemm.Multiply(GemmKernel, bool, bool, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool, int?)"/>
/// per item), float32.
/// Run: <c>dotnet run -c Release --project Autograd.Benchmarks -- --filter '*BatchedMatMul*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class BatchedMatMulBenchmarks
{
    private Tensor _a = Tensor.Zeros([1]);
    private Tensor _b = Tensor.Zeros([1]);
    private Tensor _gradC = Tensor.Zeros([1]);
    private Tensor[] _aItems = [];
    private Tensor[] _bItems = [];
    private Tensor[] _gradItems = [];
    private float[] _aData = [];
    private float[] _bData = [];
    private float[] _cData = [];
    private int _savedThreads;

    [ParamsSource(nameof(Cases))]
    public BatchedCase Case { get; set; } = Cases.First();

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Attention-sized products (16 heads of 128×64 · 64×128), and a batch against one shared matrix.</summary>
    public static IEnumerable<BatchedCase> Cases =>
    [
        new("[16,128,64]x[16,64,128]", 16, 128, 128, 64, SharedB: false, Backward: false),
        new("fwd+bwd same", 16, 128, 128, 64, SharedB: false, Backward: true),
        new("[16,128,64]x[64,128]", 16, 128, 128, 64, SharedB: true, Backward: false),
    ];

    [GlobalSetup]
    public void Setup()
    {
        var c = Case;
        _savedThreads = Gemm.DefaultMaxThreads;
        Gemm.DefaultMaxThreads = Threads;
        _a = Tensor.Randn([c.Batch, c.M, c.K], seed: 1);
        _b = c.SharedB ? Tensor.Randn([c.K, c.N], seed: 2) : Tensor.Randn([c.Batch, c.K, c.N], seed: 2);
        _gradC = Tensor.Randn([c.Batch, c.M, c.N], seed: 3);
        _aData = _a.ToArray<float>();
        _bData = _b.ToArray<float>();
        _cData = new float[c.Batch * c.M * c.N];
        _aItems = Split(_aData, c.Batch, c.M, c.K);
        _bItems = c.SharedB ? Enumerable.Repeat(_b, c.Batch).ToArray() : Split(_bData, c.Batch, c.K, c.N);
        _gradItems = Split(_gradC.ToArray<float>(), c.Batch, c.M, c.N);
        foreach (var t in (Tensor[])[_a, _b, .. _aItems, .. _bItems])
        {
            t.RequiresGrad = Case.Backward;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Gemm.DefaultMaxThreads = _savedThreads;

    /// <summary>A 2-D MatMul per batch item (separate tensors prepared in setup).</summary>
    [Benchmark(Baseline = true)]
    public void LoopOf2D()
    {
        if (!Case.Backward)
        {
            using (Tape.NoGrad())
            {
                for (int i = 0; i < _aItems.Length; i++)
                {
                    _aItems[i].MatMul(_bItems[i]);
                }
            }

            return;
        }

        for (int i = 0; i < _aItems.Length; i++)
        {
            _aItems[i].MatMul(_bItems[i]).Backward(_gradItems[i]);
        }
    }

    /// <summary>One batched MatMul over the whole batch.</summary>
    [Benchmark]
    public void Batched()
    {
        if (!Case.Backward)
        {
            using (Tape.NoGrad())
            {
                _a.MatMul(_b);
            }

            return;
        }

        _a.MatMul(_b).Backward(_gradC);
    }

    /// <summary>The kernel alone: <see cref="Gemm.Multiply(GemmKernel, bool, bool, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool, int?)"/> per item on slices.</summary>
    [Benchmark]
    public void GemmLoop()
    {
        var c = Case;
        int sizeA = c.M * c.K, sizeB = c.SharedB ? 0 : c.K * c.N, sizeC = c.M * c.N;
        for (int i = 0; i < c.Batch; i++)
        {
            Gemm.Multiply(GemmKernel.Auto, false, false, c.M, c.N, c.K, _aData.AsSpan(i * sizeA, sizeA),
                _bData.AsSpan(i * sizeB, c.K * c.N), _cData.AsSpan(i * sizeC, sizeC), maxThreads: Threads);
        }
    }

    /// <summary>The kernel alone: one strided batched call.</summary>
    [Benchmark]
    public void GemmBatched()
    {
        var c = Case;
        Gemm.MultiplyBatched(GemmKernel.Auto, false, false, c.M, c.N, c.K, c.Batch, _aData, c.M * c.K, _bData,
            c.SharedB ? 0 : c.K * c.N, _cData, maxThreads: Threads);
    }

    private static Tensor[] Split(float[] data, int batch, int rows, int columns) =>
        Enumerable.Range(0, batch)
            .Select(i => Tensor.FromArray(data.AsSpan(i * rows * columns, rows * columns).ToArray(), rows, columns))
            .ToArray();

    /// <summary>GFLOP/s next to the times; the kernel-only methods run forward products only.</summary>
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new GflopsColumn());
            AddFilter(new SimpleFilter(Include));
        }

        private static bool Include(BenchmarkCase benchmarkCase) =>
            !((BatchedCase)benchmarkCase.Parameters[nameof(Case)]).Backward
            || benchmarkCase.Descriptor.WorkloadMethod.Name is nameof(LoopOf2D) or nameof(Batched);
    }
}
