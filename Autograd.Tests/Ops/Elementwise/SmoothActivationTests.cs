using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Elementwise;

/// <summary>
/// Sin, Cos, Square, Gelu (both forms), Silu, Softplus, Elu: gradient checks (first and second order) over shapes,
/// float32 against float64, third derivatives, saturated inputs, zero sizes. PyTorch's numbers at the special points
/// are in <see cref="ElementwiseFixtureTests"/>.
/// </summary>
public class SmoothActivationTests
{
    public enum Domain
    {
        /// <summary>Standard normal, times 3 (both tails of the activations).</summary>
        Wide,

        /// <summary>|x| ≥ 0.2, times 3: for ELU with α ≠ 1, whose derivative jumps at 0.</summary>
        AwayFromZero,
    }

    private static readonly (string Name, Func<Tensor, Tensor> Op, Domain Domain)[] _ops =
    [
        ("Sin", x => x.Sin(), Domain.Wide),
        ("Cos", x => x.Cos(), Domain.Wide),
        ("Square", x => x.Square(), Domain.Wide),
        ("Gelu", x => x.Gelu(), Domain.Wide),
        ("GeluTanh", x => x.Gelu(tanhApproximation: true), Domain.Wide),
        ("Silu", x => x.Silu(), Domain.Wide),
        ("Softplus", x => x.Softplus(), Domain.Wide),
        ("SoftplusBeta2Threshold3", x => x.Softplus(beta: 2, threshold: 3), Domain.Wide),   // both pieces: kink at 1.5
        ("Elu", x => x.Elu(), Domain.AwayFromZero),
        ("Elu0.5", x => x.Elu(0.5), Domain.AwayFromZero),
    ];

    private static readonly int[][] _shapes = [[], [5], [3, 4], [2, 3, 5], [1, 37, 1], [300]];

    private static IEnumerable<TestCaseData> Cases() =>
        from op in _ops
        from shape in _shapes
        select new TestCaseData(op.Op, op.Domain, shape).SetName($"{op.Name}_[{string.Join("x", shape)}]");

    private static IEnumerable<TestCaseData> Ops() =>
        from op in _ops select new TestCaseData(op.Op, op.Domain).SetName(op.Name);

    [TestCaseSource(nameof(Cases))]
    public void GradCheck_Float64(Func<Tensor, Tensor> op, Domain domain, int[] shape) =>
        GradAssert.GradCheck(v => op(v[0]), [Sample(domain, 21, shape)]);

    [TestCaseSource(nameof(Cases))]
    public void Float32MatchesFloat64(Func<Tensor, Tensor> op, Domain domain, int[] shape) =>
        GradAssert.Float32MatchesFloat64(v => op(v[0]), [Sample(domain, 22, shape)]);

    [TestCaseSource(nameof(Ops))]
    public void SecondAndThirdDerivatives_GradCheckOfTheGradient(Func<Tensor, Tensor> op, Domain domain)
    {
        // The createGraph gradient is itself checked: its derivative (f″) against differences, and through
        // CheckGradGrad its second derivative (f‴), so the internal ops of the graph paths are right at third order.
        Tensor x = Sample(domain, 23, 7);
        Tensor w = Tensor.Randn([7], seed: 24, DType.Float64);
        GradAssert.GradCheck(v => Tape.Grad((op(v[0]) * w).Sum(), [v[0]], createGraph: true)[0]!, [x]);
    }

