using System.Globalization;
using System.Text.Json;

namespace Autograd.Tests.Ops.Reductions;

/// <summary>
/// PyTorch 1.13's values, indices and gradients for the reductions (<c>Fixtures/make_reductions_fixtures.py</c> writes
/// <c>reductions.json</c>): tied maxima and minima, NaNs, Var/Std biased and unbiased (a constant line, one element),
/// LogSumExp at ±1000 and ±∞, sums over several axes. Each gradient is checked by the fast backward pass and by the
/// createGraph pass (whose gradient is built from recorded ops).
/// </summary>
public class ReductionFixtureTests
{
    private const double Tolerance = 1e-12;

    private static readonly Lazy<Dictionary<string, JsonElement>> _cases = new(() =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "reductions.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    });

    private static IEnumerable<TestCaseData> Differentiable() =>
        _cases.Value.Where(c => c.Value.TryGetProperty("grad", out _))
            .Select(c => new TestCaseData(c.Key).SetName($"Fixture_{c.Key}"));

    private static IEnumerable<TestCaseData> IndexOnly() =>
        _cases.Value.Where(c => !c.Value.TryGetProperty("grad", out _))
            .Select(c => new TestCaseData(c.Key).SetName($"Fixture_{c.Key}"));

    [Test]
    public void FixtureFile_HasEveryKindOfCase()
    {
        string[] ops = _cases.Value.Values.Select(c => c.GetProperty("op").GetString()!).Distinct().ToArray();
        Assert.That(ops, Is.EquivalentTo(new[]
        {
            "max_all", "min_all", "max_axis", "min_axis", "argmax", "argmin", "var", "std", "logsumexp", "sum_axes", "mean_axes",
        }));
    }

    [TestCaseSource(nameof(Differentiable))]
    public void ValuesAndGradients_MatchPyTorch(string name)
    {
        JsonElement c = _cases.Value[name];
        foreach (bool createGraph in new[] { false, true })
        {
            Tensor x = Tensor.FromArray(Doubles(c, "x"), Ints(c, "shape"));
            x.RequiresGrad = true;
            Tensor y = Apply(c, x);
            Assert.That(y.Shape, Is.EqualTo(Ints(c, "outShape")), "output shape");
            AssertClose(y.ToArray<double>(), Doubles(c, "values"), "values");
            Tensor upstream = Tensor.FromArray(Doubles(c, "upstream"), y.Shape);
            upstream.RequiresGrad = createGraph;   // as gradgradcheck: the gradient is then a function of it
            Tensor grad = Tape.Grad(y, [x], upstream, createGraph: createGraph)[0]!;
            Assert.That(grad.RequiresGrad, Is.EqualTo(createGraph), "a createGraph gradient carries a graph");
            AssertClose(grad.ToArray<double>(), Doubles(c, "grad"), createGraph ? "gradient (createGraph)" : "gradient");
            if (c.TryGetProperty("indices", out JsonElement indices))
            {
                Tensor found = Indices(c, x);
                Assert.That(found.ToArray<long>(), Is.EqualTo(indices.EnumerateArray().Select(i => i.GetInt64()).ToArray()), "indices");
            }
        }
    }

    [TestCaseSource(nameof(IndexOnly))]
    public void Indices_MatchPyTorch(string name)
    {
        JsonElement c = _cases.Value[name];
        Tensor x = Tensor.FromArray(Doubles(c, "x"), Ints(c, "shape"));
        Tensor found = Indices(c, x);
        Assert.That(found.DType, Is.EqualTo(DType.Int64));
        Assert.That(found.Shape, Is.EqualTo(Ints(c, "outShape")));
        Assert.That(found.ToArray<long>(), Is.EqualTo(c.GetProperty("indices").EnumerateArray().Select(i => i.GetInt64()).ToArray()));
    }

    private static Tensor Apply(JsonElement c, Tensor x)
    {
        int axis = c.TryGetProperty("axis", out JsonElement a) ? a.GetInt32() : 0;
        bool keepDim = c.TryGetProperty("keepDim", out JsonElement k) && k.GetBoolean();
        bool unbiased = !c.TryGetProperty("unbiased", out JsonElement u) || u.GetBoolean();
        return c.GetProperty("op").GetString() switch
        {
            "max_all" => x.Max(),
            "min_all" => x.Min(),
            "max_axis" => x.Max(axis, keepDim),
            "min_axis" => x.Min(axis, keepDim),
            "var" => x.Var(axis, unbiased, keepDim),
            "std" => x.Std(axis, unbiased, keepDim),
            "logsumexp" => x.LogSumExp(axis, keepDim),
            "sum_axes" => x.Sum(Ints(c, "axes"), keepDim),
            "mean_axes" => x.Mean(Ints(c, "axes"), keepDim),
            var op => throw new InvalidOperationException($"unknown op {op}"),
        };
    }

    /// <summary>The arg-extremum that goes with the case: the indices torch.max/min(dim) returned, or argmax/argmin's.</summary>
    private static Tensor Indices(JsonElement c, Tensor x)
    {
        int axis = c.GetProperty("axis").GetInt32();
        bool keepDim = c.GetProperty("keepDim").GetBoolean();
        string op = c.GetProperty("op").GetString()!;
        return op is "argmax" or "max_axis" ? x.ArgMax(axis, keepDim) : x.ArgMin(axis, keepDim);
    }

    private static void AssertClose(double[] actual, double[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = actual[i].Equals(expected[i])
                || Math.Abs(actual[i] - expected[i]) <= Tolerance * (1 + Math.Abs(expected[i]));
            Assert.That(same, Is.True, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    // Non-finite numbers are stored as the strings "NaN", "Infinity", "-Infinity".
    private static double[] Doubles(JsonElement c, string property) =>
        c.GetProperty(property).EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetDouble())
            .ToArray();

    private static int[] Ints(JsonElement c, string property) => c.GetProperty(property).EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
