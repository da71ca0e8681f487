namespace Autograd.Tests.Perf;

/// <summary>
/// The engine's fast paths (constant operands as unary ops, the bias-row broadcast, reused gradient buffers) must
/// give exactly what the general paths give.
/// </summary>
public class FastPathTests
{
    private static Tensor Leaf(int[] shape, int seed, DType dtype = DType.Float32)
    {
        Tensor t = Tensor.Randn(shape, seed, dtype);
        t.RequiresGrad = true;
        return t;
    }

    private static readonly (string Name, Func<Tensor, Tensor> Constant, Func<Tensor, Tensor, Tensor> Broadcast)[] _scalarCases =
    [
        ("x + c", x => x + 0.3, (x, c) => x + c),
        ("c + x", x => 0.3 + x, (x, c) => c + x),
        ("x - c", x => x - 0.3, (x, c) => x - c),
        ("c - x", x => 0.3 - x, (x, c) => c - x),
        ("x * c", x => x * 0.3, (x, c) => x * c),
        ("c * x", x => 0.3 * x, (x, c) => c * x),
        ("x / c", x => x / 0.3, (x, c) => x / c),
        ("c / x", x => 0.3 / x, (x, c) => c / x),
    ];

    [Test]
    public void ScalarOperators_AreBitIdenticalToBroadcastAgainstAScalarTensor(
        [Range(0, 7)] int index, [Values(DType.Float32, DType.Float64)] DType dtype)
    {
        var (name, constant, broadcast) = _scalarCases[index];
        Tensor a = Leaf([3, 4], 1, dtype);
        Tensor b = Leaf([3, 4], 1, dtype);
        Tensor g = Tensor.Randn([3, 4], 2, dtype);

        Tensor viaConstant = constant(a);
        Tensor viaBroadcast = broadcast(b, Tensor.Scalar(0.3, dtype));
        viaConstant.Backward(g);
        viaBroadcast.Backward(g);

        Assert.That(viaConstant.ToArray<double>(), Is.EqualTo(viaBroadcast.ToArray<double>()), name);
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(b.Grad!.ToArray<double>()), name + " gradient");
    }

    [Test]
    public void ScalarOperators_PassGradCheck([Range(0, 7)] int index)
    {
        var (name, constant, _) = _scalarCases[index];
        Tensor x = Tensor.FromArray(new double[] { 0.5, -1.25, 2, 3.5, -0.75, 1.5 }, 2, 3);
        GradCheckResult result = GradCheck.Check(inputs => constant(inputs[0]).Sum(), [x]);
        Assert.That(result.Passed, Is.True, $"{name}: {result}");
    }

    [TestCase(new[] { 4, 3 }, new[] { 3 })]
    [TestCase(new[] { 4, 3 }, new[] { 1, 3 })]
    [TestCase(new[] { 2, 4, 3 }, new[] { 4, 3 })]
    [TestCase(new[] { 2, 4, 3 }, new[] { 1, 1, 3 })]
    [TestCase(new[] { 5, 1 }, new[] { 1 })]
    public void BiasRowBroadcast_PassesGradCheck_ForEveryOpAndOrder(int[] matrixShape, int[] rowShape)
    {
        Tensor m = Tensor.Randn(matrixShape, 3, DType.Float64);
        Tensor r = Tensor.Randn(rowShape, 4, DType.Float64);
        Func<Tensor, Tensor, Tensor>[] ops = [(x, y) => x + y, (x, y) => x - y, (x, y) => x * y, (x, y) => x / (y * y + 1)];
        foreach (Func<Tensor, Tensor, Tensor> op in ops)
        {
            Tensor w = Tensor.Randn(matrixShape, 5, DType.Float64);
            GradCheckResult matrixFirst = GradCheck.Check(t => (op(t[0], t[1]) * w).Sum(), [m, r]);
            GradCheckResult rowFirst = GradCheck.Check(t => (op(t[1], t[0]) * w).Sum(), [m, r]);
            Assert.That(matrixFirst.Passed, Is.True, matrixFirst.ToString());
            Assert.That(rowFirst.Passed, Is.True, rowFirst.ToString());
        }
    }

    [Test]
    public void BiasRowBroadcast_ForwardEqualsRowByRowSum()
    {
        Tensor m = Tensor.Randn([3, 5], 6);
        Tensor r = Tensor.Randn([5], 7);
        float[] expected = m.ToArray<float>();
        float[] row = r.ToArray<float>();
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] += row[i % 5];
        }

        Assert.That((m + r).ToArray<float>(), Is.EqualTo(expected));
        Assert.That((r + m).ToArray<float>(), Is.EqualTo(expected));
    }

    [Test]
    public void LeafGradients_NeverAliasEachOtherOrTheGraph()
    {
        // y = relu(x)·2 + x: x's gradient arrives twice; w = x reshaped is a view. None may share a buffer.
        Tensor x = Leaf([2, 3], 8);
        Tensor b = Leaf([3], 9);
        Tensor y = ((x.Relu() * 2.0) + x + b).Reshape(6).Tanh().Sum();
        y.Backward();
        float[] before = x.Grad!.ToArray<float>();
        float[] biasBefore = b.Grad!.ToArray<float>();

        // A second graph must not write into the first one's gradients except by accumulation.
        Tensor z = (x * 3.0).Sum() + b.Sum();
        z.Backward();
        float[] after = x.Grad!.ToArray<float>();
        float[] biasAfter = b.Grad!.ToArray<float>();
        for (int i = 0; i < before.Length; i++)
        {
            Assert.That(after[i], Is.EqualTo(before[i] + 3f).Within(1e-6f));
        }

        for (int i = 0; i < biasBefore.Length; i++)
        {
            Assert.That(biasAfter[i], Is.EqualTo(biasBefore[i] + 1f).Within(1e-6f));
        }
    }

    [Test]
    public void RetainGraph_SecondBackwardDoublesTheGradient_ThroughEveryFastPath()
    {
        Tensor x = Leaf([4, 3], 10);
        Tensor w = Leaf([2, 3], 11);
        Tensor b = Leaf([2], 12);
        Tensor loss = ((Functional.Linear(x, w, b).Sigmoid() * 0.5) - 0.25).Pow(2).Mean();
        loss.Backward(retainGraph: true);
        float[] once = w.Grad!.ToArray<float>();
        float[] bOnce = b.Grad!.ToArray<float>();
        loss.Backward();
        Assert.That(w.Grad!.ToArray<float>(), Is.EqualTo(once.Select(v => 2 * v).ToArray()).Within(1e-6f));
        Assert.That(b.Grad!.ToArray<float>(), Is.EqualTo(bOnce.Select(v => 2 * v).ToArray()).Within(1e-6f));
    }

    [Test]
    public void UserGradient_IsNeverModified()
    {
        Tensor x = Leaf([2, 2], 13);
        Tensor g = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        (x.Tanh() * 2.0).Backward(g);
        Assert.That(g.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        (x + 1.0).Backward(g);
        Assert.That(g.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void LargeGradients_ThroughInPlaceVjpsAndPooledBuffers_PassGradCheck()
    {
        // 1,280 elements: above BufferPool.MinLength, so buffers are recycled within the pass.
        Tensor x = Tensor.Randn([32, 40], 14, DType.Float64);
        Tensor w = Tensor.Randn([40], 15, DType.Float64);
        GradCheckResult result = GradCheck.Check(t =>
        {
            Tensor h = ((t[0].Relu() * t[1]) + t[0]).Tanh();
            return ((h.Pow(3) / 2.0) + (1.0 / ((t[0] * t[0]) + 1)) + (h * 0.5).Exp()).Sum();
        }, [x, w]);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void RepeatedTrainingSteps_GiveTheSameGradientsAsAFreshThread()
    {
        // Buffers recycled by one step are reused by the next: the gradients must not depend on that.
        static float[][] Gradients()
        {
            Tensor x = Tensor.Randn([64, 48], 16);
            Tensor w1 = Tensor.Randn([64, 48], 17);
            Tensor b1 = Tensor.Randn([64], 18);
            Tensor w2 = Tensor.Randn([10, 64], 19);
            Tensor[] parameters = [w1, b1, w2];
            foreach (Tensor p in parameters)
            {
                p.RequiresGrad = true;
            }

            float[][] first = [];
            for (int step = 0; step < 3; step++)
            {
                foreach (Tensor p in parameters)
                {
                    p.ZeroGrad();
                }

                Tensor h = Functional.Linear(x, w1, b1).Relu();
                Tensor loss = Loss.CrossEntropy(Functional.Linear(h, w2), [.. Enumerable.Range(0, 64).Select(i => i % 10)])
                    + ((h * h).Mean() * 0.01);
                loss.Backward();
                float[][] grads = [.. parameters.Select(p => p.Grad!.ToArray<float>())];
                if (step == 0)
                {
                    first = grads;
                }
                else
                {
                    Assert.That(grads, Is.EqualTo(first), $"step {step}");
                }
            }

            return first;
        }

        float[][] here = Gradients();
        float[][] fresh = [];
        var thread = new Thread(() => fresh = Gradients());
        thread.Start();
        thread.Join();
        Assert.That(here, Is.EqualTo(fresh));
    }
}
