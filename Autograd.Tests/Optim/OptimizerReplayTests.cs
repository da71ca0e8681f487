using System.Text.Json;
using Autograd.Optim;
using Autograd.Tests.NN;

namespace Autograd.Tests.Optim;

/// <summary>
/// Replays the optimizer cases of <c>Fixtures/optim.json</c> (PyTorch 1.13: dampening, maximize, AMSGrad, RMSprop,
/// Adagrad, parameter groups, clipping) and compares the final state dict with PyTorch's.
/// </summary>
public class OptimizerReplayTests
{
    public static IEnumerable<string> Cases() => OptimFixture.OptimizerCaseNames();

    private static void Replay(string name, DType dtype, double tolerance)
    {
        var testCase = OptimFixture.OptimizerCase(name);
        var (w, v) = OptimFixture.Parameters(dtype);
        var optimizer = OptimFixture.CreateOptimizer(testCase, w, v);
        var clip = testCase.GetProperty("clip");

        var step = 0;
        foreach (var expected in testCase.GetProperty("steps").EnumerateArray())
        {
            step++;
            OptimFixture.Backward(optimizer, w, v);
            if (clip.ValueKind == JsonValueKind.Object)
            {
                if (clip.GetProperty("kind").GetString() == "norm")
                {
                    var normType = clip.GetProperty("norm_type");
                    var norm = GradClip.ClipGradNorm([w, v], clip.GetProperty("max_norm").GetDouble(),
                        normType.ValueKind == JsonValueKind.String ? double.PositiveInfinity : normType.GetDouble());
                    var expectedNorm = expected.GetProperty("norm").GetDouble();
                    Assert.That(norm, Is.EqualTo(expectedNorm).Within(tolerance * Math.Max(1, expectedNorm)), $"{name} step {step} norm");
                }
                else
                {
                    GradClip.ClipGradValue([w, v], clip.GetProperty("clip_value").GetDouble());
                }
            }

            optimizer.Step();

            var expectedW = expected.GetProperty("W").Doubles();
            var expectedV = expected.GetProperty("v").Doubles();
            var scale = Math.Max(1, expectedW.Concat(expectedV).Max(Math.Abs));
            TestFixtures.AssertClose(w.ToArray<double>(), expectedW, tolerance * scale, $"{name} step {step} W");
            TestFixtures.AssertClose(v.ToArray<double>(), expectedV, tolerance * scale, $"{name} step {step} v");
        }

        Assert.That(step, Is.GreaterThanOrEqualTo(10));
    }

    [TestCaseSource(nameof(Cases))]
    public void Float64Trajectory_MatchesPyTorch(string name) => Replay(name, DType.Float64, 1e-12);

    [TestCaseSource(nameof(Cases))]
    public void Float32Trajectory_MatchesPyTorchToSinglePrecision(string name) => Replay(name, DType.Float32, 2e-5);

    [TestCaseSource(nameof(Cases))]
    public void StateDict_AfterTheRun_HasPyTorchsLayoutAndValues(string name)
    {
        var testCase = OptimFixture.OptimizerCase(name);
        var (w, v) = OptimFixture.Parameters(DType.Float64);
        var optimizer = OptimFixture.CreateOptimizer(testCase, w, v);
        var steps = testCase.GetProperty("steps").GetArrayLength();
        var clip = testCase.GetProperty("clip");
        for (var i = 0; i < steps; i++)
        {
            OptimFixture.Backward(optimizer, w, v);
            if (clip.ValueKind == JsonValueKind.Object)
            {
                if (clip.GetProperty("kind").GetString() == "norm")
                {
                    var normType = clip.GetProperty("norm_type");
                    GradClip.ClipGradNorm([w, v], clip.GetProperty("max_norm").GetDouble(),
                        normType.ValueKind == JsonValueKind.String ? double.PositiveInfinity : normType.GetDouble());
                }
                else
                {
                    GradClip.ClipGradValue([w, v], clip.GetProperty("clip_value").GetDouble());
                }
            }

            optimizer.Step();
        }

        var expected = testCase.GetProperty("state_dict");
        var actual = optimizer.StateDict();

        var expectedState = expected.GetProperty("state");
        Assert.That(actual.State.Keys.Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Is.EquivalentTo(expectedState.EnumerateObject().Select(p => p.Name)));
        foreach (var entry in expectedState.EnumerateObject())
        {
            var ours = actual.State[int.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture)];
            var names = entry.Value.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null).ToArray();
            Assert.That(ours.Tensors.Keys.Concat(ours.Scalars.Keys), Is.EquivalentTo(names.Select(p => p.Name)), $"state {entry.Name}");
            foreach (var property in names)
            {
                if (property.Value.ValueKind == JsonValueKind.Number)
                {
                    Assert.That(ours.Scalars[property.Name], Is.EqualTo(property.Value.GetDouble()), $"state {entry.Name}.{property.Name}");
                }
                else
                {
                    TestFixtures.AssertClose(ours.Tensors[property.Name].ToArray<double>(), property.Value.Doubles(), 1e-12,
                        $"state {entry.Name}.{property.Name}");
                }
            }
        }

        var expectedGroups = expected.GetProperty("param_groups");
        Assert.That(actual.ParamGroups, Has.Count.EqualTo(expectedGroups.GetArrayLength()));
        string[] pytorchOnly = ["foreach", "capturable", "differentiable", "fused"];
        for (var g = 0; g < actual.ParamGroups.Count; g++)
        {
            var expectedKeys = expectedGroups[g].EnumerateObject().Select(p => p.Name).Except(pytorchOnly);
            Assert.That(actual.ParamGroups[g].Select(p => p.Key), Is.EquivalentTo(expectedKeys), $"param_groups[{g}] keys");
            foreach (var property in expectedGroups[g].EnumerateObject().Where(p => !pytorchOnly.Contains(p.Name)))
            {
                OptimFixture.AssertJsonEqual(property.Value, actual.ParamGroups[g][property.Name], $"param_groups[{g}].{property.Name}");
            }
        }
    }
}
