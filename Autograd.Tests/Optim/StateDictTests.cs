using System.Text.Json;
using System.Text.Json.Nodes;
using Autograd.Optim;

namespace Autograd.Tests.Optim;

/// <summary>
/// Optimizer and schedule state dicts: interrupting a run, writing the state as a safetensors file plus JSON text,
/// and resuming on freshly built objects gives the same bits as the uninterrupted run, for every optimizer and
/// schedule case of the fixture; and the errors of mismatched loads.
/// </summary>
public class StateDictTests
{
    public static IEnumerable<TestCaseData> OptimizerCases() =>
        OptimFixture.OptimizerCaseNames().SelectMany(n => new[]
        {
            new TestCaseData(n, DType.Float64).SetName($"{n} Float64"),
            new TestCaseData(n, DType.Float32).SetName($"{n} Float32"),
        });

    public static IEnumerable<string> ScheduleCases() => OptimFixture.ScheduleCaseNames();

    private static Tensor Parameter(params double[] values)
    {
        var tensor = Tensor.FromArray(values, values.Length);
        tensor.RequiresGrad = true;
        return tensor;
    }

    /// <summary>A training run of one fixture case that can be interrupted and rebuilt.</summary>
    private sealed class Run
    {
        private readonly JsonElement _case;
        private readonly Action<int>? _scheduleStep;

        public Run(JsonElement testCase, DType dtype, double[]? w = null, double[]? v = null)
        {
            _case = testCase;
            (W, V) = OptimFixture.Parameters(dtype);
            using (Tape.NoGrad())
            {
                if (w is not null)
                {
                    W.CopyFrom(Tensor.FromArray(w, 3, 4));
                    V.CopyFrom(Tensor.FromArray(v!, 4));
                }
            }

            Optimizer = OptimFixture.CreateOptimizer(testCase, W, V);
            if (testCase.TryGetProperty("scheduler", out _))
            {
                (Scheduler, _scheduleStep) = OptimFixture.CreateScheduler(testCase, Optimizer);
            }
        }

        public Tensor W { get; }

        public Tensor V { get; }

        public Optimizer Optimizer { get; }

        public object? Scheduler { get; }

        public void Steps(int from, int to)
        {
            var clip = _case.TryGetProperty("clip", out var c) ? c : default;
            for (var i = from; i < to; i++)
            {
                OptimFixture.Backward(Optimizer, W, V);
                if (clip.ValueKind == JsonValueKind.Object)
                {
                    if (clip.GetProperty("kind").GetString() == "norm")
                    {
                        var normType = clip.GetProperty("norm_type");
                        GradClip.ClipGradNorm([W, V], clip.GetProperty("max_norm").GetDouble(),
                            normType.ValueKind == JsonValueKind.String ? double.PositiveInfinity : normType.GetDouble());
                    }
                    else
                    {
                        GradClip.ClipGradValue([W, V], clip.GetProperty("clip_value").GetDouble());
                    }
                }

                Optimizer.Step();
                _scheduleStep?.Invoke(i);
            }
        }

        public JsonObject? SchedulerState() => Scheduler switch
        {
            LRScheduler s => s.StateDict(),
            ReduceLROnPlateau p => p.StateDict(),
            _ => null,
        };

        public void LoadSchedulerState(JsonObject state)
        {
            switch (Scheduler)
            {
                case LRScheduler s:
                    s.LoadStateDict(state);
                    break;
                case ReduceLROnPlateau p:
                    p.LoadStateDict(state);
                    break;
            }
        }

        public double[] LearningRates() => Optimizer.ParamGroups.Select(g => g.LearningRate!.Value).ToArray();
    }

