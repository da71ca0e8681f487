using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Autograd.Data;
using Autograd.NN;
using Autograd.Optim;

namespace Autograd.Tests.Serialization;

/// <summary>
/// Checkpoints: a run interrupted after some epochs, saved to a file, restored into freshly built objects and
/// continued ends with the same bits (weights, optimizer state, schedule, random state) as the uninterrupted run, for
/// several optimizers and schedules; the file keeps every part; and the errors of files and objects that do not fit,
/// after which nothing has changed. Resuming in the middle of an epoch is not supported, so not tested.
/// </summary>
public class CheckpointTests
{
    private const int Samples = 52;   // batches of 8: the last one holds 4
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() =>
        _directory = Directory.CreateTempSubdirectory("checkpoint-tests-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>
    /// A small training run: Linear, BatchNorm1d (an Int64 buffer), ReLU, Dropout, Linear; a shuffled loader; an
    /// optimizer and a schedule chosen by name. The seed seeds the weights, the dropout masks and the
    /// shuffling, so a run built with another seed differs in every random state that a restore must overwrite.
    /// </summary>
    private sealed class Run
    {
        private readonly string _setup;

        public Run(string setup, int seed = 1, DType dtype = DType.Float32)
        {
            _setup = setup;
            Model = new Sequential(
                new Linear(4, 16, seed: seed, dtype: dtype),
                new BatchNorm1d(16, dtype: dtype),
                new ReLU(),
                new Dropout(0.25, seed: seed + 1),
                new Linear(16, 3, seed: seed + 2, dtype: dtype));
            var x = Tensor.Randn([Samples, 4], seed: 11, dtype);   // the same data whatever the seed
            var labels = Enumerable.Range(0, Samples).Select(i => (i * 7) % 3).ToArray();
            Loader = new DataLoader(x, labels, batchSize: 8, shuffle: true, seed: seed + 3);
            switch (setup)
            {
                case "Adam+CosineAnnealingLR per batch":
                    Optimizer = new Adam(Model.Parameters(), lr: 0.01);
                    Scheduler = new CosineAnnealingLR(Optimizer, tMax: 20);
                    break;
                case "Sgd momentum+StepLR per epoch":
                    Optimizer = new Sgd(Model.Parameters(), lr: 0.1, momentum: 0.9, weightDecay: 1e-4);
                    Scheduler = new StepLR(Optimizer, stepSize: 2, gamma: 0.5);
                    break;
                case "RMSprop+OneCycleLR per batch":
                    Optimizer = new RMSprop(Model.Parameters(), lr: 0.01, momentum: 0.5);
                    Scheduler = new OneCycleLR(Optimizer, maxLr: 0.02, totalSteps: 4 * 7);
                    break;
                case "AdamW+ReduceLROnPlateau":
                    Optimizer = new AdamW(Model.Parameters(), lr: 0.01, amsgrad: true);
                    Plateau = new ReduceLROnPlateau(Optimizer, factor: 0.5, patience: 0);
                    break;
                default:
                    throw new ArgumentException(setup);
            }
        }

        public Sequential Model { get; }

        public Optimizer Optimizer { get; }

        public LRScheduler? Scheduler { get; }

        public ReduceLROnPlateau? Plateau { get; }

        public DataLoader Loader { get; }

        public void Epochs(int count)
        {
            for (var e = 0; e < count; e++)
            {
                Model.Train();
                double lossSum = 0;
                foreach (var batch in Loader)
                {
                    Optimizer.ZeroGrad();
                    var loss = Loss.CrossEntropy(Model.Forward(batch.X), batch.Labels);
                    loss.Backward();
                    Optimizer.Step();
                    lossSum += loss.Item();
                    if (_setup.EndsWith("per batch", StringComparison.Ordinal))
                    {
                        Scheduler!.Step();
                    }
                }

                if (_setup.EndsWith("per epoch", StringComparison.Ordinal))
                {
                    Scheduler!.Step();
                }

                Plateau?.Step(Loader.Epoch == 1 ? lossSum : lossSum + 1);   // worse after the first epoch: the rate halves
            }
        }

        public void Save(string path, int epoch)
        {
            if (Plateau is null)
            {
                Checkpoint.Save(path, Model, Optimizer, Scheduler, Loader, epoch, globalStep: epoch * Loader.BatchCount);
            }
            else
            {
                Checkpoint.Save(path, Model, Optimizer, Plateau, Loader, epoch, globalStep: epoch * Loader.BatchCount);
            }
        }

        public void Restore(Checkpoint checkpoint)
        {
            if (Plateau is null)
            {
                checkpoint.Restore(Model, Optimizer, Scheduler, Loader);
            }
            else
            {
                checkpoint.Restore(Model, Optimizer, Plateau, Loader);
            }
        }

        public string ScheduleState() => (Plateau?.StateDict() ?? Scheduler!.StateDict()).ToJsonString();
    }

    public static IEnumerable<TestCaseData> Setups() =>
    [
        new("Adam+CosineAnnealingLR per batch", DType.Float32),
        new("Sgd momentum+StepLR per epoch", DType.Float32),
        new("RMSprop+OneCycleLR per batch", DType.Float32),
        new("AdamW+ReduceLROnPlateau", DType.Float32),
        new("Adam+CosineAnnealingLR per batch", DType.Float64),
    ];

    private static byte[] Bits(Tensor tensor) => tensor.DType switch
    {
        DType.Float32 => MemoryMarshal.AsBytes(tensor.ToArray<float>().AsSpan()).ToArray(),
        DType.Float64 => MemoryMarshal.AsBytes(tensor.ToArray<double>().AsSpan()).ToArray(),
        DType.Int64 => MemoryMarshal.AsBytes(tensor.ToArray<long>().AsSpan()).ToArray(),
        _ => throw new ArgumentException(tensor.DType.ToString()),
    };

    private static Dictionary<string, byte[]> Bits(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(t => t.Key, t => Bits(t.Value));

    private static void AssertSameState(Run expected, Run actual)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Bits(actual.Model.StateDict()), Is.EqualTo(Bits(expected.Model.StateDict())), "weights and buffers");
            var (expectedOptimizer, actualOptimizer) = (expected.Optimizer.StateDict(), actual.Optimizer.StateDict());
            Assert.That(Bits(actualOptimizer.ToTensors()), Is.EqualTo(Bits(expectedOptimizer.ToTensors())), "optimizer buffers");
            Assert.That(actualOptimizer.ToJson().ToJsonString(), Is.EqualTo(expectedOptimizer.ToJson().ToJsonString()), "optimizer steps and groups");
            Assert.That(actual.ScheduleState(), Is.EqualTo(expected.ScheduleState()), "schedule");
            Assert.That(actual.Model.NamedGenerators().Select(g => g.Generator.State),
                Is.EqualTo(expected.Model.NamedGenerators().Select(g => g.Generator.State)), "dropout generator");
            Assert.That((actual.Loader.Epoch, actual.Loader.Generator.State),
                Is.EqualTo((expected.Loader.Epoch, expected.Loader.Generator.State)), "loader");
        });
    }

    [TestCaseSource(nameof(Setups))]
    public void ResumedRun_EndsWithTheUninterruptedRunsWeights_BitForBit(string setup, DType dtype)
    {
        var uninterrupted = new Run(setup, dtype: dtype);
        uninterrupted.Epochs(4);

        var interrupted = new Run(setup, dtype: dtype);
        interrupted.Epochs(2);
        var weightsAfterTwo = Bits(interrupted.Model.StateDict());
        interrupted.Save(PathOf("run.ckpt"), epoch: 2);

        var resumed = new Run(setup, seed: 100, dtype: dtype);   // other weights, masks and order until restored
        var checkpoint = Checkpoint.Load(PathOf("run.ckpt"));
        resumed.Restore(checkpoint);
        Assert.That(checkpoint.Epoch, Is.EqualTo(2));
        resumed.Epochs(4 - checkpoint.Epoch);

        AssertSameState(uninterrupted, resumed);
        Assert.That(Bits(resumed.Model.StateDict()), Is.Not.EqualTo(weightsAfterTwo), "the last two epochs trained");
    }

    [Test]
    public void ResumedRun_WithoutTheRandomState_Differs()
    {
        // The control of the test above: the same restore minus the generators' and loader's states diverges.
        var uninterrupted = new Run("Adam+CosineAnnealingLR per batch");
        uninterrupted.Epochs(4);
        var interrupted = new Run("Adam+CosineAnnealingLR per batch");
        interrupted.Epochs(2);
        var checkpoint = Checkpoint.Capture(interrupted.Model, interrupted.Optimizer, interrupted.Scheduler);

        var resumed = new Run("Adam+CosineAnnealingLR per batch", seed: 100);
        resumed.Model.LoadStateDict(checkpoint.ModelState);
        resumed.Optimizer.LoadStateDict(checkpoint.OptimizerState);
        resumed.Scheduler!.LoadStateDict(checkpoint.SchedulerState!);
        resumed.Epochs(2);

        Assert.That(Bits(resumed.Model.StateDict()), Is.Not.EqualTo(Bits(uninterrupted.Model.StateDict())));
    }

    [Test]
    public void File_KeepsEveryPart_UnderItsName()
    {
        var run = new Run("AdamW+ReduceLROnPlateau");
        run.Epochs(2);
        var captured = Checkpoint.Capture(run.Model, run.Optimizer, run.Plateau!, run.Loader, epoch: 2, globalStep: 14,
            metadata: new Dictionary<string, string> { ["loss"] = "0.25", ["note"] = "two epochs" });
        captured.Save(PathOf("run.ckpt"));
        var loaded = Checkpoint.Load(PathOf("run.ckpt"));

        Assert.Multiple(() =>
        {
            Assert.That(Bits(loaded.ModelState), Is.EqualTo(Bits(run.Model.StateDict())));
            Assert.That(loaded.OptimizerType, Is.EqualTo("AdamW"));
            Assert.That(Bits(loaded.OptimizerState.ToTensors()), Is.EqualTo(Bits(captured.OptimizerState.ToTensors())));
            Assert.That(loaded.OptimizerState.ToJson().ToJsonString(), Is.EqualTo(captured.OptimizerState.ToJson().ToJsonString()));
            Assert.That(loaded.SchedulerType, Is.EqualTo("ReduceLROnPlateau"));
            Assert.That(loaded.SchedulerState!.ToJsonString(), Is.EqualTo(run.Plateau!.StateDict().ToJsonString()));
            Assert.That(loaded.GeneratorStates, Is.EqualTo(new Dictionary<string, ulong> { ["3.generator"] = run.Model.NamedGenerators().Single().Generator.State }));
            Assert.That(loaded.LoaderState, Is.EqualTo(new CheckpointLoaderState(2, run.Loader.Generator.State, Samples, Shuffle: true)));
            Assert.That((loaded.Epoch, loaded.GlobalStep), Is.EqualTo((2, 14L)));
            Assert.That(loaded.Metadata, Is.EqualTo(new Dictionary<string, string> { ["loss"] = "0.25", ["note"] = "two epochs" }));
        });

        // Readable by any safetensors reader: PyTorch's names under two prefixes, the rest in the metadata.
        var header = SafeTensors.ReadHeader(PathOf("run.ckpt"));
        Assert.That(header.Tensors.Keys, Does.Contain("model.0.weight").And.Contain("model.1.num_batches_tracked")
            .And.Contain("optimizer.state.0.exp_avg").And.Contain("optimizer.state.4.max_exp_avg_sq"));
        Assert.That(header.Metadata["format"], Is.EqualTo("autograd.checkpoint"));
        Assert.That(header.Metadata["format_version"], Is.EqualTo("1"));
        var optimizer = JsonNode.Parse(header.Metadata["optimizer"])!;
        Assert.That(optimizer["param_groups"]![0]!["params"]!.AsArray().Count, Is.EqualTo(6));
        Assert.That(optimizer["state"]!["0"]!["step"]!.GetValue<double>(), Is.EqualTo(14));
    }

    [Test]
    public void Capture_IsASnapshot()
    {
        var run = new Run("Adam+CosineAnnealingLR per batch");
        run.Epochs(1);
        var checkpoint = Checkpoint.Capture(run.Model, run.Optimizer, run.Scheduler, run.Loader, epoch: 1);
        var (weights, buffers) = (Bits(checkpoint.ModelState), Bits(checkpoint.OptimizerState.ToTensors()));
        var (dropout, order) = (checkpoint.GeneratorStates["3.generator"], checkpoint.LoaderState!.GeneratorState);

        run.Epochs(1);

        Assert.That(Bits(checkpoint.ModelState), Is.EqualTo(weights));
        Assert.That(Bits(checkpoint.OptimizerState.ToTensors()), Is.EqualTo(buffers));
        Assert.That(Bits(run.Model.StateDict()), Is.Not.EqualTo(weights));
        Assert.That(run.Model.NamedGenerators().Single().Generator.State, Is.Not.EqualTo(dropout));
        Assert.That(run.Loader.Generator.State, Is.Not.EqualTo(order));
    }

    [Test]
    public void Save_ReplacesTheFileAtomically_AndLeavesNoTemporaryFile()
    {
        var run = new Run("Sgd momentum+StepLR per epoch");
        run.Save(PathOf("run.ckpt"), epoch: 0);
        run.Epochs(1);
        run.Save(PathOf("run.ckpt"), epoch: 1);

        Assert.That(Checkpoint.Load(PathOf("run.ckpt")).Epoch, Is.EqualTo(1));
        Assert.That(Directory.GetFiles(_directory).Select(Path.GetFileName), Is.EqualTo(new[] { "run.ckpt" }));

        var missingFolder = Path.Combine(_directory, "absent", "run.ckpt");
        Assert.Throws<DirectoryNotFoundException>(() => run.Save(missingFolder, epoch: 1));
        Assert.That(Directory.GetFiles(_directory).Select(Path.GetFileName), Is.EqualTo(new[] { "run.ckpt" }));
    }

    [Test]
    public void Capture_RejectsReservedMetadataKeys_AndNegativeCounters()
    {
        var run = new Run("Sgd momentum+StepLR per epoch");
        var e = Assert.Throws<ArgumentException>(() =>
            Checkpoint.Capture(run.Model, run.Optimizer, metadata: new Dictionary<string, string> { ["epoch"] = "3" }));
        Assert.That(e!.Message, Does.Contain("'epoch'").And.Contain("the file uses itself"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Checkpoint.Capture(run.Model, run.Optimizer, epoch: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Checkpoint.Capture(run.Model, run.Optimizer, globalStep: -1));
    }

    // ---- Files that are not checkpoints, or not whole ones ----

    /// <summary>Saves a checkpoint, lets <paramref name="edit"/> change its tensors and metadata, and writes them back.</summary>
    private string EditedCheckpoint(Action<Dictionary<string, Tensor>, Dictionary<string, string>> edit)
    {
        var run = new Run("Adam+CosineAnnealingLR per batch");
        run.Epochs(1);
        run.Save(PathOf("run.ckpt"), epoch: 1);
        var tensors = new Dictionary<string, Tensor>(SafeTensors.Load(PathOf("run.ckpt"), out var metadata));
        var edited = new Dictionary<string, string>(metadata);
        edit(tensors, edited);
        SafeTensors.Save(PathOf("edited.ckpt"), tensors, edited);
        return PathOf("edited.ckpt");
    }

    [Test]
    public void Load_OfAWeightsFile_SaysItIsNotACheckpoint()
    {
        new Run("Adam+CosineAnnealingLR per batch").Model.Save(PathOf("weights.safetensors"));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(PathOf("weights.safetensors")));
        Assert.That(e!.Message, Does.Contain("weights.safetensors").And.Contain("not a checkpoint").And.Contain("Module.Load"));
    }

    [Test]
    public void Load_OfALaterFormatVersion_IsRefused()
    {
        var path = EditedCheckpoint((_, metadata) => metadata["format_version"] = "2");
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.That(e!.Message, Does.Contain("format version 2").And.Contain("later version"));
    }

    [TestCase("epoch", null, "the metadata has no 'epoch'")]
    [TestCase("epoch", "-1", "'epoch' must be a non-negative integer")]
    [TestCase("optimizer_type", null, "the metadata has no 'optimizer_type'")]
    [TestCase("optimizer", "{\"state\": {}", "'optimizer' is not valid JSON")]
    [TestCase("optimizer", "{\"state\": {}}", "the optimizer state is malformed")]
    [TestCase("scheduler", null, "'scheduler_type' and 'scheduler' without the other")]
    [TestCase("generators", "{\"3.generator\": 5}", "generators.3.generator must be a generator state")]
    [TestCase("data_loader", "{\"epoch\": 1}", "'data_loader' has no 'generator_state'")]
    public void Load_NamesAMissingOrMalformedEntry(string key, string? value, string message)
    {
        var path = EditedCheckpoint((_, metadata) =>
        {
            if (value is null)
            {
                metadata.Remove(key);
            }
            else
            {
                metadata[key] = value;
            }
        });
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.That(e!.Message, Does.Contain("edited.ckpt").And.Contain(message));
    }

    [Test]
    public void Load_RejectsATensorOutsideTheModelAndOptimizer_AndAStrayOptimizerBuffer()
    {
        var path = EditedCheckpoint((tensors, _) => tensors["extra"] = Tensor.Zeros([2]));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.That(e!.Message, Does.Contain("tensor 'extra' is neither the model's"));

        path = EditedCheckpoint((tensors, _) => tensors["optimizer.state.99.exp_avg"] = Tensor.Zeros([2]));
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.That(e!.Message, Does.Contain("state.99.exp_avg").And.Contain("no entry"));
    }

    // ---- Objects that do not fit: named, and nothing changes ----

    /// <summary>Restoring into <paramref name="target"/> throws; its model, optimizer, schedule and loader are unchanged.</summary>
    private static string RestoreFails(Checkpoint checkpoint, Run target, Action<Checkpoint> restore)
    {
        var weights = Bits(target.Model.StateDict());
        var optimizer = target.Optimizer.StateDict().ToJson().ToJsonString();
        var schedule = target.ScheduleState();
        var generators = target.Model.NamedGenerators().Select(g => g.Generator.State).ToArray();
        var loader = (target.Loader.Epoch, target.Loader.Generator.State);

        var e = Assert.Throws<ArgumentException>(() => restore(checkpoint));

        Assert.Multiple(() =>
        {
            Assert.That(e!.Message, Does.Contain("Nothing was restored"));
            Assert.That(Bits(target.Model.StateDict()), Is.EqualTo(weights));
            Assert.That(target.Optimizer.StateDict().ToJson().ToJsonString(), Is.EqualTo(optimizer));
            Assert.That(target.ScheduleState(), Is.EqualTo(schedule));
            Assert.That(target.Model.NamedGenerators().Select(g => g.Generator.State), Is.EqualTo(generators));
            Assert.That((target.Loader.Epoch, target.Loader.Generator.State), Is.EqualTo(loader));
        });
        return e!.Message;
    }

    private static Checkpoint TrainedCheckpoint(string setup = "Adam+CosineAnnealingLR per batch")
    {
        var run = new Run(setup);
        run.Epochs(1);
        return run.Plateau is null
            ? Checkpoint.Capture(run.Model, run.Optimizer, run.Scheduler, run.Loader, epoch: 1)
            : Checkpoint.Capture(run.Model, run.Optimizer, run.Plateau, run.Loader, epoch: 1);
    }

    [Test]
    public void Restore_IntoAModelOfOtherShapes_NamesEveryTensor()
    {
        var target = new Run("Adam+CosineAnnealingLR per batch");
        var wider = new Sequential(new Linear(4, 16), new BatchNorm1d(16), new ReLU(), new Dropout(0.25), new Linear(16, 5), new Linear(5, 2));
        var message = RestoreFails(TrainedCheckpoint(), target, c => c.Restore(wider, target.Optimizer, target.Scheduler, target.Loader));
        Assert.That(message, Does.Contain("missing tensor(s) 'model.5.weight', 'model.5.bias'")
            .And.Contain("'model.4.weight' has shape [3,16] in the checkpoint, [5,16] in the model"));
    }

    [Test]
    public void Restore_IntoAModelOfAnotherDtype_NamesIt()
    {
        var target = new Run("Adam+CosineAnnealingLR per batch", dtype: DType.Float64);
        var message = RestoreFails(TrainedCheckpoint(), target, target.Restore);
        Assert.That(message, Does.Contain("'model.0.weight' is Float32 in the checkpoint, Float64 in the model"));
    }

    [Test]
    public void Restore_IntoAnotherOptimizerClass_NamesBoth()
    {
        var target = new Run("Sgd momentum+StepLR per epoch");
        var message = RestoreFails(TrainedCheckpoint(), target, c => c.Restore(target.Model, target.Optimizer, new CosineAnnealingLR(target.Optimizer, 20), target.Loader));
        Assert.That(message, Does.Contain("optimizer state of class Adam, and the optimizer given is of class Sgd"));

        var adamW = new AdamW(target.Model.Parameters());   // a subclass of Adam is another optimizer
        message = RestoreFails(TrainedCheckpoint(), target, c => c.Restore(target.Model, adamW, new CosineAnnealingLR(adamW, 20), target.Loader));
        Assert.That(message, Does.Contain("class Adam, and the optimizer given is of class AdamW"));
    }

    [Test]
    public void Restore_WithAnotherScheduleOrNone_NamesIt()
    {
        var target = new Run("Sgd momentum+StepLR per epoch");
        var adam = new Adam(target.Model.Parameters());
        var message = RestoreFails(TrainedCheckpoint(), target, c => c.Restore(target.Model, adam, new StepLR(adam, 2), target.Loader));
        Assert.That(message, Does.Contain("schedule state of class CosineAnnealingLR, and the schedule given is of class StepLR"));

        message = RestoreFails(TrainedCheckpoint(), target, c => c.Restore(target.Model, adam, loader: target.Loader));
        Assert.That(message, Does.Contain("pass the schedule to Restore"));

        var plateau = TrainedCheckpoint("AdamW+ReduceLROnPlateau");
        var adamW = new AdamW(target.Model.Parameters());
        message = RestoreFails(plateau, target, c => c.Restore(target.Model, adamW, new CosineAnnealingLR(adamW, 20), target.Loader));
        Assert.That(message, Does.Contain("of class ReduceLROnPlateau, and the schedule given is of class CosineAnnealingLR"));

        var unscheduled = Checkpoint.Capture(target.Model, target.Optimizer, loader: target.Loader);
        message = RestoreFails(unscheduled, target, c => c.Restore(target.Model, target.Optimizer, target.Scheduler, target.Loader));
        Assert.That(message, Does.Contain("a StepLR schedule was given, but the checkpoint holds no schedule state"));
    }

    [Test]
    public void Restore_WithAnotherLoaderOrNone_NamesIt()
    {
        var target = new Run("Adam+CosineAnnealingLR per batch");
        var message = RestoreFails(TrainedCheckpoint(), target, c => c.Restore(target.Model, target.Optimizer, target.Scheduler));
        Assert.That(message, Does.Contain("pass the training loader to Restore"));

        var smaller = new DataLoader(Tensor.Zeros([10, 4]), new int[10], batchSize: 8, seed: 1);
        message = RestoreFails(TrainedCheckpoint(), target, c => c.Restore(target.Model, target.Optimizer, target.Scheduler, smaller));
        Assert.That(message, Does.Contain("the saved loader drew from 52 samples, shuffled; this one draws from 10, shuffled"));

        var withoutLoader = Checkpoint.Capture(target.Model, target.Optimizer, target.Scheduler);
        message = RestoreFails(withoutLoader, target, target.Restore);
        Assert.That(message, Does.Contain("a data loader was given, but the checkpoint holds no loader state"));
    }

    [Test]
    public void Restore_IntoAModelWithOtherGenerators_NamesThem()
    {
        var target = new Run("Adam+CosineAnnealingLR per batch");
        var withoutDropout = new Sequential(new Linear(4, 16), new BatchNorm1d(16), new ReLU(), new ReLU(), new Linear(16, 3));
        var message = RestoreFails(TrainedCheckpoint(), target, c => c.Restore(withoutDropout, target.Optimizer, target.Scheduler, target.Loader));
        Assert.That(message, Does.Contain("the model's random generators (none) are not the checkpoint's ('3.generator')"));
    }

    [Test]
    public void Restore_OfAnOptimizerStateThatDoesNotFit_PutsTheScheduleBack()
    {
        // Two parameter groups of 2 and 4 parameters saved, two of 3 and 3 given: the schedule's state fits (it only
        // counts groups) and loads first; the optimizer's does not, and the schedule is put back.
        static (Adam, CosineAnnealingLR) Grouped(Module model, int split)
        {
            var parameters = model.Parameters().ToList();
            var adam = new Adam([new ParamGroup(parameters.Take(split)), new ParamGroup(parameters.Skip(split))]);
            return (adam, new CosineAnnealingLR(adam, tMax: 20));
        }

        var saved = new Run("Adam+CosineAnnealingLR per batch");
        var (savedAdam, savedSchedule) = Grouped(saved.Model, 2);
        savedSchedule.Step();
        savedSchedule.Step();
        var checkpoint = Checkpoint.Capture(saved.Model, savedAdam, savedSchedule, saved.Loader);

        var target = new Run("Adam+CosineAnnealingLR per batch");
        var (adam, schedule) = Grouped(target.Model, 3);
        var before = schedule.StateDict().ToJsonString();

        var e = Assert.Throws<ArgumentException>(() => checkpoint.Restore(target.Model, adam, schedule, target.Loader));

        Assert.That(e!.Message, Does.Contain("the optimizer's state does not fit the Adam")
            .And.Contain("parameter group 0 has 2 parameters in the state dict, 3 in the optimizer"));
        Assert.That(schedule.StateDict().ToJsonString(), Is.EqualTo(before));
        Assert.That(savedSchedule.StateDict().ToJsonString(), Is.Not.EqualTo(before), "the saved schedule differs");
    }

    [Test]
    public void Restore_IntoObjectsWithState_ReplacesIt()
    {
        var checkpoint = TrainedCheckpoint("Sgd momentum+StepLR per epoch");
        var expected = new Run("Sgd momentum+StepLR per epoch");
        expected.Epochs(1);

        var target = new Run("Sgd momentum+StepLR per epoch", seed: 50);
        target.Epochs(3);
        checkpoint.Restore(target.Model, target.Optimizer, target.Scheduler, target.Loader);

        AssertSameState(expected, target);
    }
}
