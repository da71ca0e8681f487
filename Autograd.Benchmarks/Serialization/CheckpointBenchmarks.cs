using Autograd.Data;
using Autograd.NN;
using Autograd.Optim;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Serialization;

/// <summary>
/// A checkpoint of the fashion-mnist example's run (the 784-256-128-10 MLP, 235,146 parameters, with Adam's two
/// buffers per parameter: 2.8 MB) saved and restored, against saving and loading the weights alone (0.9 MB), as the
/// example did before. The checkpoint is flushed to disk before it replaces the old file; the weights are not.
/// Figures: docs/TRAINING.md, "Checkpoints and resuming".
/// </summary>
[MemoryDiagnoser]
public class CheckpointBenchmarks
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"autograd-checkpoint-bench-{Environment.ProcessId}");
    private Mlp _model = null!;
    private Adam _optimizer = null!;
    private CosineAnnealingLR _schedule = null!;
    private DataLoader _loader = null!;

    private string CheckpointPath => Path.Combine(_directory, "run.ckpt");

    private string WeightsPath => Path.Combine(_directory, "weights.safetensors");

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_directory);
        _model = new Mlp([784, 256, 128, 10], seed: 1);
        _optimizer = new Adam(_model.Parameters(), lr: 1e-3);
        _schedule = new CosineAnnealingLR(_optimizer, tMax: 100);
        _loader = new DataLoader(Tensor.Randn([256, 784], seed: 2), new int[256], batchSize: 128, seed: 3);
        foreach (var batch in _loader)
        {
            _optimizer.ZeroGrad();
            Loss.CrossEntropy(_model.Forward(batch.X), batch.Labels).Backward();
            _optimizer.Step();
            _schedule.Step();
        }

        SaveCheckpoint();
        SaveWeights();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Baseline = true)]
    public void SaveWeights() => _model.Save(WeightsPath);

    [Benchmark]
    public void SaveCheckpoint() => Checkpoint.Save(CheckpointPath, _model, _optimizer, _schedule, _loader, epoch: 2);

    [Benchmark]
    public void LoadWeights() => _model.Load(WeightsPath);

    [Benchmark]
    public void LoadAndRestoreCheckpoint() => Checkpoint.Load(CheckpointPath).Restore(_model, _optimizer, _schedule, _loader);
}
