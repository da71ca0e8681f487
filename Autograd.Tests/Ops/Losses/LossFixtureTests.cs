using System.Globalization;
using System.Text.Json;
using Autograd.Tests.NN;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Losses;

/// <summary>
/// Every loss with its options against PyTorch 1.13 in float64 (<c>Fixtures/losses.json</c>, written by
/// <c>make_losses_fixtures.py</c>): the output, and the gradients of g·output for a random upstream g, for
/// CrossEntropy (class indices with weight, ignoreIndex, label smoothing, [N,C], [N,C,d...] and [C] logits, an
/// all-ignored batch; class probabilities), NllLoss, L1, Huber (with its second derivative along a random v, where
/// the kinks at ±delta decide), Mse, BinaryCrossEntropy and BinaryCrossEntropyWithLogits, under each Reduction.
/// </summary>
public class LossFixtureTests
{
    private const string FixtureName = "losses.json";

    // Both sides evaluate the same float64 formulas in different orders.
    private const double Tolerance = 1e-12;

    private static readonly Lazy<Dictionary<string, JsonElement>> _cases = new(() =>
    {
        using JsonDocument document = TestFixtures.Json(FixtureName);
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .ToDictionary(c => Key(c), c => c.Clone());
    });

    public static IEnumerable<TestCaseData> Cases()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "Fixtures", FixtureName)));
        foreach (JsonElement c in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            yield return new TestCaseData(Key(c)).SetName($"MatchesPyTorch({Key(c)})");
        }
    }

    [Test]
    public void Fixture_CoversEveryOptionTheIssueNames()
    {
        string[] keys = [.. _cases.Value.Keys];
        foreach (string expected in new[]
        {
            "cross_entropy smoothing+weight+ignore_index/mean", "cross_entropy [N,C,d]/none", "cross_entropy [C]/sum",
            "cross_entropy all ignored/mean", "cross_entropy probabilities+weight+smoothing/none", "nll_loss weight+ignore_index/mean",
            "nll_loss [N,C,d]+weight/none", "l1 l1/sum", "huber delta=0.5/none", "mse mse/none", "bce bce/sum", "bce_logits bce_logits/none",
        })
        {
            Assert.That(keys, Does.Contain(expected));
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesPyTorch(string key)
    {
        JsonElement c = _cases.Value[key];
        Tensor[] inputs = c.GetProperty("inputs").EnumerateArray().Select(ReadTensor).ToArray();
        foreach (Tensor input in inputs.Where(x => x.DType == DType.Float64))
        {
            input.RequiresGrad = true;
        }

        JsonElement options = c.GetProperty("options");
        Tensor output = Apply(c.GetProperty("op").GetString()!, inputs, options);
        JsonElement expectedOutput = c.GetProperty("output");
        Assert.That(output.Shape, Is.EqualTo(expectedOutput.GetProperty("shape").Ints()), "output shape");
        Assert.That(output.DType, Is.EqualTo(DType.Float64));
        AssertMatches(output.ToArray<double>(), Numbers(expectedOutput.GetProperty("values")), "output");

        Tensor upstream = ReadTensor(c.GetProperty("upstream"));
        Tensor[] differentiable = inputs.Where(x => x.RequiresGrad).ToArray();
        JsonElement[] expectedGrads = [.. c.GetProperty("grads").EnumerateArray()];
        // The fast path, then the createGraph path (recorded ops) on the same graph: both must match.
        Tensor?[] fast = Tape.Grad(output, differentiable, upstream, retainGraph: true, allowUnused: true);
        Tensor?[] recorded = Tape.Grad(output, differentiable, upstream, createGraph: true, allowUnused: true);
        foreach ((Tensor?[] grads, string path) in new[] { (fast, "fast path"), (recorded, "createGraph path") })
        {
            Assert.That(grads, Has.Length.EqualTo(expectedGrads.Length));
            for (int i = 0; i < grads.Length; i++)
            {
                double[] actual = grads[i]?.ToArray<double>() ?? new double[differentiable[i].Count];
                AssertMatches(actual, Numbers(expectedGrads[i]), $"{path}: gradient of input {i}");
            }
        }

        if (c.TryGetProperty("hessian_v", out JsonElement hessianV))
        {
            // d/dx (v · dL/dx): PyTorch's double backward, where the kinks at ±delta decide.
            Tensor v = Tensor.FromArray(Numbers(c.GetProperty("v")), differentiable[0].Shape);
            Tensor?[] hv = Tape.Grad((recorded[0]! * v).Sum(), [differentiable[0]], allowUnused: true);
            AssertMatches(hv[0]?.ToArray<double>() ?? new double[v.Count], Numbers(hessianV), "second derivative along v");
        }
    }

    private static Tensor Apply(string op, Tensor[] inputs, JsonElement options)
    {
        Reduction reduction = options.GetProperty("reduction").GetString() switch
        {
            "mean" => Reduction.Mean,
            "sum" => Reduction.Sum,
            _ => Reduction.None,
        };
        Tensor? weight = options.TryGetProperty("weight", out JsonElement w) && w.ValueKind == JsonValueKind.Array
            ? Tensor.FromArray(Numbers(w), w.GetArrayLength())
            : null;
        return op switch
        {
            "cross_entropy" => Loss.CrossEntropy(inputs[0], inputs[1], weight, options.GetProperty("ignore_index").GetInt32(),
                options.GetProperty("label_smoothing").GetDouble(), reduction),
            "nll_loss" => Loss.NllLoss(inputs[0], inputs[1], weight, options.GetProperty("ignore_index").GetInt32(), reduction),
            "l1" => Loss.L1(inputs[0], inputs[1], reduction),
            "huber" => Loss.Huber(inputs[0], inputs[1], options.GetProperty("delta").GetDouble(), reduction),
            "mse" => Loss.Mse(inputs[0], inputs[1], reduction),
            "bce" => Loss.BinaryCrossEntropy(inputs[0], inputs[1], reduction),
            "bce_logits" => Loss.BinaryCrossEntropyWithLogits(inputs[0], inputs[1], reduction),
            _ => throw new InvalidOperationException($"unknown op {op} in {FixtureName}"),
        };
    }

    private static string Key(JsonElement c) => $"{c.GetProperty("op").GetString()} {c.GetProperty("name").GetString()}";

    private static Tensor ReadTensor(JsonElement t)
    {
        int[] shape = t.GetProperty("shape").Ints();
        JsonElement values = t.GetProperty("values");
        return t.GetProperty("dtype").GetString() == "int64"
            ? Tensor.FromArray(values.EnumerateArray().Select(v => v.GetInt64()).ToArray(), shape)
            : Tensor.FromArray(Numbers(values), shape);
    }

    /// <summary>Numbers, with "NaN" and "Infinity" written as strings (JSON has no NaN).</summary>
    private static double[] Numbers(JsonElement values) =>
        values.EnumerateArray()
            .Select(v => v.ValueKind == JsonValueKind.String ? double.Parse(v.GetString()!, CultureInfo.InvariantCulture) : v.GetDouble())
            .ToArray();

    /// <summary>|actual − expected| ≤ tol·(1 + |expected|), NaN only where PyTorch has NaN.</summary>
    private static void AssertMatches(double[] actual, double[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: lengths differ");
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                Assert.That(actual[i], Is.NaN, $"{what}[{i}]");
                continue;
            }

            GradAssert.AssertClose([actual[i]], [expected[i]], Tolerance, Tolerance, $"{what}[{i}]");
        }
    }
}