    [TestCaseSource(nameof(Ops))]
    public void FastAndGraphPaths_GiveTheSameGradient(Func<Tensor, Tensor> op, Domain domain)
    {
        Tensor x = Sample(domain, 25, 300);
        Tensor w = Tensor.Randn([300], seed: 26, DType.Float64);
        op(x).Backward(w);
        Tensor graph = Tape.Grad((op(x) * w).Sum(), [x], createGraph: true)[0]!;
        GradAssert.AssertClose(graph.ToArray<double>(), GradAssert.GradOf(x), rtol: 1e-13, atol: 1e-15, "createGraph gradient");
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void Gelu_ThirdDerivative_IsAnalytic(DType dtype)
    {
        // Gelu‴(x) = φ(x)(x³ − 4x): the third pass differentiates NormalPdf's createGraph VJP.
        double[] points = [-3, -1, -0.3, 0.2, 1.5, 4];
        Tensor x = Tensor.FromArray(points, points.Length).To(dtype);
        x.RequiresGrad = true;
        Tensor first = Tape.Grad(x.Gelu().Sum(), [x], createGraph: true)[0]!;
        Tensor second = Tape.Grad(first.Sum(), [x], createGraph: true)[0]!;
        Tensor third = Tape.Grad(second.Sum(), [x])[0]!;
        double[] expected = points.Select(v => Math.Exp(-v * v / 2) / Math.Sqrt(2 * Math.PI) * ((v * v * v) - (4 * v))).ToArray();
        GradAssert.AssertClose(third.ToArray<double>(), expected, rtol: dtype == DType.Float32 ? 1e-5 : 1e-13, atol: 1e-6, "Gelu‴");
    }

    private static IEnumerable<TestCaseData> HardInputs()
    {
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            // (op, input, value, gradient)
            yield return Case("Gelu", x => x.Gelu(), -1000, 0, 0, dtype);
            yield return Case("Gelu", x => x.Gelu(), 1000, 1000, 1, dtype);
            yield return Case("GeluTanh", x => x.Gelu(true), -1000, 0, 0, dtype);
            yield return Case("GeluTanh", x => x.Gelu(true), 1000, 1000, 1, dtype);
            yield return Case("Silu", x => x.Silu(), -1000, 0, 0, dtype);
            yield return Case("Silu", x => x.Silu(), 1000, 1000, 1, dtype);
            yield return Case("Softplus", x => x.Softplus(), -1000, 0, 0, dtype);
            yield return Case("Softplus", x => x.Softplus(), 1000, 1000, 1, dtype);
            yield return Case("SoftplusHighThreshold", x => x.Softplus(threshold: 1e6), 1000, 1000, 1, dtype);
            yield return Case("Elu", x => x.Elu(), -1000, -1, 0, dtype);
            yield return Case("Elu0.5", x => x.Elu(0.5), -1000, -0.5, 0, dtype);
            yield return Case("Elu", x => x.Elu(), 1000, 1000, 1, dtype);
            yield return Case("Elu", x => x.Elu(), 1e30, 1e30, 1, dtype);
            yield return Case("GeluTanh", x => x.Gelu(true), -1e30, 0, 0, dtype);
            yield return Case("GeluTanh", x => x.Gelu(true), 1e30, 1e30, 1, dtype);
        }

        static TestCaseData Case(string name, Func<Tensor, Tensor> op, double x, double value, double gradient, DType dtype) =>
            new TestCaseData(op, x, value, gradient, dtype).SetName($"HardInput_IsFiniteAndExact_{name}({x})_{dtype}");
    }

