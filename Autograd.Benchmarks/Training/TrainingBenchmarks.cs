using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Training;

/// <summary>
/// One training step (zero-grad, forward, loss, backward, SGD) of the workloads of Autograd.Benchmarks/Peers/workloads.py;
/// µs per step and bytes allocated per step. For the PyTorch ratio use compare-pytorch.sh, which runs
/// <see cref="WorkloadRunner"/> and workloads.py back to back.
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private Workload _workload = null!;

    /// <summary>W1, W2, W4, W5 (the example CNN, batch 64) and W6 (one transformer block, batch 16 × 128); W3
    /// (1024-4096-4096-10, batch 256) takes seconds per step: it has its own class, <see cref="WideTrainingBenchmarks"/>.</summary>
    [Params("W1", "W2", "W4", "W5", "W6")]
    public string Workload { get; set; } = "W1";

    [GlobalSetup]
    public void Setup() => _workload = Workloads.Create(Workload);

    [Benchmark]
    public void Step() => _workload.Step();
}

/// <summary>W3, the wide MLP, alone: run it by filter (<c>--filter *WideTraining*</c>).</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class WideTrainingBenchmarks
{
    private Workload _workload = null!;

    [GlobalSetup]
    public void Setup() => _workload = Workloads.Create("W3");

    [Benchmark]
    public void Step() => _workload.Step();
}
