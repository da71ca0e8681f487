using Autograd.NN;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Engine;

/// <summary>
/// What the graph path costs against the fast path on the same network (a 64-128-128-10 Tanh MLP, batch 32, float64):
/// a first-order Backward, the same Backward with createGraph (the gradients then carry a graph), and a
/// Hessian-vector product of the loss with respect to the first layer's weights (double backward).
/// </summary>
[MemoryDiagnoser]
public class HigherOrderBenchmarks
{
    private readonly Sequential _model = new(
        new Linear(64, 128, seed: 1, dtype: DType.Float64), new Tanh(),
        new Linear(128, 128, seed: 2, dtype: DType.Float64), new Tanh(),
        new Linear(128, 10, seed: 3, dtype: DType.Float64));

    private readonly Tensor _x = Tensor.Randn([32, 64], 4, DType.Float64);
    private readonly int[] _labels = Enumerable.Range(0, 32).Select(i => i % 10).ToArray();
    private readonly Tensor _v = Tensor.Randn([128, 64], 5, DType.Float64);

    private Tensor Loss() => Autograd.Loss.CrossEntropy(_model.Forward(_x), _labels);

    /// <summary>Forward and first-order Backward (the training step's path).</summary>
    [Benchmark(Baseline = true)]
    public void Backward()
    {
        _model.ZeroGrad();
        Loss().Backward();
    }

    /// <summary>Forward and Backward(createGraph: true): every VJP recorded.</summary>
    [Benchmark]
    public void BackwardCreateGraph()
    {
        _model.ZeroGrad();
        Loss().Backward(createGraph: true);
    }

    /// <summary>H·v for the first layer's weights: forward, a recorded backward, and a backward through it.</summary>
    [Benchmark]
    public Tensor HessianVectorProduct()
    {
        Tensor w = _model.Parameters().First();
        Tensor gradient = Tape.Grad(Loss(), [w], createGraph: true)[0]!;
        return Tape.Grad(gradient, [w], _v)[0]!;
    }
}
