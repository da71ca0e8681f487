using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>Backward(createGraph: true) and Tape.Grad(createGraph: true): gradients that can be differentiated again.</summary>
public class CreateGraphTests
{
    // ---- the basics ----

    [Test]
    public void Backward_WithCreateGraph_GradRequiresGradAndHasAGradFn()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        (x * x * x).Sum().Backward(createGraph: true);
        Assert.That(x.Grad, Is.Not.Null);
        Assert.That(x.Grad!.RequiresGrad, Is.True);
        Assert.That(x.Grad.GradFn, Is.Not.Null);
        Assert.That(x.Grad.IsLeaf, Is.False);
        Assert.That(x.Grad.ToArray<double>(), Is.EqualTo(new[] { 3.0, 12, 27 }));
    }

    [Test]
    public void Backward_WithoutCreateGraph_GradCarriesNoGraph()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        (x * x * x).Sum().Backward();
        Assert.That(x.Grad!.RequiresGrad, Is.False);
        Assert.That(x.Grad.IsLeaf, Is.True);
    }

    [Test]
    public void Backward_WithCreateGraph_RetainsTheGraphByDefault()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = (x * x).Exp().Sum();
        y.Backward(createGraph: true);
        Assert.That(y.GradFn!.IsReleased, Is.False);
        Assert.That(() => y.Backward(), Throws.Nothing);
        double[] once = [2 * Math.E, 4 * Math.Exp(4)];
        GradAssert.AssertClose(GradAssert.GradOf(x), once.Select(v => 2 * v).ToArray(), 1e-12, 0, "two passes");
    }

    [Test]
    public void Backward_WithCreateGraph_SecondDerivativeThroughGrad()
    {
        // PyTorch's pattern: y.backward(create_graph=True); g = x.grad; x.grad = None; g.sum().backward().
        Tensor x = Inputs.Of([1, -2, 3], 3);
        (x * x * x).Sum().Backward(createGraph: true);
        Tensor first = x.Grad!;
        x.ZeroGrad();
        first.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 6.0, -12, 18 }));
        Assert.That(first.ToArray<double>(), Is.EqualTo(new[] { 3.0, 12, 27 }), "the first derivative is unchanged");
    }

    [Test]
    public void Backward_WithCreateGraph_ThenBackwardOfGrad_WithoutZeroGrad_Accumulates()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        (x * x * x).Sum().Backward(createGraph: true);   // Grad = 3x²
        x.Grad!.Sum().Backward();                        // + 6x
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 9.0, 24 }));
    }

    [Test]
    public void Backward_WithCreateGraph_TwoPasses_AccumulateTheSum_WhichStaysDifferentiable()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        (x * x * x).Sum().Backward(createGraph: true);   // 3x²
        (x * x).Sum().Backward(createGraph: true);       // + 2x
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 5.0, 16, 33 }));
        Assert.That(x.Grad!.RequiresGrad, Is.True);
        Tensor second = Tape.Grad(x.Grad.Sum(), [x])[0]!;
        Assert.That(second.ToArray<double>(), Is.EqualTo(new[] { 8.0, 14, 20 }), "6x + 2");
    }

    [Test]
    public void Backward_WithoutCreateGraph_AfterACreateGraphOne_StillAccumulates()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor y = (x * x * x).Sum();
        y.Backward(createGraph: true);
        (x * 5.0).Sum().Backward();
        y.Backward();   // the graph was retained by the createGraph pass
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 11.0, 29, 59 }), "3x² + 5 + 3x²");
        (x * 1.0).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 12.0, 30, 60 }));
    }

    [Test]
    public void Backward_WithCreateGraph_AfterAPlainOne_ExtendsThePlainGrad()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        (x * 5.0).Sum().Backward();
        Tensor plain = x.Grad!;
        (x * x * x).Sum().Backward(createGraph: true);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 8.0, 17 }));
        Assert.That(x.Grad!.RequiresGrad, Is.True, "the sum carries the new graph");
        Assert.That(plain.ToArray<double>(), Is.EqualTo(new[] { 5.0, 5 }), "the old Grad tensor is not written into");
        Assert.That(Tape.Grad(x.Grad.Sum(), [x])[0]!.ToArray<double>(), Is.EqualTo(new[] { 6.0, 12 }));
    }

    [Test]
    public void Backward_WithCreateGraph_InsideNoGrad_StillRecords()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = (x * x * x).Sum();
        using (Tape.NoGrad())
        {
            y.Backward(createGraph: true);
            Assert.That(Tape.IsGradEnabled, Is.False, "the NoGrad scope is restored after the pass");
            Assert.That((x * 2.0).RequiresGrad, Is.False);
        }

        Assert.That(x.Grad!.RequiresGrad, Is.True, "createGraph overrides NoGrad, as PyTorch's create_graph");
        Assert.That(Tape.Grad(x.Grad.Sum(), [x])[0]!.ToArray<double>(), Is.EqualTo(new[] { 6.0, 12 }));
    }

    [Test]
    public void TapeGrad_WithCreateGraph_InsideNoGrad_StillRecords()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = (x * x * x).Sum();
        Tensor first;
        using (Tape.NoGrad())
        {
            first = Tape.Grad(y, [x], createGraph: true)[0]!;
        }

        Assert.That(first.RequiresGrad, Is.True);
        Assert.That(Tape.Grad(first.Sum(), [x])[0]!.ToArray<double>(), Is.EqualTo(new[] { 6.0, 12 }));
    }

    [Test]
    public void Backward_WithoutCreateGraph_InsideAPassThatCreatesOne_DoesNotRecord()
    {
        // Recording during a pass is exactly createGraph, whatever the enclosing state: a plain Backward started
        // from a hook of a createGraph pass records nothing.
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor other = Inputs.Of([3, 4], 2);
        bool recordedInsideHook = true;
        x.RegisterHook(_ =>
        {
            (other * other).Sum().Backward();
            recordedInsideHook = other.Grad!.RequiresGrad;
            return null;
        });
        (x * x).Sum().Backward(createGraph: true);
        Assert.That(recordedInsideHook, Is.False);
        Assert.That(Tape.IsGradEnabled, Is.True);
        Assert.That(x.Grad!.RequiresGrad, Is.True);
    }

    [Test]
    public void Backward_WithCreateGraph_AndAGradientThatRequiresGrad_IsDifferentiableWithRespectToIt()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor v = Inputs.Of([3, 5], 2);
        (x * x).Backward(v, createGraph: true);   // Grad = 2x·v
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 6.0, 20 }));
        Tensor dv = Tape.Grad(x.Grad!.Sum(), [v])[0]!;
        Assert.That(dv.ToArray<double>(), Is.EqualTo(new[] { 2.0, 4 }));
        Assert.That(v.Grad, Is.Null, "v is an input of the graph, not a leaf Backward reached");
    }

    // ---- createGraph gradients equal plain ones, for every op ----

    private static IEnumerable<TestCaseData> Ops()
    {
        static TestCaseData Case(string name, Func<Tensor[], Tensor> f, params Tensor[] inputs) =>
            new TestCaseData(f, inputs).SetArgDisplayNames(name);

        yield return Case("Add broadcast", x => x[0] + x[1], Inputs.Normal(1, 2, 3), Inputs.Normal(2, 3));
        yield return Case("Subtract broadcast", x => x[0] - x[1], Inputs.Normal(3, 2, 3), Inputs.Normal(4, 2, 1));
        yield return Case("Multiply broadcast", x => x[0] * x[1], Inputs.Normal(5, 2, 3), Inputs.Normal(6, 3));
        yield return Case("Divide broadcast", x => x[0] / x[1], Inputs.Normal(7, 2, 3), Inputs.Uniform(8, 0.5, 2, 2, 1));
        yield return Case("scalar arithmetic", x => (((2.0 - x[0]) * 3.0 / 4.0) + 1.0 - (5.0 / ((x[0] * x[0]) + 1.0))) - -x[0], Inputs.Normal(9, 4));
        yield return Case("Exp", x => x[0].Exp(), Inputs.Normal(10, 4));
        yield return Case("Log", x => x[0].Log(), Inputs.Uniform(11, 0.5, 2, 4));
        yield return Case("Sqrt", x => x[0].Sqrt(), Inputs.Uniform(12, 0.5, 2, 4));
        yield return Case("Pow 3", x => x[0].Pow(3), Inputs.Normal(13, 4));
        yield return Case("Pow 2", x => x[0].Pow(2), Inputs.Normal(14, 4));
        yield return Case("Pow 0.5", x => x[0].Pow(0.5), Inputs.Uniform(15, 0.5, 2, 4));
        yield return Case("Abs", x => x[0].Abs() * x[0], Inputs.AwayFromZero(16, 4));
        yield return Case("Relu", x => x[0].Relu() * x[0], Inputs.AwayFromZero(17, 6));
        yield return Case("LeakyRelu", x => x[0].LeakyRelu(0.2) * x[0], Inputs.AwayFromZero(18, 6));
        yield return Case("Sigmoid", x => x[0].Sigmoid(), Inputs.Normal(19, 4));
        yield return Case("Tanh", x => x[0].Tanh(), Inputs.Normal(20, 4));
        yield return Case("MatMul", x => x[0].MatMul(x[1]), Inputs.Normal(21, 2, 3), Inputs.Normal(22, 3, 4));
        yield return Case("batched MatMul", x => x[0].MatMul(x[1]), Inputs.Normal(23, 2, 2, 3), Inputs.Normal(24, 2, 3, 2));
        yield return Case("MatMul of a product", x => (x[0] * x[0]).MatMul(x[1].Tanh()), Inputs.Normal(25, 2, 3), Inputs.Normal(26, 3, 2));
        yield return Case("Linear", x => Functional.Linear(x[0], x[1], x[2]).Tanh(), Inputs.Normal(27, 4, 3), Inputs.Normal(28, 2, 3), Inputs.Normal(29, 2));
        yield return Case("Transpose", x => x[0].Transpose() * x[1], Inputs.Normal(30, 2, 3), Inputs.Normal(31, 3, 2));
        yield return Case("Reshape", x => x[0].Reshape(3, 2) * x[0].Reshape(3, 2), Inputs.Normal(32, 2, 3));
        yield return Case("Sum all", x => (x[0] * x[0]).Sum(), Inputs.Normal(33, 2, 3));
        yield return Case("Sum axis", x => (x[0] * x[0]).Sum(0), Inputs.Normal(34, 2, 3));
        yield return Case("Sum axis keepDim", x => (x[0] * x[0]).Sum(1, keepDim: true) * x[0], Inputs.Normal(35, 2, 3));
        yield return Case("Mean", x => (x[0].Exp().Mean() * x[0]) + x[0].Mean(0), Inputs.Normal(36, 2, 3));
        yield return Case("Max axis", x => x[0].Max(1) * x[0].Max(1), Inputs.Normal(37, 3, 4));
        yield return Case("Softmax", x => x[0].Softmax(1), Inputs.Normal(38, 2, 4));
        yield return Case("LogSoftmax", x => x[0].LogSoftmax(0), Inputs.Normal(39, 3, 2));
        yield return Case("Mse", x => Loss.Mse(x[0].Tanh(), x[1]), Inputs.Normal(40, 3, 2), Inputs.Normal(41, 3, 2));
        yield return Case("BinaryCrossEntropy", x => Loss.BinaryCrossEntropy(x[0].Sigmoid(), Tensor.FromArray(new[] { 0.0, 1, 1, 0 }, 2, 2)), Inputs.Normal(42, 2, 2));
        yield return Case("BinaryCrossEntropyWithLogits", x => Loss.BinaryCrossEntropyWithLogits(x[0] * x[0], Tensor.FromArray(new[] { 0.0, 1, 0.3, 0 }, 2, 2)), Inputs.Normal(43, 2, 2));
        yield return Case("CrossEntropy", x => Loss.CrossEntropy(x[0] * x[1], [2, 0, 1]), Inputs.Normal(44, 3, 3), Inputs.Normal(45, 3));
        yield return Case("Cast round trip", x => (x[0].To(DType.Float32).To(DType.Float64) * 0.0) + (x[0] * x[0]), Inputs.Normal(46, 3));
        yield return Case("fan-out diamond", x =>
        {
            Tensor h = x[0].Tanh();
            return (h * h.Exp()) + (h / (x[1] * x[1] + 1.0)) + h.Sum();
        }, Inputs.Normal(47, 2, 2), Inputs.Normal(48, 2));
    }

    [TestCaseSource(nameof(Ops))]
    public void Backward_WithCreateGraph_GivesTheSameGradientsAsAPlainBackward(Func<Tensor[], Tensor> f, Tensor[] inputs)
    {
        (double[][] plain, _) = Gradients(f, inputs, createGraph: false);
        (double[][] created, Tensor?[] grads) = Gradients(f, inputs, createGraph: true);
        for (int i = 0; i < inputs.Length; i++)
        {
            GradAssert.AssertClose(created[i], plain[i], 1e-12, 1e-14, $"gradient of input {i}");
            Assert.That(grads[i]?.DType ?? DType.Float64, Is.EqualTo(DType.Float64));
        }
    }

    [TestCaseSource(nameof(Ops))]
    public void Backward_WithCreateGraph_GradientsDifferentiateLikeFiniteDifferences(Func<Tensor[], Tensor> f, Tensor[] inputs)
    {
        // gradgradcheck by hand: F(x) = Σᵢ ⟨∂⟨f(x), u⟩/∂xᵢ, vᵢ⟩; its gradient through the recorded backward pass
        // must match central differences of F.
        Tensor u = Tensor.Randn(f(Copies(inputs)).Shape, seed: 77, DType.Float64);
        Tensor[] v = inputs.Select((x, i) => Tensor.Randn(x.Shape, seed: 80 + i, DType.Float64)).ToArray();
        double F(Tensor[] point, out Tensor?[]? analytic)
        {
            Tensor output = f(point);
            Tensor?[] first = Tape.Grad(output, point, u, createGraph: true, allowUnused: true);
            Tensor total = Tensor.Scalar(0, DType.Float64);
            for (int i = 0; i < point.Length; i++)
            {
                if (first[i] is { } g)
                {
                    total += (g * v[i]).Sum();
                }
            }

            analytic = total.RequiresGrad ? Tape.Grad(total, point, allowUnused: true) : null;
            return total.Item();
        }

        Tensor[] at = Copies(inputs);
        F(at, out Tensor?[]? analyticGrads);
        const double Eps = 1e-6;
        for (int i = 0; i < inputs.Length; i++)
        {
            double[] values = inputs[i].ToArray<double>();
            double[] numeric = new double[values.Length];
            for (int j = 0; j < values.Length; j++)
            {
                numeric[j] = (F(Perturbed(inputs, i, j, Eps), out _) - F(Perturbed(inputs, i, j, -Eps), out _)) / (2 * Eps);
            }

            double[] analytic = analyticGrads?[i]?.ToArray<double>() ?? new double[values.Length];
            GradAssert.AssertClose(analytic, numeric, 1e-4, 1e-6, $"second-order gradient of input {i}");
        }
    }

    // ---- a gradient penalty: a loss made of a gradient ----

    private static Tensor GradientPenalty(Tensor[] parameters)
    {
        // loss = Σ ‖∇ₓ tanh(x·Wᵀ + b).Sum()‖² over a fixed batch x, as a function of W and b (WGAN-GP, double backward).
        Tensor x = Tensor.Randn([4, 3], seed: 90, DType.Float64);
        x.RequiresGrad = true;
        Tensor output = Functional.Linear(x, parameters[0], parameters[1]).Tanh().Sum();
        Tensor gradient = Tape.Grad(output, [x], createGraph: true)[0]!;
        return (gradient * gradient).Sum();
    }

    [Test]
    public void GradientPenalty_DifferentiatedWithRespectToTheParameters_PassesGradCheck()
    {
        GradAssert.GradCheck(GradientPenalty, [Inputs.Normal(91, 2, 3), Inputs.Normal(92, 2)]);
    }

    [Test]
    public void GradientPenalty_DifferentiatedWithRespectToTheParameters_MatchesFiniteDifferences()
    {
        Tensor[] parameters = [Inputs.Normal(91, 2, 3), Inputs.Normal(92, 2)];
        GradientPenalty(parameters).Backward();
        const double Eps = 1e-6;
        for (int i = 0; i < parameters.Length; i++)
        {
            double[] numeric = new double[parameters[i].Count];
            for (int j = 0; j < numeric.Length; j++)
            {
                numeric[j] = (GradientPenalty(Perturbed(parameters, i, j, Eps)).Item()
                    - GradientPenalty(Perturbed(parameters, i, j, -Eps)).Item()) / (2 * Eps);
            }

            GradAssert.AssertClose(GradAssert.GradOf(parameters[i]), numeric, 1e-5, 1e-7, $"parameter {i}");
        }
    }

    [Test]
    public void GradientPenalty_WithBackwardCreateGraph_EqualsTheTapeGradVersion()
    {
        // The same penalty written with Backward(createGraph) and x.Grad instead of Tape.Grad.
        Tensor w = Inputs.Normal(91, 2, 3), b = Inputs.Normal(92, 2);
        GradientPenalty([w, b]).Backward();
        double[] expectedW = GradAssert.GradOf(w), expectedB = GradAssert.GradOf(b);
        w.ZeroGrad();
        b.ZeroGrad();

        Tensor x = Tensor.Randn([4, 3], seed: 90, DType.Float64);
        x.RequiresGrad = true;
        Functional.Linear(x, w, b).Tanh().Sum().Backward(createGraph: true);
        Tensor penalty = (x.Grad! * x.Grad!).Sum();
        w.ZeroGrad();   // the first pass also accumulated into w and b
        b.ZeroGrad();
        penalty.Backward();
        GradAssert.AssertClose(GradAssert.GradOf(w), expectedW, 1e-12, 1e-14, "W");
        GradAssert.AssertClose(GradAssert.GradOf(b), expectedB, 1e-12, 1e-14, "b");
    }

    // ---- helpers ----

    private static (double[][] Values, Tensor?[] Grads) Gradients(Func<Tensor[], Tensor> f, Tensor[] inputs, bool createGraph)
    {
        Tensor[] copies = Copies(inputs);
        Tensor output = f(copies);
        Tensor upstream = Tensor.Randn(output.Shape, seed: 7, DType.Float64);
        output.Backward(upstream, createGraph: createGraph);
        Tensor?[] grads = copies.Select(c => c.Grad).ToArray();
        return (grads.Select((g, i) => g?.ToArray<double>() ?? new double[copies[i].Count]).ToArray(), grads);
    }

    private static Tensor[] Copies(Tensor[] inputs) => inputs.Select(x => Inputs.CopyAs(x, DType.Float64)).ToArray();

    private static Tensor[] Perturbed(Tensor[] inputs, int input, int element, double delta)
    {
        Tensor[] copies = Copies(inputs);
        double[] values = copies[input].ToArray<double>();
        values[element] += delta;
        copies[input] = Tensor.FromArray(values, copies[input].Shape);
        copies[input].RequiresGrad = true;
        return copies;
    }
}
