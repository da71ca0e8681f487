using Autograd.Kernels;
using Autograd.Ops;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Elementwise;

/// <summary>
/// The kernels of issue 12 (two threads above a threshold) and issue 14 (128-bit vector paths) on 1M floats, against a
/// copy of 1M floats measured in the same run. The class has no thread parameter: run it once in a process that sees
/// one core and once in one that sees two, and once more with <c>DOTNET_EnableAVX=0</c> for the 128-bit paths:
/// <code>
/// taskset -c 0 dotnet run -c Release --project Autograd.Benchmarks -- --filter '*ParallelElementwise*'
/// dotnet run -c Release --project Autograd.Benchmarks -- --filter '*ParallelElementwise*'
/// DOTNET_EnableAVX=0 dotnet run -c Release --project Autograd.Benchmarks -- --filter '*ParallelElementwise*'
/// </code>
/// </summary>
[MemoryDiagnoser]
public class ParallelElementwiseBenchmarks
{
    private const int Count = 1 << 20;
    private const int Rows = 1024;
    private const int Columns = Count / Rows;
    private float[] _x = null!;
    private float[] _y = null!;
    private float[] _destination = null!;
    private bool[] _mask = null!;
    private Tensor _rows = null!;
    private Tensor _images = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = Tensor.Randn([Count], 1).ToArray<float>();
        _y = Tensor.Randn([Count], 2).ToArray<float>();
        _destination = new float[Count];
        _mask = new bool[Count];
        _rows = Tensor.Randn([Rows, Columns], 3);
        _images = Tensor.Randn([64, 32, 28, 28], 4);   // W5's first pooling: 1.6M elements
    }

    /// <summary>The bandwidth peer: read 1M floats, write 1M floats, one thread.</summary>
    [Benchmark(Baseline = true)]
    public void Copy() => _x.AsSpan().CopyTo(_destination);

    /// <summary>x + y: the kernel of <c>a + b</c> (blocks, on two threads when the process has two cores).</summary>
    [Benchmark]
    public void Add() => Broadcast.Apply<AddKernel, float>(_x, [Count], _y, [Count], _destination, [Count]);

    /// <summary>max(x, 0): ReLU's forward kernel, through the same blocks as <c>x.Relu()</c>.</summary>
    [Benchmark]
    public void Relu() =>
        ElementwiseParallel.Run(_x, default, default, _destination, new ReluChunk(), ElementCost.Memory);

    /// <summary>Σx: the kernel of <c>x.Sum()</c> (fixed blocks, block sums added in order).</summary>
    [Benchmark]
    public float Sum() => BlockedReductions.Sum<float>(_x, BlockedReductions.ThreadsFor(Count));

    /// <summary>max x: the kernel of <c>x.Max()</c>.</summary>
    [Benchmark]
    public float Max() => BlockedReductions.ArgExtremum<float, Greatest>(_x, BlockedReductions.ThreadsFor(Count)).Value;

    /// <summary>x &gt; y into a Bool array: the comparison kernel (AVX2, else 128-bit vectors).</summary>
    [Benchmark]
    public void Greater() => ComparisonKernels.Apply<GreaterTest, float>(_x, [Count], _y, [Count], _mask, [Count]);

    /// <summary>Softmax of 1,024 rows of 1,024.</summary>
    [Benchmark]
    public void SoftmaxRows() => AxisKernels.Softmax<float>(_x, Rows, Columns, 1, _destination, log: false);

    /// <summary>Log-softmax of 1,024 rows of 1,024 (cross-entropy's forward).</summary>
    [Benchmark]
    public void LogSoftmaxRows() => AxisKernels.Softmax<float>(_x, Rows, Columns, 1, _destination, log: true);

    /// <summary>LayerNorm over rows of 1,024 (no affine), under NoGrad; includes the output's allocation.</summary>
    [Benchmark]
    public Tensor LayerNormRows()
    {
        using (Tape.NoGrad())
        {
            return Functional.LayerNorm(_rows, [Columns]);
        }
    }

    /// <summary>BatchNorm in training mode (batch statistics) of W5's [64,32,28,28] activations, under NoGrad.</summary>
    [Benchmark]
    public Tensor BatchNormImages()
    {
        using (Tape.NoGrad())
        {
            return Functional.BatchNorm(_images, null, null, training: true);
        }
    }

    /// <summary>2×2 max pooling of W5's [64,32,28,28] activations, under NoGrad; includes the output's allocation.</summary>
    [Benchmark]
    public Tensor MaxPool()
    {
        using (Tape.NoGrad())
        {
            return Functional.MaxPool2d(_images, 2);
        }
    }

    private readonly struct ReluChunk : IElementwiseChunk<float>
    {
        public void Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> destination) =>
            default(ReluOp).Forward(a, destination);
    }
}
