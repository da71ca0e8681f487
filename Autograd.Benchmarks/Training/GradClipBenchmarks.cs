using Autograd.Optim;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Training;

/// <summary>
/// Gradient clipping over the gradients of W2's MLP (235,146 Float32 elements in six tensors): the norm of each order
/// (summed in double, a chunk at a time) and the scaling, and clipping by value. The limits are large, so the
/// gradients keep their values from one call to the next.
/// </summary>
[MemoryDiagnoser]
public class GradClipBenchmarks
{
    private Tensor[] _parameters = [];

    /// <summary>The norm's order: 2, 1, 3 (the general power path) or ∞.</summary>
    [Params(2.0, 1.0, 3.0, double.PositiveInfinity)]
    public double NormType { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        int[][] shapes = [[256, 784], [256], [128, 256], [128], [10, 128], [10]];
        _parameters = shapes.Select((shape, i) =>
        {
            var p = Tensor.Randn(shape, seed: i);
            p.RequiresGrad = true;
            (p * p).Sum().Backward();
            return p;
        }).ToArray();
    }

    [Benchmark]
    public double ClipGradNorm() => GradClip.ClipGradNorm(_parameters, maxNorm: 1e30, NormType);

    [Benchmark]
    public void ClipGradValue() => GradClip.ClipGradValue(_parameters, clipValue: 1e30);
}
