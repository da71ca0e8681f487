using System.Globalization;
using System.Text.Json;
using Autograd.Ops;
using Autograd.Tests.NN;

namespace Autograd.Tests.Ops.Elementwise;

/// <summary>
/// The new elementwise ops against PyTorch 1.13's numbers (Fixtures/make_elementwise_fixtures.py → elementwise.json):
/// values, gradients (fast path and createGraph path) and second derivatives, at the points where the conventions
/// are subtle: the GELU forms, Softplus's threshold, ELU at 0, Clamp at its bounds, Maximum/Minimum ties and NaN,
/// Pow(Tensor) at x = 0; and the exact GELU's Φ against mpmath.
/// </summary>
public class ElementwiseFixtureTests
{
    private const double Rtol = 1e-12;
    private const double Atol = 1e-13;

    private static JsonElement Root => _root.Value;

    private static readonly Lazy<JsonElement> _root = new(() =>
    {
        using JsonDocument document = TestFixtures.Json("elementwise.json");
        return document.RootElement.Clone();
    });

    private static IEnumerable<TestCaseData> UnaryCases()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(FixturePath()));
        int index = 0;
        foreach (JsonElement c in document.RootElement.GetProperty("unary").EnumerateArray())
        {
            string parameters = string.Join(",", c.GetProperty("params").EnumerateObject().Select(p => $"{p.Name}={p.Value}"));
            yield return new TestCaseData(index++).SetName($"Unary_{c.GetProperty("name").GetString()}({parameters})");
        }
    }

    private static IEnumerable<TestCaseData> BinaryCases()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(FixturePath()));
        int index = 0;
        foreach (JsonElement c in document.RootElement.GetProperty("binary").EnumerateArray())
        {
            yield return new TestCaseData(index).SetName(
                $"Binary_{c.GetProperty("name").GetString()}_{index}_[{string.Join("x", c.GetProperty("a_shape").Ints())}]_[{string.Join("x", c.GetProperty("b_shape").Ints())}]");
            index++;
        }
    }

    [TestCaseSource(nameof(UnaryCases))]
    public void Unary_ValuesGradientsAndSecondDerivatives_MatchPyTorch(int index)
    {
        JsonElement c = Root.GetProperty("unary")[index];
        Func<Tensor, Tensor> op = UnaryOp(c.GetProperty("name").GetString()!, c.GetProperty("params"));
        double[] xs = Numbers(c.GetProperty("x"));
        Tensor w = Tensor.FromArray(Numbers(c.GetProperty("upstream")), xs.Length);

        // The fast path.
        Tensor x = Leaf(xs, xs.Length);
        Tensor y = op(x);
        AssertMatches(y.ToArray<double>(), Numbers(c.GetProperty("y")), "y");
        y.Backward(w);
        AssertMatches(x.Grad!.ToArray<double>(), Numbers(c.GetProperty("grad")), "grad (fast path)");

        // The createGraph path: the same gradient, then its derivative.
        Tensor x2 = Leaf(xs, xs.Length);
        Tensor gradient = Tape.Grad((op(x2) * w).Sum(), [x2], createGraph: true)[0]!;
        AssertMatches(gradient.ToArray<double>(), Numbers(c.GetProperty("grad")), "grad (createGraph path)");
        double[] second = gradient.RequiresGrad
            ? Tape.Grad(gradient.Sum(), [x2], allowUnused: true)[0]?.ToArray<double>() ?? new double[xs.Length]
            : new double[xs.Length];
        AssertMatches(second, Numbers(c.GetProperty("grad2")), "grad2");
    }

    [TestCaseSource(nameof(BinaryCases))]
    public void Binary_ValuesAndGradients_MatchPyTorch(int index)
    {
        JsonElement c = Root.GetProperty("binary")[index];
        Func<Tensor, Tensor, Tensor> op = BinaryOp(c.GetProperty("name").GetString()!);
        double[] a = Numbers(c.GetProperty("a")), b = Numbers(c.GetProperty("b"));
        int[] aShape = c.GetProperty("a_shape").Ints(), bShape = c.GetProperty("b_shape").Ints();
        Tensor w = Tensor.FromArray(Numbers(c.GetProperty("upstream")), c.GetProperty("y_shape").Ints());

        Tensor x = Leaf(a, aShape), e = Leaf(b, bShape);
        Tensor y = op(x, e);
        Assert.That(y.Shape, Is.EqualTo(c.GetProperty("y_shape").Ints()));
        AssertMatches(y.ToArray<double>(), Numbers(c.GetProperty("y")), "y");
        y.Backward(w);
        AssertMatches(x.Grad!.ToArray<double>(), Numbers(c.GetProperty("grad_a")), "grad_a (fast path)");
        AssertMatches(e.Grad!.ToArray<double>(), Numbers(c.GetProperty("grad_b")), "grad_b (fast path)");

        Tensor x2 = Leaf(a, aShape), e2 = Leaf(b, bShape);
        Tensor?[] gradients = Tape.Grad((op(x2, e2) * w).Sum(), [x2, e2], createGraph: true);
        AssertMatches(gradients[0]!.ToArray<double>(), Numbers(c.GetProperty("grad_a")), "grad_a (createGraph path)");
        AssertMatches(gradients[1]!.ToArray<double>(), Numbers(c.GetProperty("grad_b")), "grad_b (createGraph path)");
        if (c.TryGetProperty("grad2_a", out JsonElement grad2A))
        {
            Tensor?[] second = Tape.Grad(gradients[0]!.Sum() + gradients[1]!.Sum(), [x2, e2]);
            AssertMatches(second[0]!.ToArray<double>(), Numbers(grad2A), "grad2_a");
            AssertMatches(second[1]!.ToArray<double>(), Numbers(c.GetProperty("grad2_b")), "grad2_b");
        }
    }

    [Test]
    public void NormalCdfAndPdf_MatchMpmath_ToAFewUlps()
    {
        // Through the span kernel (Vector<double> bodies and scalar tails) and one value at a time.
        JsonElement normal = Root.GetProperty("normal");
        double[] xs = Numbers(normal.GetProperty("x"));
        double[] cdf = Numbers(normal.GetProperty("cdf")), pdf = Numbers(normal.GetProperty("pdf"));
        double[] spanCdf = new double[xs.Length], spanPdf = new double[xs.Length];
        NormalDistribution.Apply(NormalDistribution.Quantity.Cdf, xs, default, spanCdf);
        NormalDistribution.Apply(NormalDistribution.Quantity.Pdf, xs, default, spanPdf);
        for (int i = 0; i < xs.Length; i++)
        {
            AssertUlps(spanCdf[i], cdf[i], 6, $"Φ({xs[i]:R})");
            AssertUlps(spanPdf[i], pdf[i], 6, $"φ({xs[i]:R})");
            AssertUlps(NormalDistribution.Cdf(xs[i]), cdf[i], 6, $"Φ({xs[i]:R}), one value");
            AssertUlps(NormalDistribution.Pdf(xs[i]), pdf[i], 6, $"φ({xs[i]:R}), one value");
        }
    }

    [Test]
    public void NormalCdf_Float32_IsTheDoubleValueRounded()
    {
        float[] xs = [-30f, -5.5f, -1f, 0f, 0.3f, 2f, 7f];
        float[] cdf = new float[xs.Length];
        NormalDistribution.Apply(NormalDistribution.Quantity.Cdf, xs, default, cdf);
        Assert.That(cdf, Is.EqualTo(xs.Select(v => (float)NormalDistribution.Cdf(v)).ToArray()));
    }

    [Test]
    public void NormalCdf_AtTheEdges()
    {
        Assert.That(NormalDistribution.Cdf(double.NaN), Is.NaN);
        Assert.That(NormalDistribution.Cdf(double.NegativeInfinity), Is.EqualTo(0));
        Assert.That(NormalDistribution.Cdf(double.PositiveInfinity), Is.EqualTo(1));
        Assert.That(NormalDistribution.Cdf(-1e300), Is.EqualTo(0));
        Assert.That(NormalDistribution.Cdf(0), Is.EqualTo(0.5));
        Assert.That(NormalDistribution.Pdf(double.PositiveInfinity), Is.EqualTo(0));
        Assert.That(NormalDistribution.Pdf(double.NaN), Is.NaN);
        Assert.That(NormalDistribution.Pdf(double.NegativeInfinity), Is.EqualTo(0));
    }

    private static Func<Tensor, Tensor> UnaryOp(string name, JsonElement p) => name switch
    {
        "Gelu" => x => x.Gelu(p.GetProperty("tanh").GetBoolean()),
        "Silu" => x => x.Silu(),
        "Softplus" => x => x.Softplus(p.GetProperty("beta").GetDouble(), p.GetProperty("threshold").GetDouble()),
        "Elu" => x => x.Elu(p.GetProperty("alpha").GetDouble()),
        "Clamp" => x => x.Clamp(p.GetProperty("min").GetDouble(), p.GetProperty("max").GetDouble()),
        "Sin" => x => x.Sin(),
        "Cos" => x => x.Cos(),
        "Square" => x => x.Square(),
        _ => throw new ArgumentException($"unknown op {name}"),
    };

    private static Func<Tensor, Tensor, Tensor> BinaryOp(string name) => name switch
    {
        "Maximum" => (a, b) => a.Maximum(b),
        "Minimum" => (a, b) => a.Minimum(b),
        "Pow" => (a, b) => a.Pow(b),
        _ => throw new ArgumentException($"unknown op {name}"),
    };

    private static string FixturePath() => Path.Combine(AppContext.BaseDirectory, "Fixtures", "elementwise.json");

    private static Tensor Leaf(double[] values, params int[] shape)
    {
        Tensor x = Tensor.FromArray(values, shape);
        x.RequiresGrad = true;
        return x;
    }

    /// <summary>Numbers, with "NaN", "Infinity" and "-Infinity" written as strings.</summary>
    private static double[] Numbers(JsonElement array) =>
        array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
            ? double.Parse(e.GetString()!, CultureInfo.InvariantCulture)
            : e.GetDouble()).ToArray();

    /// <summary>NaN where PyTorch has NaN, the same infinity, else |a − e| ≤ Atol + Rtol·|e|.</summary>
    private static void AssertMatches(double[] actual, double[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < expected.Length; i++)
        {
            bool ok = double.IsNaN(expected[i]) ? double.IsNaN(actual[i])
                : double.IsInfinity(expected[i]) ? actual[i] == expected[i]
                : Math.Abs(actual[i] - expected[i]) <= Atol + (Rtol * Math.Abs(expected[i]));
            Assert.That(ok, Is.True, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    private static void AssertUlps(double actual, double expected, int ulps, string what)
    {
        // Relative to the spacing of doubles at the expected value (subnormals: absolute, one step is 4.9e−324).
        double spacing = Math.Max(Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected), double.Epsilon);
        Assert.That(Math.Abs(actual - expected), Is.LessThanOrEqualTo(ulps * spacing), $"{what}: expected {expected:R}, got {actual:R}");
    }
}
