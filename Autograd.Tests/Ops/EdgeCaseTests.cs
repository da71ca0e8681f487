namespace Autograd.Tests.Ops;

/// <summary>
/// Tensors with a zero-size dimension through every op and back, with PyTorch's answers (checked with
/// python3-torch): Sum of nothing is 0, Mean of nothing is NaN, a product over k = 0 is zeros, gradients
/// keep their leaf's (empty) shape and a broadcast operand gets zeros.
/// </summary>
public class EdgeCaseTests
{
    private static Tensor EmptyLeaf(DType dtype, params int[] shape)
    {
        Tensor x = Tensor.Zeros(shape, dtype);
        x.RequiresGrad = true;
        return x;
    }

    private static Tensor Leaf(double[] values, params int[] shape)
    {
        Tensor x = Tensor.FromArray(values, shape);
        x.RequiresGrad = true;
        return x;
    }

    private static IEnumerable<TestCaseData> UnaryOps()
    {
        (string Name, Func<Tensor, Tensor> F)[] ops =
        [
            ("Negate", x => -x), ("Exp", x => x.Exp()), ("Log", x => x.Log()), ("Sqrt", x => x.Sqrt()),
            ("Pow", x => x.Pow(3)), ("Abs", x => x.Abs()), ("Relu", x => x.Relu()), ("LeakyRelu", x => x.LeakyRelu(0.1)),
            ("Sigmoid", x => x.Sigmoid()), ("Tanh", x => x.Tanh()), ("To", x => x.To(DType.Float64).To(x.DType)),
            ("Transpose", x => x.Transpose().Transpose()), ("Softmax", x => x.Softmax(1)), ("LogSoftmax", x => x.LogSoftmax(0)),
            ("AddScalar", x => x + 1), ("ScalarDivide", x => 2 / x), ("MultiplySelf", x => x * x),
        ];
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            foreach (var (name, f) in ops)
            {
                foreach (int[] shape in new[] { new[] { 0, 3 }, new[] { 3, 0 } })
                {
                    yield return new TestCaseData(f, shape, dtype)
                        .SetName($"ShapePreservingOps_ZeroSizeInput_GiveEmptyOutputAndEmptyGradient_{name}_[{string.Join("x", shape)}]_{dtype}");
                }
            }
        }
    }

    [TestCaseSource(nameof(UnaryOps))]
    public void ShapePreservingOps_ZeroSizeInput_GiveEmptyOutputAndEmptyGradient(Func<Tensor, Tensor> f, int[] shape, DType dtype)
    {
        Tensor x = EmptyLeaf(dtype, shape);
        Tensor y = f(x);
        Assert.That(y.Shape, Is.EqualTo(shape));
        Assert.That(y.Count, Is.Zero);
        Assert.That(y.DType, Is.EqualTo(dtype));
        y.Backward(Tensor.Zeros(shape, dtype));
        Assert.That(x.Grad, Is.Not.Null);
        Assert.That(x.Grad!.Shape, Is.EqualTo(shape));
        Assert.That(x.Grad.DType, Is.EqualTo(dtype));
    }

    [Test]
    public void Backward_OnANonScalarEmptyOutputWithoutAGradient_ThrowsLikeAnyNonScalar()
    {
        Tensor x = EmptyLeaf(DType.Float32, 0, 3);
        Assert.That(() => x.Exp().Backward(), Throws.ArgumentException.With.Message.Contains("[0,3]"));
    }

    private static IEnumerable<TestCaseData> BinaryBroadcasts()
    {
        int[][][] pairs =
        [
            [[0, 3], [0, 3]], [[0, 3], [3]], [[0, 3], [1, 3]], [[0, 3], []], [[0, 1], [1, 3]], [[3, 0], [3, 1]], [[2, 0, 4], [4]],
        ];
        (string Name, Func<Tensor, Tensor, Tensor> F)[] ops =
        [
            ("Add", (a, b) => a + b), ("Subtract", (a, b) => a - b), ("Multiply", (a, b) => a * b), ("Divide", (a, b) => a / b),
        ];
        foreach (var (name, f) in ops)
        {
            foreach (int[][] pair in pairs)
            {
                yield return new TestCaseData(f, pair[0], pair[1])
                    .SetName($"BinaryOps_ZeroSizeBroadcast_GiveEmptyOutput_AndZeroGradientsOfTheOperandsShapes_{name}_[{string.Join("x", pair[0])}]_[{string.Join("x", pair[1])}]");
                yield return new TestCaseData(f, pair[1], pair[0])
                    .SetName($"BinaryOps_ZeroSizeBroadcast_GiveEmptyOutput_AndZeroGradientsOfTheOperandsShapes_{name}_[{string.Join("x", pair[1])}]_[{string.Join("x", pair[0])}]");
            }
        }
    }

    [TestCaseSource(nameof(BinaryBroadcasts))]
    public void BinaryOps_ZeroSizeBroadcast_GiveEmptyOutput_AndZeroGradientsOfTheOperandsShapes(
        Func<Tensor, Tensor, Tensor> f, int[] aShape, int[] bShape)
    {
        // Non-empty operands hold ones (never 0, so Divide's gradient would be finite if anything leaked).
        Tensor a = Tensor.Ones(aShape, DType.Float64);
        Tensor b = Tensor.Ones(bShape, DType.Float64);
        a.RequiresGrad = true;
        b.RequiresGrad = true;
        Tensor y = f(a, b);
        int[] expected = Autograd.Kernels.BroadcastLayout.BroadcastShape(aShape, bShape, "test");
        Assert.That(y.Shape, Is.EqualTo(expected));
        Assert.That(y.Count, Is.Zero);
        y.Sum().Backward();
        foreach (Tensor operand in new[] { a, b })
        {
            Assert.That(operand.Grad, Is.Not.Null);
            Assert.That(operand.Grad!.Shape, Is.EqualTo(operand.Shape));
            Assert.That(operand.Grad.ToArray<double>(), Is.All.EqualTo(0.0), "nothing was summed into it");
        }
    }

    [Test]
    public void Broadcasting_ZeroRowsWithABiasRow_BiasGradientIsZeros_AsPyTorch()
    {
        Tensor x = EmptyLeaf(DType.Float32, 0, 3);
        Tensor bias = Tensor.FromArray(new float[] { 1, 2, 3 }, 3);
        bias.RequiresGrad = true;
        Tensor y = (x * 2) + bias;
        Assert.That(y.Shape, Is.EqualTo(new[] { 0, 3 }));
        y.Sum().Backward();
        Assert.That(bias.Grad!.ToArray<float>(), Is.EqualTo(new float[] { 0, 0, 0 }));
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void Broadcasting_ZeroAgainstNonOne_ThrowsNamingTheOpAndShapes()
    {
        Tensor x = Tensor.Zeros([0, 3]);
        Tensor y = Tensor.Zeros([2, 3]);
        Assert.That(() => x + y, Throws.ArgumentException.With.Message.Contains("Add").And.Message.Contains("[0,3]").And.Message.Contains("[2,3]"));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void Sum_OfNothing_IsZero_AndBackwardGivesAnEmptyGradient(DType dtype)
    {
        Tensor x = EmptyLeaf(dtype, 0, 3);
        Tensor s = x.Sum();
        Assert.That(s.Shape, Is.Empty);
        Assert.That(s.Item(), Is.EqualTo(0));
        s.Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void Sum_AlongAnEmptyAxis_IsZeros_AlongANonEmptyAxis_IsEmpty()
    {
        Tensor x = EmptyLeaf(DType.Float64, 0, 3);
        Tensor down = x.Sum(0);
        Assert.That(down.Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(down.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0 }));
        Assert.That(x.Sum(1).Shape, Is.EqualTo(new[] { 0 }));
        Assert.That(x.Sum(1, keepDim: true).Shape, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(x.Sum(-2, keepDim: true).Shape, Is.EqualTo(new[] { 1, 3 }));

        Tensor columns = EmptyLeaf(DType.Float32, 2, 0);
        Assert.That(columns.Sum(1).ToArray<float>(), Is.EqualTo(new float[] { 0, 0 }));

        down.Backward(Tensor.FromArray(new double[] { 1, 2, 3 }, 3));
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void Mean_OfNothing_IsNaN_AsPyTorch(DType dtype)
    {
        Tensor x = EmptyLeaf(dtype, 0, 3);
        Tensor m = x.Mean();
        Assert.That(m.Item(), Is.NaN);
        Assert.That(x.Mean(0).ToArray<double>(), Is.All.NaN);
        Assert.That(x.Mean(0).Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(x.Mean(1).Shape, Is.EqualTo(new[] { 0 }));
        m.Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void Mse_OfEmptyTensors_IsNaN_AsPyTorch()
    {
        Tensor p = EmptyLeaf(DType.Float32, 0);
        Tensor loss = Loss.Mse(p, Tensor.Zeros([0]));
        Assert.That(loss.Item(), Is.NaN);
        loss.Backward();
        Assert.That(p.Grad!.Shape, Is.EqualTo(new[] { 0 }));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void BinaryCrossEntropyLosses_OfEmptyTensors_AreNaN_AsPyTorch(DType dtype)
    {
        Tensor p = EmptyLeaf(dtype, 0, 2);
        Tensor z = EmptyLeaf(dtype, 0, 2);
        Tensor bce = Loss.BinaryCrossEntropy(p, Tensor.Zeros([0, 2], dtype));
        Tensor withLogits = Loss.BinaryCrossEntropyWithLogits(z, Tensor.Zeros([0, 2], dtype));
        Assert.That(bce.Item(), Is.NaN);
        Assert.That(withLogits.Item(), Is.NaN);
        bce.Backward();
        withLogits.Backward();
        Assert.That(p.Grad!.Shape, Is.EqualTo(new[] { 0, 2 }));
        Assert.That(z.Grad!.Shape, Is.EqualTo(new[] { 0, 2 }));
    }

    [Test]
    public void CrossEntropy_OfAnEmptyBatch_Throws_ADeliberateDepartureFromPyTorchsNaN()
    {
        Tensor logits = EmptyLeaf(DType.Float32, 0, 3);
        Assert.That(() => Loss.CrossEntropy(logits, []), Throws.ArgumentException.With.Message.Contains("empty"));
    }

    [Test]
    public void Linear_OnAnEmptyBatch_GivesAnEmptyOutput_AndZeroParameterGradients()
    {
        Tensor x = EmptyLeaf(DType.Float64, 0, 3);
        Tensor w = Leaf(Tensor.Randn([2, 3], 4, DType.Float64).ToArray<double>(), 2, 3);
        Tensor b = Leaf([1, -1], 2);
        Tensor y = Functional.Linear(x, w, b);
        Assert.That(y.Shape, Is.EqualTo(new[] { 0, 2 }));
        y.Sum().Backward();
        Assert.That(w.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(b.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void MatMul_InnerDimensionZero_IsZeros_AndGradientsKeepTheEmptyShapes(DType dtype)
    {
        Tensor a = EmptyLeaf(dtype, 2, 0);
        Tensor b = EmptyLeaf(dtype, 0, 3);
        Tensor c = a.MatMul(b);
        Assert.That(c.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(c.ToArray<double>(), Is.All.EqualTo(0.0), "an empty sum is 0, never uninitialised memory");
        c.Backward(Tensor.Ones([2, 3], dtype));
        Assert.That(a.Grad!.Shape, Is.EqualTo(new[] { 2, 0 }));
        Assert.That(b.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void MatMul_InnerDimensionZero_Batched_IsZeros()
    {
        // Several runs, so that reused (uninitialised) buffers would show up as non-zero.
        for (int run = 0; run < 5; run++)
        {
            Tensor c = Tensor.Zeros([2, 3, 0]).MatMul(Tensor.Zeros([2, 0, 4]));
            Assert.That(c.Shape, Is.EqualTo(new[] { 2, 3, 4 }));
            Assert.That(c.ToArray<float>(), Is.All.EqualTo(0f));
        }
    }

    [Test]
    public void MatMul_ZeroRows_IsEmpty_AndTheOtherOperandsGradientIsZeros()
    {
        Tensor a = EmptyLeaf(DType.Float64, 0, 2);
        Tensor b = Leaf([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor c = a.MatMul(b);
        Assert.That(c.Shape, Is.EqualTo(new[] { 0, 3 }));
        c.Sum().Backward();
        Assert.That(b.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(a.Grad!.Shape, Is.EqualTo(new[] { 0, 2 }));
    }

    [Test]
    public void MatMul_ZeroColumnsOnTheRight_IsEmpty_AndTheLeftGradientIsZeros()
    {
        Tensor a = Leaf([1, 2, 3, 4], 2, 2);
        Tensor b = EmptyLeaf(DType.Float64, 2, 0);
        Tensor c = a.MatMul(b);
        Assert.That(c.Shape, Is.EqualTo(new[] { 2, 0 }));
        c.Sum().Backward();
        Assert.That(a.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void Reshape_ZeroSize_InfersTheMinusOneFromTheOtherDimensions()
    {
        Tensor x = EmptyLeaf(DType.Float32, 0, 3);
        Assert.That(x.Reshape(-1, 3).Shape, Is.EqualTo(new[] { 0, 3 }));
        Assert.That(x.Reshape(3, -1, 1).Shape, Is.EqualTo(new[] { 3, 0, 1 }));
        Assert.That(x.Reshape(-1).Shape, Is.EqualTo(new[] { 0 }));
        Assert.That(x.Reshape(5, 0).Shape, Is.EqualTo(new[] { 5, 0 }));

        Tensor y = x.Reshape(3, 0);
        y.Backward(Tensor.Zeros([3, 0]));
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void Reshape_ZeroSize_MinusOneNextToAZero_IsAmbiguous_AndThrows()
    {
        // PyTorch: "cannot reshape tensor of 0 elements into shape [0, -1] because the unspecified dimension
        // size -1 can be any value and is ambiguous".
        Tensor x = Tensor.Zeros([0, 3]);
        Assert.That(() => x.Reshape(0, -1), Throws.ArgumentException.With.Message.Contains("[0,3]"));
        Assert.That(() => x.Reshape(1), Throws.ArgumentException);
    }

    [Test]
    public void Max_OverAnEmptyAxis_ThrowsNamingTheShape_OverANonEmptyAxis_IsEmpty()
    {
        Tensor x = EmptyLeaf(DType.Float64, 0, 3);
        Assert.That(() => x.Max(0), Throws.ArgumentException.With.Message.Contains("[0,3]"));
        Tensor rows = x.Max(1);
        Assert.That(rows.Shape, Is.EqualTo(new[] { 0 }));
        rows.Backward(Tensor.Zeros([0], DType.Float64));
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void Softmax_OverAnEmptyAxis_IsEmpty_AndBackwardWorks()
    {
        Tensor x = EmptyLeaf(DType.Float64, 3, 0);
        Tensor y = x.Softmax(1);
        Assert.That(y.Shape, Is.EqualTo(new[] { 3, 0 }));
        (y * y).Sum().Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 3, 0 }));
        Assert.That(EmptyLeaf(DType.Float32, 0, 3).LogSoftmax(0).Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void ZeroSizeChain_ThroughEveryKindOfOp_BackpropagatesToEveryLeaf()
    {
        // A tiny "layer" on an empty batch: relu(x·W + b).mean() — W and b still get (zero) gradients.
        Tensor x = EmptyLeaf(DType.Float64, 0, 4);
        Tensor w = Leaf(Tensor.Randn([4, 2], 1, DType.Float64).ToArray<double>(), 4, 2);
        Tensor b = Leaf([0.5, -0.5], 2);
        Tensor loss = (x.MatMul(w) + b).Relu().Reshape(-1).Sum();
        Assert.That(loss.Item(), Is.EqualTo(0));
        loss.Backward();
        Assert.That(w.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(b.Grad!.ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 4 }));
    }
}
