namespace Autograd.Tests;

/// <summary>FromArray, Scalar, Zeros/Ones/Full, Randn and Rand: copies, shapes, dtypes, errors and seeded streams.</summary>
public class TensorCreationTests
{
    // The first six values of normals(seed, 6) in Autograd.Benchmarks/Peers/workloads.py (the PyTorch side of the benchmarks),
    // produced by exec'ing its uniforms()/normals() (lines 38-55) with /usr/bin/python3 + numpy and printing
    // repr(float(v)) of each value. Randn must reproduce this stream so both sides train on identical data.
    private static readonly double[] _normalsSeed7 =
    [
        0.9884743323187353, -1.8642558067312274, 0.00392020721518934,
        -0.5292707004741914, -0.45896961774086253, 0.45281521788407714,
    ];

    private static readonly double[] _normalsSeed42 =
    [
        0.8822489062222688, -0.4508498757188601, 0.1883526341159315,
        0.219586379190761, -0.6703714655421094, -0.676527986719054,
    ];

    // uniforms(0, 3) from the same script: the first values of Rand(seed 0) on [0, 1).
    private static readonly double[] _uniformsSeed0 = [0.8833108082136426, 0.43152799704850997, 0.026433771592597743];

    [Test]
    public void FromArray_Float32_CopiesTheData_MutatingTheSourceLaterDoesNotChangeTheTensor()
    {
        float[] source = [1, 2, 3, 4, 5, 6];
        Tensor x = Tensor.FromArray(source, 2, 3);
        source[0] = 100;
        source[5] = -100;
        Assert.That(x.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(x.DType, Is.EqualTo(DType.Float32));
    }

    [Test]
    public void FromArray_Float64_CopiesTheData_MutatingTheSourceLaterDoesNotChangeTheTensor()
    {
        double[] source = [0.1, 0.2, 0.3];
        Tensor x = Tensor.FromArray(source, 3);
        source[1] = 42;
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 0.1, 0.2, 0.3 }));
        Assert.That(x.DType, Is.EqualTo(DType.Float64));
    }

    [Test]
    public void FromArray_CopiesTheShape_MutatingTheShapeArrayLaterDoesNotChangeTheTensor()
    {
        int[] shape = [2, 3];
        Tensor x = Tensor.FromArray(new double[6], shape);
        shape[0] = 3;
        shape[1] = 2;
        Assert.That(x.Shape, Is.EqualTo(new[] { 2, 3 }));
    }

    [Test]
    public void FromArray_ResultIsALeafThatDoesNotRequireGrad()
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 2 }, 2);
        Assert.That(x.IsLeaf, Is.True);
        Assert.That(x.RequiresGrad, Is.False);
        Assert.That(x.Grad, Is.Null);
    }

    [TestCase(5, new[] { 2, 3 }, "[2,3]")]
    [TestCase(7, new[] { 2, 3 }, "[2,3]")]
    [TestCase(2, new int[0], "[]")]
    [TestCase(1, new[] { 0 }, "[0]")]
    public void FromArray_CountMismatch_ThrowsNamingTheShapeAndBothCounts(int length, int[] shape, string shapeText)
    {
        int expected = shape.Aggregate(1, (a, b) => a * b);
        var error = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new double[length], shape));
        Assert.That(error!.Message, Does.Contain("FromArray").And.Contain(shapeText));
        Assert.That(error.Message, Does.Contain($"{expected} elements").And.Contain($"{length}"));
    }

    [Test]
    public void FromArray_NegativeDimension_ThrowsNamingTheShape()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[6], 2, -3));
        Assert.That(error!.Message, Does.Contain("[2,-3]").And.Contain("negative"));
    }

    [Test]
    public void FromArray_NullDataOrShape_ThrowsArgumentNull()
    {
        Assert.That(() => Tensor.FromArray((float[])null!, 1), Throws.ArgumentNullException);
        Assert.That(() => Tensor.FromArray(new double[1], null!), Throws.ArgumentNullException);
    }

    [Test]
    public void FromArray_EmptyShape_IsAScalar()
    {
        Tensor x = Tensor.FromArray(new[] { 2.5 });
        Assert.That(x.Shape, Is.Empty);
        Assert.That(x.Rank, Is.Zero);
        Assert.That(x.Item(), Is.EqualTo(2.5));
    }

    [Test]
    public void FromArray_ZeroSizeDimension_HoldsNoElements()
    {
        Tensor x = Tensor.FromArray(Array.Empty<float>(), 0, 3);
        Assert.That(x.Shape, Is.EqualTo(new[] { 0, 3 }));
        Assert.That(x.Rank, Is.EqualTo(2));
        Assert.That(x.Count, Is.Zero);
        Assert.That(x.ToArray<float>(), Is.Empty);
    }

    [Test]
    public void Scalar_HasShapeEmpty_RankZero_CountOne_AndItsItem()
    {
        Tensor x = Tensor.Scalar(-3.25);
        Assert.That(x.Shape, Is.Empty);
        Assert.That(x.Rank, Is.Zero);
        Assert.That(x.Count, Is.EqualTo(1));
        Assert.That(x.DType, Is.EqualTo(DType.Float32), "Float32 is the default dtype");
        Assert.That(x.Item(), Is.EqualTo(-3.25));
        Assert.That(x.IsLeaf, Is.True);
        Assert.That(x.RequiresGrad, Is.False);
    }

    [Test]
    public void Scalar_Float32RoundsToFloat_Float64KeepsEveryBit()
    {
        Assert.That(Tensor.Scalar(0.1).Item(), Is.EqualTo((double)0.1f));
        Assert.That(Tensor.Scalar(0.1, DType.Float64).Item(), Is.EqualTo(0.1));
        Assert.That(Tensor.Scalar(0.1, DType.Float64).DType, Is.EqualTo(DType.Float64));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void Zeros_Ones_Full_FillEveryElement_WithTheRequestedShapeAndDType(DType dtype)
    {
        int[] shape = [2, 3, 4];
        Tensor zeros = Tensor.Zeros(shape, dtype);
        Tensor ones = Tensor.Ones(shape, dtype);
        Tensor full = Tensor.Full(shape, -1.5, dtype);
        foreach (Tensor t in new[] { zeros, ones, full })
        {
            Assert.That(t.Shape, Is.EqualTo(shape));
            Assert.That(t.Count, Is.EqualTo(24));
            Assert.That(t.DType, Is.EqualTo(dtype));
            Assert.That(t.IsLeaf && !t.RequiresGrad, Is.True);
        }

        Assert.That(zeros.ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(ones.ToArray<double>(), Is.All.EqualTo(1.0));
        Assert.That(full.ToArray<double>(), Is.All.EqualTo(-1.5));
    }

    [Test]
    public void Zeros_CopiesTheShapeArgument()
    {
        int[] shape = [2, 2];
        Tensor x = Tensor.Zeros(shape);
        shape[0] = 7;
        Assert.That(x.Shape, Is.EqualTo(new[] { 2, 2 }));
    }

    [Test]
    public void Zeros_ScalarAndZeroSizeShapes()
    {
        Assert.That(Tensor.Zeros([]).Count, Is.EqualTo(1));
        Assert.That(Tensor.Ones([]).Item(), Is.EqualTo(1));
        Assert.That(Tensor.Zeros([3, 0]).Count, Is.Zero);
        Assert.That(Tensor.Ones([0], DType.Float64).Shape, Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void Full_Float32_RoundsTheValueToFloat()
    {
        Assert.That(Tensor.Full([2], 0.1).ToArray<float>(), Is.EqualTo(new[] { 0.1f, 0.1f }));
        Assert.That(Tensor.Full([2], 0.1, DType.Float64).ToArray<double>(), Is.EqualTo(new[] { 0.1, 0.1 }));
    }

    private static IEnumerable<TestCaseData> NegativeShapeCreators()
    {
        yield return new TestCaseData((Func<int[], Tensor>)(s => Tensor.Zeros(s)), "Full").SetName("Zeros_NegativeDimension_Throws");
        yield return new TestCaseData((Func<int[], Tensor>)(s => Tensor.Ones(s)), "Full").SetName("Ones_NegativeDimension_Throws");
        yield return new TestCaseData((Func<int[], Tensor>)(s => Tensor.Full(s, 2)), "Full").SetName("Full_NegativeDimension_Throws");
        yield return new TestCaseData((Func<int[], Tensor>)(s => Tensor.Randn(s, 1)), "Randn").SetName("Randn_NegativeDimension_Throws");
        yield return new TestCaseData((Func<int[], Tensor>)(s => Tensor.Rand(s, 1)), "Rand").SetName("Rand_NegativeDimension_Throws");
    }

    [TestCaseSource(nameof(NegativeShapeCreators))]
    public void Creators_NegativeDimension_ThrowArgumentExceptionNamingTheShape(Func<int[], Tensor> create, string op)
    {
        var error = Assert.Throws<ArgumentException>(() => create([3, -1]));
        Assert.That(error!.Message, Does.Contain(op).And.Contain("[3,-1]"));
    }

    [Test]
    public void Creators_HugeShape_ThrowsInsteadOfOverflowing()
    {
        Assert.That(() => Tensor.Zeros([65536, 65536]), Throws.ArgumentException.With.Message.Contains("[65536,65536]"));
    }

    [Test]
    public void Randn_SameSeed_SameValues_DifferentSeed_DifferentValues()
    {
        double[] a = Tensor.Randn([4, 5], seed: 3, DType.Float64).ToArray<double>();
        double[] b = Tensor.Randn([4, 5], seed: 3, DType.Float64).ToArray<double>();
        double[] c = Tensor.Randn([4, 5], seed: 4, DType.Float64).ToArray<double>();
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
        Assert.That(a.Distinct().Count(), Is.EqualTo(20), "samples of a continuous distribution are distinct");
    }

    [TestCase(7)]
    [TestCase(42)]
    public void Randn_Float64_EqualsTheNormalsStreamOfWorkloadsPy(int seed)
    {
        double[] expected = seed == 7 ? _normalsSeed7 : _normalsSeed42;
        double[] actual = Tensor.Randn([2, 3], seed, DType.Float64).ToArray<double>();
        // Box–Muller through Math.Log/Cos vs numpy's: equal to within an ulp or two.
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(4e-16 * Math.Max(1, Math.Abs(expected[i]))), $"element {i}");
        }
    }

    [Test]
    public void Randn_Float32_IsTheFloat64StreamRounded()
    {
        float[] actual = Tensor.Randn([6], seed: 7).ToArray<float>();
        Assert.That(Tensor.Randn([6], seed: 7).DType, Is.EqualTo(DType.Float32));
        Assert.That(actual, Is.EqualTo(_normalsSeed7.Select(v => (float)v).ToArray()));
    }

    [Test]
    public void Randn_FillsRowMajor_ShapeDoesNotChangeTheStream()
    {
        double[] flat = Tensor.Randn([12], seed: 5, DType.Float64).ToArray<double>();
        double[] cube = Tensor.Randn([2, 3, 2], seed: 5, DType.Float64).ToArray<double>();
        Assert.That(cube, Is.EqualTo(flat));
        Assert.That(Tensor.Randn([2, 3, 2], seed: 5).Shape, Is.EqualTo(new[] { 2, 3, 2 }));
    }

    [Test]
    public void Randn_LooksStandardNormal()
    {
        double[] x = Tensor.Randn([20000], seed: 11, DType.Float64).ToArray<double>();
        double mean = x.Average();
        double variance = x.Select(v => (v - mean) * (v - mean)).Average();
        Assert.That(mean, Is.EqualTo(0).Within(0.03));   // 4 standard errors (1/√20000 ≈ 0.007)
        Assert.That(variance, Is.EqualTo(1).Within(0.05));
        Assert.That(x.All(double.IsFinite), Is.True);
    }

    [Test]
    public void Randn_NegativeSeed_IsTheStreamOfItsUnsignedBits()
    {
        var random = new SplitMix64(ulong.MaxValue);
        double[] expected = [random.NextNormal(), random.NextNormal()];
        Assert.That(Tensor.Randn([2], seed: -1, DType.Float64).ToArray<double>(), Is.EqualTo(expected));
    }

    [Test]
    public void Rand_Default_IsTheUniformStreamOfWorkloadsPy()
    {
        double[] actual = Tensor.Rand([3], seed: 0, dtype: DType.Float64).ToArray<double>();
        Assert.That(actual, Is.EqualTo(_uniformsSeed0));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void Rand_StaysWithinLowHigh_AndCoversTheRange(DType dtype)
    {
        Tensor x = Tensor.Rand([10000], seed: 9, low: -2, high: 3, dtype);
        Assert.That(x.DType, Is.EqualTo(dtype));
        double[] values = x.ToArray<double>();
        Assert.That(values, Is.All.GreaterThanOrEqualTo(-2.0));
        Assert.That(values, Is.All.LessThanOrEqualTo(3.0));   // float32 rounding may land on high itself
        Assert.That(values.Min(), Is.LessThan(-1.99));
        Assert.That(values.Max(), Is.GreaterThan(2.99));
        Assert.That(values.Average(), Is.EqualTo(0.5).Within(0.1));
    }

    [Test]
    public void Rand_Float64_IsStrictlyBelowHigh()
    {
        double[] values = Tensor.Rand([10000], seed: 2, low: 0, high: 1, DType.Float64).ToArray<double>();
        Assert.That(values, Is.All.LessThan(1.0));
        Assert.That(values, Is.All.GreaterThanOrEqualTo(0.0));
    }

    [Test]
    public void Rand_SameSeed_SameValues()
    {
        float[] first = Tensor.Rand([5], 8).ToArray<float>();
        float[] again = Tensor.Rand([5], 8).ToArray<float>();
        float[] other = Tensor.Rand([5], 9).ToArray<float>();
        Assert.That(again, Is.EqualTo(first));
        Assert.That(other, Is.Not.EqualTo(first));
    }
}
