using Autograd.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Autograd.Benchmarks.Kernels;

/// <summary>Which product a convolution benchmark case times.</summary>
public enum ConvPass
{
    /// <summary>y = W·col(x) per item and group.</summary>
    Forward,

    /// <summary>dx = col2im(Wᵀ·G) per item.</summary>
    InputGrad,

    /// <summary>dW = Σn G[n]·col(x[n])ᵀ.</summary>
    WeightGrad,
}

/// <summary>What runs: our convolution kernels, or one GEMM of the same size (the products alone, no im2col, one call).</summary>
public enum ConvImplementation
{
    Conv,
    GemmOnly,
}

/// <summary>A convolution layer's sizes (stride 1, square kernel, groups 1); its name is what the summary shows.</summary>
public sealed record ConvShape(string Name, int N, int C, int H, int W, int O, int K, int Padding) : IFlopCount
{
    internal ConvGeometry Geometry => new("Conv2d", false, N, C, H, W, O, 1, K, K, 1, 1, Padding, Padding, 1, 1);

    /// <summary>2·N·O·OH·OW·C·k²: each pass (forward, input gradient, weight gradient) costs the same.</summary>
    public double Flops => Geometry.Flops;

    public override string ToString() => Name;
}

/// <summary>
/// Float32 convolution throughput on the W5 layers (batch 64: 1×28×28 → 32 channels 3×3 pad 1; 32 → 64 channels
/// 3×3 pad 1 on 14×14), each pass separately, next to a single GEMM of the same m·n·k (forward: [O, C·k²] ·
/// [C·k², N·OH·OW]; input gradient: its transposed-A twin; weight gradient: [O, N·P]·[C·k², N·P]ᵀ), which is
/// what the per-item products would cost with no im2col and no per-item calls.
/// Run: <c>dotnet run -c Release --project Autograd.Benchmarks -- --filter '*Convolution*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ConvolutionBenchmarks
{
    private ConvGeometry _geometry = null!;
    private float[] _x = [], _w = [], _b = [], _y = [], _dx = [], _dw = [];
    private float[] _columns = [];
    private int _savedThreads;

    [ParamsSource(nameof(Shapes))]
    public ConvShape Shape { get; set; } = Shapes.First();

    [ParamsAllValues]
    public ConvPass Pass { get; set; }

    [ParamsAllValues]
    public ConvImplementation Implementation { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<ConvShape> Shapes =>
    [
        new ConvShape("W5 conv1 1→32 28²", 64, 1, 28, 28, 32, 3, 1),
        new ConvShape("W5 conv2 32→64 14²", 64, 32, 14, 14, 64, 3, 1),
    ];

    [GlobalSetup]
    public void Setup()
    {
        _geometry = Shape.Geometry;
        var random = new Random(42);
        float[] Random(int count) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        _x = Random(_geometry.N * _geometry.InputItem);
        _w = Random(_geometry.WeightCount);
        _b = Random(_geometry.O);
        _y = Random(_geometry.N * _geometry.OutputItem);
        _dx = new float[_x.Length];
        _dw = new float[_w.Length];
        _columns = Random(_geometry.GroupRows * _geometry.N * _geometry.Positions);
        _savedThreads = Gemm.DefaultMaxThreads;
        Gemm.DefaultMaxThreads = Threads;
    }

    [GlobalCleanup]
    public void Cleanup() => Gemm.DefaultMaxThreads = _savedThreads;

    [Benchmark]
    public void Run()
    {
        var g = _geometry;
        int rows = g.GroupRows, columns = g.N * g.Positions;
        switch (Pass, Implementation)
        {
            case (ConvPass.Forward, ConvImplementation.Conv):
                ConvolutionKernels.Forward(g, _x, _w, _b, _y);
                break;
            case (ConvPass.InputGrad, ConvImplementation.Conv):
                ConvolutionKernels.InputGrad(g, _y, _w, _dx);
                break;
            case (ConvPass.WeightGrad, ConvImplementation.Conv):
                ConvolutionKernels.WeightGrad(g, _x, _y, _dw);
                break;
            case (ConvPass.Forward, _):
                Gemm.Multiply(GemmKernel.Auto, false, false, g.O, columns, rows, _w, _columns, _y, maxThreads: Threads);
                break;
            case (ConvPass.InputGrad, _):
                Gemm.Multiply(GemmKernel.Auto, true, false, rows, columns, g.O, _w, _y, _columns, maxThreads: Threads);
                break;
            default:
                Gemm.Multiply(GemmKernel.Auto, false, true, g.O, rows, columns, _y, _columns, _dw, maxThreads: Threads);
                break;
        }
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }
}
