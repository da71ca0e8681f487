using Autograd.Optim;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Training;

/// <summary>
/// One optimizer step over the parameters of W2's MLP (784-256-128-10, 235,146 Float32 parameters in six tensors)
/// with fixed gradients: µs per step and bytes allocated per step (zero in steady state).
/// </summary>
[MemoryDiagnoser]
public class OptimizerBenchmarks
{
    private Tensor[] _parameters = [];
    private Optimizer _optimizer = null!;

    /// <summary>The optimizer and its options.</summary>
    [Params("Sgd", "SgdMomentum", "Adam", "AdamW", "AdamAmsgrad", "RMSpropCentered", "Adagrad", "AdamWTwoGroups")]
    public string Optimizer { get; set; } = "Adam";

    [GlobalSetup]
    public void Setup()
    {
        int[][] shapes = [[256, 784], [256], [128, 256], [128], [10, 128], [10]];
        _parameters = shapes.Select((shape, i) =>
        {
            var p = Tensor.Randn(shape, seed: i);
            p.RequiresGrad = true;
            (p * p).Sum().Backward();   // a gradient that stays for every step
            return p;
        }).ToArray();
        _optimizer = Optimizer switch
        {
            "Sgd" => new Sgd(_parameters, 1e-6),
            "SgdMomentum" => new Sgd(_parameters, 1e-6, momentum: 0.9),
            "Adam" => new Adam(_parameters, 1e-6),
            "AdamW" => new AdamW(_parameters, 1e-6),
            "AdamAmsgrad" => new Adam(_parameters, 1e-6, amsgrad: true),
            "RMSpropCentered" => new RMSprop(_parameters, 1e-6, momentum: 0.9, centered: true),
            "Adagrad" => new Adagrad(_parameters, 1e-6),
            "AdamWTwoGroups" => new AdamW(
                [new ParamGroup(_parameters.Where(p => p.Rank == 2)), new ParamGroup(_parameters.Where(p => p.Rank == 1)) { WeightDecay = 0 }],
                1e-6),
            _ => throw new ArgumentException(Optimizer),
        };
        _optimizer.Step();   // the state buffers exist from here on
    }

    [Benchmark]
    public void Step() => _optimizer.Step();
}