    [TestCaseSource(nameof(HardInputs))]
    public void HardInput_IsFiniteAndExact(Func<Tensor, Tensor> op, double input, double value, double gradient, DType dtype)
    {
        // 37 copies: through the Vector<T> bodies and the scalar tails alike.
        Tensor x = Tensor.Full([37], input, dtype);
        x.RequiresGrad = true;
        Tensor y = op(x);
        Assert.That(y.ToArray<double>(), Is.All.EqualTo(value).Within(Math.Abs(value) * 1e-7));
        y.Backward(Tensor.Ones([37], dtype));
        Assert.That(GradAssert.GradOf(x), Is.All.EqualTo(gradient));

        // The graph path and the second derivative are finite too (0 in every saturated tail).
        Tensor first = Tape.Grad(op(x).Sum(), [x], createGraph: true)[0]!;
        Assert.That(first.ToArray<double>(), Is.All.EqualTo(gradient));
        double[] second = first.RequiresGrad ? Tape.Grad(first.Sum(), [x], allowUnused: true)[0]?.ToArray<double>() ?? [0] : [0];
        Assert.That(second, Is.All.EqualTo(0));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void Softplus_JustBelowTheThreshold_IsLog1pOfExp_AndAtSmallInputsKeepsItsDigits(DType dtype)
    {
        // softplus(20) = 20 + ln(1 + e^−20) (not x: the threshold is strict); softplus(−40) = e^−40 to full precision.
        Tensor x = Tensor.FromArray(new[] { 20.0, -40.0, 20.5 }, 3).To(dtype);
        double[] y = x.Softplus().ToArray<double>();
        Assert.That(y[0], Is.EqualTo(20 + 2.0611536224385579e-9).Within(dtype == DType.Float32 ? 2e-6 : 1e-14));
        Assert.That(y[1], Is.EqualTo(4.248354255291589e-18).Within(4.248354255291589e-18 * (dtype == DType.Float32 ? 1e-6 : 1e-14)));
        Assert.That(y[2], Is.EqualTo(20.5));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void Elu_NearZero_KeepsTheDigitsOfExpM1(DType dtype)
    {
        // α(e^x − 1) at x = −1e−10 is −1e−10 + 5e−21: eˣ − 1 as written would lose half the digits in double, all in float.
        Tensor x = Tensor.FromArray(new[] { -1e-10, -1e-3 }, 2).To(dtype);
        double[] y = x.Elu(2).ToArray<double>();
        double[] expected = [2 * -9.9999999995e-11, 2 * -9.995001666250084e-4];
        GradAssert.AssertClose(y, expected, rtol: dtype == DType.Float32 ? 2e-7 : 1e-15, atol: 0, "Elu");
    }

    [Test]
    public void Values_AgainstHandComputedNumbers()
    {
        Tensor x = Tensor.FromArray(new[] { -2.0, 0.0, 0.5, 3.0 }, 4);
        GradAssert.Values(x.Sin(), [Math.Sin(-2), 0, Math.Sin(0.5), Math.Sin(3)], 1e-15);
        GradAssert.Values(x.Cos(), [Math.Cos(-2), 1, Math.Cos(0.5), Math.Cos(3)], 1e-15);
        GradAssert.Values(x.Square(), [4, 0, 0.25, 9]);
        GradAssert.Values(x.Silu(), [-2 / (1 + Math.Exp(2)), 0, 0.5 / (1 + Math.Exp(-0.5)), 3 / (1 + Math.Exp(-3))], 1e-15);
        GradAssert.Values(x.Elu(), [Math.Exp(-2) - 1, 0, 0.5, 3], 1e-15);
        GradAssert.Values(x.Softplus(), [Math.Log(1 + Math.Exp(-2)), Math.Log(2), Math.Log(1 + Math.Exp(0.5)), Math.Log(1 + Math.Exp(3))], 1e-15);
        // Φ(−2) = 0.02275013194817921, Φ(0.5) = 0.6914624612740131, Φ(3) = 0.9986501019683699.
        GradAssert.Values(x.Gelu(), [-2 * 0.02275013194817921, 0, 0.5 * 0.6914624612740131, 3 * 0.9986501019683699], 1e-15);
        GradAssert.Values(x.Gelu(true), x.ToArray<double>().Select(v =>
            0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v))))).ToArray(), 1e-15);
    }

    private static IEnumerable<TestCaseData> ZeroSizes() =>
        from op in _ops
        from dtype in new[] { DType.Float32, DType.Float64 }
        select new TestCaseData(op.Op, dtype).SetName($"ZeroSize_GivesEmptyOutputAndGradient_{op.Name}_{dtype}");

    [TestCaseSource(nameof(ZeroSizes))]
    public void ZeroSize_GivesEmptyOutputAndGradient(Func<Tensor, Tensor> op, DType dtype)
    {
        Tensor x = Tensor.Zeros([0, 3], dtype);
        x.RequiresGrad = true;
        Tensor y = op(x);
        Assert.That(y.Shape, Is.EqualTo(new[] { 0, 3 }));
        y.Backward(Tensor.Zeros([0, 3], dtype));
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
        Tensor graph = Tape.Grad(op(x).Sum(), [x], createGraph: true)[0]!;
        Assert.That(graph.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void FanOut_GradientsAccumulate()
    {
        // y = Gelu(x) + Sin(x) · Silu(x): x feeds three ops.
        Tensor x = Inputs.Normal(27, 4, 3);
        GradAssert.GradCheck(v => v[0].Gelu() + (v[0].Sin() * v[0].Silu()), [x]);
    }

    private static Tensor Sample(Domain domain, int seed, params int[] shape)
    {
        double[] values = Tensor.Randn(shape, seed, DType.Float64).ToArray<double>();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = domain == Domain.AwayFromZero ? Math.CopySign(0.2 + Math.Abs(values[i]), values[i]) * 3 : values[i] * 3;
        }

        return Inputs.Of(values, shape);
    }
}