    private static void InterruptAndResume(JsonElement testCase, DType dtype, int total)
    {
        var uninterrupted = new Run(testCase, dtype);
        uninterrupted.Steps(0, total);

        var interrupted = new Run(testCase, dtype);
        var half = total / 2;
        interrupted.Steps(0, half);

        // What a checkpoint does: the buffers in a safetensors file, everything else as JSON text.
        var directory = Directory.CreateTempSubdirectory("optim-state-");
        try
        {
            var state = interrupted.Optimizer.StateDict();
            var path = Path.Combine(directory.FullName, "optimizer.safetensors");
            SafeTensors.Save(path, state.ToTensors());
            var optimizerJson = state.ToJson().ToJsonString();
            var schedulerJson = interrupted.SchedulerState()?.ToJsonString();

            var resumed = new Run(testCase, dtype, interrupted.W.ToArray<double>(), interrupted.V.ToArray<double>());
            resumed.Optimizer.LoadStateDict(
                OptimizerStateDict.FromTensorsAndJson(SafeTensors.Load(path), JsonNode.Parse(optimizerJson)!.AsObject()));
            if (schedulerJson is not null)
            {
                resumed.LoadSchedulerState(JsonNode.Parse(schedulerJson)!.AsObject());
            }

            Assert.That(resumed.LearningRates(), Is.EqualTo(interrupted.LearningRates()), "learning rates after loading");
            resumed.Steps(half, total);

            Assert.That(resumed.W.ToArray<double>(), Is.EqualTo(uninterrupted.W.ToArray<double>()), "W");
            Assert.That(resumed.V.ToArray<double>(), Is.EqualTo(uninterrupted.V.ToArray<double>()), "v");
            Assert.That(resumed.LearningRates(), Is.EqualTo(uninterrupted.LearningRates()), "learning rates");
            Assert.That(resumed.SchedulerState()?.ToJsonString(), Is.EqualTo(uninterrupted.SchedulerState()?.ToJsonString()));
            Assert.That(resumed.Optimizer.StateDict().ToJson().ToJsonString(),
                Is.EqualTo(uninterrupted.Optimizer.StateDict().ToJson().ToJsonString()));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [TestCaseSource(nameof(OptimizerCases))]
    public void Optimizer_ResumedFromStateDict_ContinuesBitForBit(string name, DType dtype) =>
        InterruptAndResume(OptimFixture.OptimizerCase(name), dtype, total: 12);

    [TestCaseSource(nameof(ScheduleCases))]
    public void Schedule_ResumedFromStateDict_ContinuesBitForBit(string name)
    {
        var testCase = OptimFixture.ScheduleCase(name);
        InterruptAndResume(testCase, DType.Float64, total: testCase.GetProperty("steps").GetArrayLength() - 1);
    }

    [Test]
    public void StateDict_IsASnapshot_AndToTensorsNamesEachBuffer()
    {
        var p = Parameter(1, 2);
        var optimizer = new Adam([p], 0.1, amsgrad: true);
        (p * p).Sum().Backward();
        optimizer.Step();

        var state = optimizer.StateDict();
        var before = state.State[0].Tensors["exp_avg"].ToArray<double>();
        optimizer.Step();

        Assert.That(state.State[0].Tensors["exp_avg"].ToArray<double>(), Is.EqualTo(before));
        Assert.That(state.ToTensors().Keys, Is.EqualTo(new[] { "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq" }));
        Assert.That(state.ToJson().ToJsonString(), Does.StartWith("{\"state\":{\"0\":{\"step\":1}},\"param_groups\":[{\"lr\":0.1,"));
    }

    [Test]
    public void Adagrad_StateExistsBeforeAnyStep_AsPyTorchs()
    {
        var optimizer = new Adagrad([Parameter(1, 2), Parameter(3)], initialAccumulatorValue: 0.5);

        var state = optimizer.StateDict();

        Assert.That(state.State.Keys, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(state.State[1].Tensors["sum"].ToArray<double>(), Is.EqualTo(new[] { 0.5 }));
        Assert.That(state.State[1].Scalars["step"], Is.Zero);
    }

    [Test]
    public void LoadStateDict_ConvertsBuffersToTheParametersDtype()
    {
        var p64 = Parameter(1, 2);
        var source = new Sgd([p64], 0.1, momentum: 0.9);
        (p64 * p64).Sum().Backward();
        source.Step();

        var p32 = Tensor.FromArray(new float[] { 1, 2 }, 2);
        p32.RequiresGrad = true;
        var target = new Sgd([p32], 0.1, momentum: 0.9);
        target.LoadStateDict(source.StateDict());

        Assert.That(target.StateDict().State[0].Tensors["momentum_buffer"].DType, Is.EqualTo(DType.Float32));
        Assert.That(target.StateDict().State[0].Tensors["momentum_buffer"].ToArray<double>(), Is.EqualTo(new[] { 2.0, 4.0 }));
    }

    private static (Optimizer Source, OptimizerStateDict State) TrainedAdam(params Tensor[][] groups)
    {
        var optimizer = new Adam(groups.Select(g => new ParamGroup(g)).ToArray(), 0.1);
        foreach (var p in groups.SelectMany(g => g))
        {
            (p * p).Sum().Backward();
        }

        optimizer.Step();
        return (optimizer, optimizer.StateDict());
    }

    [Test]
    public void LoadStateDict_RejectsADifferentNumberOfGroups()
    {
        var (_, state) = TrainedAdam([Parameter(1)], [Parameter(2)]);
        var target = new Adam([Parameter(1), Parameter(2)], 0.1);

        Assert.That(() => target.LoadStateDict(state),
            Throws.ArgumentException.With.Message.Contains("the state dict has 2 parameter groups, the optimizer 1"));
    }

    [Test]
    public void LoadStateDict_RejectsAGroupOfAnotherSize()
    {
        var (_, state) = TrainedAdam([Parameter(1), Parameter(2)]);
        var target = new Adam([Parameter(1)], 0.1);

        Assert.That(() => target.LoadStateDict(state),
            Throws.ArgumentException.With.Message.Contains("parameter group 0 has 2 parameters in the state dict, 1 in the optimizer"));
    }

    [Test]
    public void LoadStateDict_RejectsABufferOfAnotherShape_AndChangesNothing()
    {
        var (_, state) = TrainedAdam([Parameter(1, 2)]);
        var p = Parameter(1, 2, 3);
        var target = new Adam([p], 0.5);
        target.ParamGroups[0].LearningRate = 0.25;

        Assert.That(() => target.LoadStateDict(state),
            Throws.ArgumentException.With.Message.Contains("state 0.exp_avg is Float64 [2], but parameter 0 is Float64 [3]"));
        Assert.That(target.LearningRate, Is.EqualTo(0.25));
        Assert.That(target.StateDict().State, Is.Empty);
    }

    [Test]
    public void LoadStateDict_RejectsAnotherOptimizersStateAndOptions()
    {
        var (_, state) = TrainedAdam([Parameter(1)]);
        var sgd = new Sgd([Parameter(1)], 0.1, momentum: 0.9);

        Assert.That(() => sgd.LoadStateDict(state), Throws.ArgumentException.With.Message.Contains("no option 'betas'"));

        var sgdState = new OptimizerStateDict(state.State, [new JsonObject { ["lr"] = 0.1, ["params"] = new JsonArray(0) }]);
        Assert.That(() => sgd.LoadStateDict(sgdState),
            Throws.ArgumentException.With.Message.Contains("state 0 has 'exp_avg', which Sgd does not keep (it keeps momentum_buffer)"));
    }

    [Test]
    public void LoadStateDict_RejectsStateOfAParameterNoGroupLists()
    {
        var (_, state) = TrainedAdam([Parameter(1)]);
        var moved = new OptimizerStateDict(new Dictionary<int, ParameterState> { [5] = state.State[0] }, state.ParamGroups);

        Assert.That(() => new Adam([Parameter(1)]).LoadStateDict(moved),
            Throws.ArgumentException.With.Message.Contains("state for parameter 5, which no parameter group lists"));
    }

    [Test]
    public void LoadStateDict_MapsSavedPositionsOntoTheParametersInOrder()
    {
        var (_, state) = TrainedAdam([Parameter(1)], [Parameter(2)]);
        var groups = new[]
        {
            new JsonObject { ["lr"] = 0.1, ["params"] = new JsonArray(7) },
            new JsonObject { ["lr"] = 0.2, ["params"] = new JsonArray(9) },
        };
        var renumbered = new OptimizerStateDict(new Dictionary<int, ParameterState> { [7] = state.State[0], [9] = state.State[1] }, groups);
        var target = new Adam([new ParamGroup([Parameter(1)]), new ParamGroup([Parameter(2)])]);

        target.LoadStateDict(renumbered);

        Assert.That(target.StateDict().State[1].Tensors["exp_avg"].ToArray<double>(),
            Is.EqualTo(state.State[1].Tensors["exp_avg"].ToArray<double>()));
        Assert.That(target.ParamGroups[1].LearningRate, Is.EqualTo(0.2));
    }

    [TestCase("state.x.exp_avg", "is not a parameter position")]
    [TestCase("exp_avg", "is not named state.<position>.<name>")]
    [TestCase("state.0.", "is not named state.<position>.<name>")]
    [TestCase("state.3.exp_avg", "belongs to parameter 3, which has no entry")]
    public void FromTensorsAndJson_RejectsMalformedNames(string key, string message)
    {
        var json = JsonNode.Parse("""{"state": {"0": {"step": 1}}, "param_groups": []}""")!.AsObject();
        var tensors = new Dictionary<string, Tensor> { [key] = Tensor.Zeros([1]) };

        Assert.That(() => OptimizerStateDict.FromTensorsAndJson(tensors, json), Throws.ArgumentException.With.Message.Contains(message));
    }

    [Test]
    public void FromTensorsAndJson_NamesAMissingKey()
    {
        var json = JsonNode.Parse("""{"state": {}}""")!.AsObject();

        Assert.That(() => OptimizerStateDict.FromTensorsAndJson(new Dictionary<string, Tensor>(), json),
            Throws.ArgumentException.With.Message.Contains("no 'param_groups'"));
    }

    [Test]
    public void SchedulerLoadStateDict_RejectsOtherGroupCountsAndMissingKeys()
    {
        var optimizer = new Sgd([new ParamGroup([Parameter(1)]), new ParamGroup([Parameter(2)])], 0.1);
        var state = new StepLR(optimizer, 3).StateDict();
        var single = new StepLR(new Sgd([Parameter(1)], 0.1), 3);

        Assert.That(() => single.LoadStateDict(state),
            Throws.ArgumentException.With.Message.Contains("base_lrs: the state dict has 2 values, the optimizer 1 parameter groups"));

        state.Remove("last_epoch");
        Assert.That(() => new StepLR(optimizer, 3).LoadStateDict(state),
            Throws.ArgumentException.With.Message.Contains("StepLR.LoadStateDict: the state dict has no 'last_epoch'"));
    }

    [Test]
    public void SchedulerLoadStateDict_AdoptsTheSavedHyperParameters_AsPyTorch()
    {
        var state = new StepLR(new Sgd([Parameter(1)], 0.1), stepSize: 7, gamma: 0.5).StateDict();
        var target = new StepLR(new Sgd([Parameter(1)], 0.1), stepSize: 2);

        target.LoadStateDict(state);

        Assert.That((target.StepSize, target.Gamma), Is.EqualTo((7, 0.5)));
    }

    [Test]
    public void PlateauLoadStateDict_WritesInfinityAsAString_AndReadsItBack()
    {
        var plateau = new ReduceLROnPlateau(new Sgd([Parameter(1)], 0.1));
        var text = plateau.StateDict().ToJsonString();
        Assert.That(text, Does.Contain("\"best\":\"Infinity\""));

        var target = new ReduceLROnPlateau(new Sgd([Parameter(1)], 0.1), PlateauMode.Max);
        target.LoadStateDict(JsonNode.Parse(text)!.AsObject());

        Assert.That((target.Mode, target.Best), Is.EqualTo((PlateauMode.Min, double.PositiveInfinity)));
        var bad = JsonNode.Parse(text)!.AsObject();
        bad["mode"] = "sideways";
        Assert.That(() => target.LoadStateDict(bad), Throws.ArgumentException.With.Message.Contains("mode must be 'min' or 'max', got 'sideways'"));
    }
}
