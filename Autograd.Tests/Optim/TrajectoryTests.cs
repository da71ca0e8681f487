using System.Text.Json;
using Autograd.Optim;
using Autograd.Tests.NN;

namespace Autograd.Tests.Optim;

/// <summary>Replays the PyTorch 1.13 trajectories of <c>Fixtures/optim_trajectories.json</c>.</summary>
public class TrajectoryTests
{
    private static JsonElement _root;

    [OneTimeSetUp]
    public static void ReadFixture()
    {
        using var document = TestFixtures.Json("optim_trajectories.json");
        _root = document.RootElement.Clone();
    }

    public static IEnumerable<string> CaseNames()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim_trajectories.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => c.GetProperty("name").GetString()!).ToArray();
    }

    private static JsonElement Case(string name) =>
        _root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static Tensor Leaf(string key, DType dtype, params int[] shape)
    {
        var values = _root.GetProperty(key).Doubles();
        var tensor = dtype == DType.Float64
            ? Tensor.FromArray(values, shape)
            : Tensor.FromArray(values.Select(v => (float)v).ToArray(), shape);
        tensor.RequiresGrad = key is "W0" or "v0";
        return tensor;
    }

    private static Optimizer Create(JsonElement testCase, Tensor[] parameters)
    {
        var options = testCase.GetProperty("options");
        double Option(string name, double fallback) =>
            options.TryGetProperty(name, out var value) ? value.GetDouble() : fallback;
        var lr = options.GetProperty("lr").GetDouble();
        return testCase.GetProperty("optimizer").GetString() switch
        {
            "Sgd" => new Sgd(parameters, lr, Option("momentum", 0), Option("weight_decay", 0),
                options.TryGetProperty("nesterov", out var nesterov) && nesterov.GetBoolean()),
            "Adam" => new Adam(parameters, lr, Option("beta1", 0.9), Option("beta2", 0.999), Option("eps", 1e-8),
                Option("weight_decay", 0)),
            "AdamW" => new AdamW(parameters, lr, Option("beta1", 0.9), Option("beta2", 0.999), Option("eps", 1e-8),
                Option("weight_decay", 1e-2)),
            var other => throw new InvalidDataException($"unknown optimizer {other}"),
        };
    }

    private static void Replay(string name, DType dtype, double tolerance)
    {
        var testCase = Case(name);
        var w = Leaf("W0", dtype, 3, 4);
        var v = Leaf("v0", dtype, 4);
        var x = Leaf("X", dtype, 5, 3);
        var y = Leaf("Y", dtype, 5, 4);
        var optimizer = Create(testCase, [w, v]);

        var step = 0;
        foreach (var expected in testCase.GetProperty("steps").EnumerateArray())
        {
            step++;
            optimizer.ZeroGrad();
            (x.MatMul(w) + v - y).Pow(2).Mean().Backward();
            optimizer.Step();

            TestFixtures.AssertClose(w.ToArray<double>(), expected.GetProperty("W").Doubles(), tolerance, $"{name} step {step} W");
            TestFixtures.AssertClose(v.ToArray<double>(), expected.GetProperty("v").Doubles(), tolerance, $"{name} step {step} v");
        }

        Assert.That(step, Is.GreaterThanOrEqualTo(10));
    }

    [TestCaseSource(nameof(CaseNames))]
    public void Float64Trajectory_MatchesPyTorch(string name) => Replay(name, DType.Float64, 1e-10);

    [TestCaseSource(nameof(CaseNames))]
    public void Float32Trajectory_MatchesPyTorchToSinglePrecision(string name) => Replay(name, DType.Float32, 2e-5);
}
