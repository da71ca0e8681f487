using System.Text.Json;
using Autograd.Optim;
using Autograd.Tests.NN;

namespace Autograd.Tests.Optim;

/// <summary>
/// Replays the schedule cases of <c>Fixtures/optim.json</c> (PyTorch 1.13: LinearLR, LambdaLR per group, StepLR,
/// CosineAnnealingLR, ExponentialLR, OneCycleLR with momentum or betas cycling, ReduceLROnPlateau with scripted
/// metrics, SequentialLR, ChainedScheduler), all on two parameter groups, and compares the final state dicts.
/// </summary>
public class ScheduleReplayTests
{
    public static IEnumerable<string> Cases() => OptimFixture.ScheduleCaseNames();

    private static (Optimizer Optimizer, object Scheduler) Run(string name, Action<int, JsonElement, Optimizer, Tensor, Tensor>? check)
    {
        var testCase = OptimFixture.ScheduleCase(name);
        var (w, v) = OptimFixture.Parameters(DType.Float64);
        var optimizer = OptimFixture.CreateOptimizer(testCase, w, v);
        var (scheduler, step) = OptimFixture.CreateScheduler(testCase, optimizer);
        var train = testCase.GetProperty("train").GetBoolean();
        var steps = testCase.GetProperty("steps");
        check?.Invoke(0, steps[0], optimizer, w, v);
        for (var i = 1; i < steps.GetArrayLength(); i++)
        {
            if (train)
            {
                OptimFixture.Backward(optimizer, w, v);
            }

            optimizer.Step();
            step(i - 1);
            check?.Invoke(i, steps[i], optimizer, w, v);
        }

        return (optimizer, scheduler);
    }

    [TestCaseSource(nameof(Cases))]
    public void LearningRates_MatchPyTorchBitForBit(string name)
    {
        Run(name, (i, expected, optimizer, w, v) =>
        {
            var rates = optimizer.ParamGroups.Select(g => g.LearningRate!.Value).ToArray();
            Assert.That(rates, Is.EqualTo(expected.GetProperty("lrs").Doubles()), $"{name} step {i} lrs");
            if (expected.TryGetProperty("momentum", out var momentum))
            {
                Assert.That(optimizer.ParamGroups.Select(g => g.Momentum!.Value), Is.EqualTo(momentum.Doubles()), $"{name} step {i} momentum");
            }

            if (expected.TryGetProperty("betas", out var betas))
            {
                var ours = optimizer.ParamGroups.Select(g => new[] { g.Betas!.Value.Beta1, g.Betas!.Value.Beta2 }).ToArray();
                Assert.That(ours, Is.EqualTo(betas.EnumerateArray().Select(b => b.Doubles()).ToArray()), $"{name} step {i} betas");
            }
        });
    }

    [TestCaseSource(nameof(Cases))]
    public void ScheduledTraining_MatchesPyTorch(string name)
    {
        var train = OptimFixture.ScheduleCase(name).GetProperty("train").GetBoolean();
        var compared = 0;
        Run(name, (i, expected, optimizer, w, v) =>
        {
            if (train && i > 0)
            {
                TestFixtures.AssertClose(w.ToArray<double>(), expected.GetProperty("W").Doubles(), 1e-12, $"{name} step {i} W");
                TestFixtures.AssertClose(v.ToArray<double>(), expected.GetProperty("v").Doubles(), 1e-12, $"{name} step {i} v");
                compared++;
            }
        });
        Assert.That(compared > 0 || !train, Is.True);
    }

    [TestCaseSource(nameof(Cases))]
    public void StateDicts_AfterTheRun_HavePyTorchsKeysAndValues(string name)
    {
        var expected = OptimFixture.ScheduleCase(name);
        var (optimizer, scheduler) = Run(name, null);
        var state = scheduler switch
        {
            LRScheduler s => s.StateDict(),
            ReduceLROnPlateau p => p.StateDict(),
            _ => throw new InvalidOperationException(),
        };

        string[] notState = ["verbose", "_get_lr_called_within_step", "lr_lambdas"];
        AssertState(expected.GetProperty("state_dict"), state, notState, name);

        var groups = optimizer.StateDict().ParamGroups;
        var expectedGroups = expected.GetProperty("param_groups");
        string[] pytorchOnly = ["foreach", "capturable", "differentiable", "fused"];
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var property in expectedGroups[g].EnumerateObject().Where(p => !pytorchOnly.Contains(p.Name)))
            {
                OptimFixture.AssertJsonEqual(property.Value, groups[g][property.Name], $"{name} param_groups[{g}].{property.Name}");
            }
        }
    }

    private static void AssertState(JsonElement expected, System.Text.Json.Nodes.JsonObject actual, string[] skip, string path)
    {
        foreach (var property in expected.EnumerateObject().Where(p => !skip.Contains(p.Name)))
        {
            if (property.Name == "_schedulers")
            {
                var children = actual["_schedulers"]!.AsArray();
                Assert.That(children, Has.Count.EqualTo(property.Value.GetArrayLength()), $"{path}._schedulers");
                for (var i = 0; i < children.Count; i++)
                {
                    AssertState(property.Value[i], children[i]!.AsObject(), skip, $"{path}._schedulers[{i}]");
                }
            }
            else
            {
                OptimFixture.AssertJsonEqual(property.Value, actual[property.Name], $"{path}.{property.Name}");
            }
        }
    }
}
