namespace Autograd.Tests.Ops.Comparison;

public class ComparisonTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> WithTensor, Func<Tensor, double, Tensor> WithConstant)[] _ops =
    [
        ("Eq", (x, y) => x.Eq(y), (x, c) => x.Eq(c)),
        ("Ne", (x, y) => x.Ne(y), (x, c) => x.Ne(c)),
        ("Lt", (x, y) => x.Lt(y), (x, c) => x.Lt(c)),
        ("Le", (x, y) => x.Le(y), (x, c) => x.Le(c)),
        ("Gt", (x, y) => x.Gt(y), (x, c) => x.Gt(c)),
        ("Ge", (x, y) => x.Ge(y), (x, c) => x.Ge(c)),
    ];

    private static (string, Func<Tensor, Tensor, Tensor>, Func<Tensor, double, Tensor>) Op(string name) =>
        _ops.Single(op => op.Name == name);

    // x = [1, NaN, 3, −0], y = [1, NaN, 2, 0]: expected values from torch 1.13 for x ∘ y, x ∘ NaN and x ∘ 1.
    private static IEnumerable<TestCaseData> IeeeCases()
    {
        yield return Case("Eq", [true, false, false, true], [false, false, false, false], [true, false, false, false]);
        yield return Case("Ne", [false, true, true, false], [true, true, true, true], [false, true, true, true]);
        yield return Case("Lt", [false, false, false, false], [false, false, false, false], [false, false, false, true]);
        yield return Case("Le", [true, false, false, true], [false, false, false, false], [true, false, false, true]);
        yield return Case("Gt", [false, false, true, false], [false, false, false, false], [false, false, true, false]);
        yield return Case("Ge", [true, false, true, true], [false, false, false, false], [true, false, true, false]);

        static TestCaseData Case(string op, bool[] withY, bool[] withNaN, bool[] withOne) =>
            new TestCaseData(op, withY, withNaN, withOne).SetName($"{op}_FloatingPoint_IeeeSemantics");
    }

    [TestCaseSource(nameof(IeeeCases))]
    public void FloatingPoint_NaNIsUnequalToEverything_MatchingPyTorch(string name, bool[] withY, bool[] withNaN, bool[] withOne)
    {
        var (_, withTensor, withConstant) = Op(name);
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            Tensor x = Tensor.FromArray(new[] { 1.0, double.NaN, 3, -0.0 }, 4).To(dtype);
            Tensor y = Tensor.FromArray(new[] { 1.0, double.NaN, 2, 0 }, 4).To(dtype);
            Tensor result = withTensor(x, y);
            Assert.That(result.DType, Is.EqualTo(DType.Bool));
            Assert.That(result.Shape, Is.EqualTo(new[] { 4 }));
            Assert.That(result.ToArray<bool>(), Is.EqualTo(withY), $"{dtype} with a tensor");
            Assert.That(withConstant(x, double.NaN).ToArray<bool>(), Is.EqualTo(withNaN), $"{dtype} with NaN");
            Assert.That(withConstant(x, 1).ToArray<bool>(), Is.EqualTo(withOne), $"{dtype} with 1");
        }
    }

    private static readonly Func<double, double, bool>[] _references =
    [
        (a, b) => a == b, (a, b) => a != b, (a, b) => a < b, (a, b) => a <= b, (a, b) => a > b, (a, b) => a >= b,
    ];

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    [TestCase(DType.Int64)]
    [TestCase(DType.Bool)]
    public void LongRows_VectorLanesAndTails_MatchAnElementByElementReference(DType dtype)
    {
        // 3 rows of 37 (not a multiple of any lane count) with repeats, NaNs for floating point and 0/1 for Bool.
        var random = new Random(5);
        double Draw() => dtype == DType.Bool ? random.Next(2) : random.Next(10) == 0 && dtype != DType.Int64 ? double.NaN : random.Next(-3, 4);
        double[] xv = Enumerable.Range(0, 111).Select(_ => Draw()).ToArray();
        double[] yv = Enumerable.Range(0, 111).Select(_ => Draw()).ToArray();
        Tensor x = Tensor.FromArray(xv, 3, 37).To(dtype), y = Tensor.FromArray(yv, 3, 37).To(dtype);
        Tensor row = Tensor.FromArray(yv[..37], 37).To(dtype), column = Tensor.FromArray(yv[..3], 3, 1).To(dtype);
        int opCount = dtype == DType.Bool ? 2 : 6;
        for (int k = 0; k < opCount; k++)
        {
            var (name, withTensor, withConstant) = _ops[k];
            Func<double, double, bool> reference = _references[k];
            Assert.That(withTensor(x, y).ToArray<bool>(), Is.EqualTo(xv.Select((a, i) => reference(a, yv[i])).ToArray()), $"{name} same shape");
            Assert.That(withTensor(x, row).ToArray<bool>(), Is.EqualTo(xv.Select((a, i) => reference(a, yv[i % 37])).ToArray()), $"{name} row");
            Assert.That(withTensor(column, x).ToArray<bool>(), Is.EqualTo(xv.Select((a, i) => reference(yv[i / 37], a)).ToArray()), $"{name} column");
            Assert.That(withConstant(x, 1).ToArray<bool>(), Is.EqualTo(xv.Select(a => reference(a, 1)).ToArray()), $"{name} constant");
        }
    }

    [Test]
    public void Broadcasting_BothWays()
    {
        Tensor column = Tensor.FromArray(new long[] { 1, 2 }, 2, 1);
        Tensor row = Tensor.FromArray(new long[] { 0, 1, 2, 3 }, 4);
        Tensor lt = column.Lt(row);
        Assert.That(lt.Shape, Is.EqualTo(new[] { 2, 4 }));
        Assert.That(lt.ToArray<bool>(), Is.EqualTo(new[] { false, false, true, true, false, false, false, true }));
        Assert.That(row.Gt(column).ToArray<bool>(), Is.EqualTo(lt.ToArray<bool>()));

        Tensor a = Tensor.Randn([2, 1, 3], seed: 1, DType.Float64);
        Tensor b = Tensor.Randn([4, 1], seed: 2, DType.Float64);
        Tensor ge = a.Ge(b);
        Assert.That(ge.Shape, Is.EqualTo(new[] { 2, 4, 3 }));
        double[] av = a.ToArray<double>(), bv = b.ToArray<double>();
        bool[] expected = new bool[24];
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                for (int k = 0; k < 3; k++)
                {
                    expected[(((i * 4) + j) * 3) + k] = av[(i * 3) + k] >= bv[j];
                }
            }
        }

        Assert.That(ge.ToArray<bool>(), Is.EqualTo(expected));
        Assert.That(a.Eq(Tensor.Scalar(av[1], DType.Float64)).ToArray<bool>(), Is.EqualTo(new[] { false, true, false, false, false, false }));
    }

    [Test]
    public void ScalarsAndZeroSizes()
    {
        Assert.That(Tensor.Scalar(2).Gt(Tensor.Scalar(1)).Shape, Is.Empty);
        Assert.That(Tensor.Scalar(2).Gt(1).Item(), Is.EqualTo(1));
        Assert.That(Tensor.Zeros([0, 3]).Eq(Tensor.Zeros([3])).Shape, Is.EqualTo(new[] { 0, 3 }));
        Assert.That(Tensor.Zeros([0], DType.Int64).Le(1).Shape, Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void Int64_WithTensors_AndWithConstantsExactly()
    {
        const long Big = 9_007_199_254_740_993;   // 2⁵³ + 1, not a double
        Tensor x = Tensor.FromArray(new long[] { -3, 0, 2, Big, long.MaxValue }, 5);
        Tensor y = Tensor.FromArray(new long[] { -3, 1, 1, Big - 1, long.MaxValue }, 5);
        Assert.That(x.Eq(y).ToArray<bool>(), Is.EqualTo(new[] { true, false, false, false, true }));
        Assert.That(x.Gt(y).ToArray<bool>(), Is.EqualTo(new[] { false, false, true, true, false }));

        // A fraction lies between two integers: never equal, and the order is exact.
        Assert.That(x.Lt(1.5).ToArray<bool>(), Is.EqualTo(new[] { true, true, false, false, false }));
        Assert.That(x.Ge(1.5).ToArray<bool>(), Is.EqualTo(new[] { false, false, true, true, true }));
        Assert.That(x.Le(-2.5).ToArray<bool>(), Is.EqualTo(new[] { true, false, false, false, false }));
        Assert.That(x.Gt(-3.5).ToArray<bool>(), Is.All.True);
        Assert.That(x.Eq(2.0000001).ToArray<bool>(), Is.All.False);
        Assert.That(x.Ne(2.0000001).ToArray<bool>(), Is.All.True);

        // 2⁵³ (a double) is not 2⁵³ + 1 (a long): compared as integers, not rounded.
        Assert.That(x.Eq(9_007_199_254_740_992.0).ToArray<bool>(), Is.All.False);
        Assert.That(x.Gt(9_007_199_254_740_992.0).ToArray<bool>(), Is.EqualTo(new[] { false, false, false, true, true }));

        // Beyond the range of long, infinities and NaN.
        Assert.That(x.Lt(9_223_372_036_854_775_808.0).ToArray<bool>(), Is.All.True, "2⁶³ exceeds every long");
        Assert.That(x.Gt(double.NegativeInfinity).ToArray<bool>(), Is.All.True);
        Assert.That(x.Le(double.PositiveInfinity).ToArray<bool>(), Is.All.True);
        Assert.That(x.Eq(double.PositiveInfinity).ToArray<bool>(), Is.All.False);
        Assert.That(x.Ge(double.NaN).ToArray<bool>(), Is.All.False);
        Assert.That(x.Ne(double.NaN).ToArray<bool>(), Is.All.True);
        Assert.That(Tensor.FromArray(new[] { long.MinValue }).Eq(-9_223_372_036_854_775_808.0).Item(), Is.EqualTo(1));
    }

    [Test]
    public void Float32_ComparesWithTheConstantConvertedToFloat32_AsPyTorch()
    {
        Tensor x = Tensor.FromArray(new[] { 0.1f }, 1);
        Assert.That(x.Eq(0.1).Item(), Is.EqualTo(1));
        Assert.That(x.To(DType.Float64).Eq(0.1).Item(), Is.EqualTo(0), "float64(0.1f) is not the double 0.1");
        Assert.That(Tensor.FromArray(new[] { float.MaxValue }, 1).Lt(1e300).Item(), Is.EqualTo(1), "1e300 becomes +inf");
    }

    [Test]
    public void Bool_EqAndNe()
    {
        Tensor a = Tensor.FromArray(new[] { true, false, true, false }, 4);
        Tensor b = Tensor.FromArray(new[] { true, true, false, false }, 4);
        Assert.That(a.Eq(b).ToArray<bool>(), Is.EqualTo(new[] { true, false, false, true }));
        Assert.That(a.Ne(b).ToArray<bool>(), Is.EqualTo(new[] { false, true, true, false }));
        Assert.That(a.Eq(Tensor.FromArray(new[] { true })).ToArray<bool>(), Is.EqualTo(new[] { true, false, true, false }));
        Assert.That(a.Eq(1).ToArray<bool>(), Is.EqualTo(new[] { true, false, true, false }));
        Assert.That(a.Ne(0).ToArray<bool>(), Is.EqualTo(new[] { true, false, true, false }));
        Assert.That(a.Eq(2).ToArray<bool>(), Is.All.False);
        Assert.That(a.Eq(0.5).ToArray<bool>(), Is.All.False);
        Assert.That(a.Ne(double.NaN).ToArray<bool>(), Is.All.True);
    }

    [TestCase("Lt")]
    [TestCase("Le")]
    [TestCase("Gt")]
    [TestCase("Ge")]
    public void Bool_HasNoOrder(string name)
    {
        var (_, withTensor, withConstant) = Op(name);
        Tensor a = Tensor.Ones([2], DType.Bool);
        var ex = Assert.Throws<ArgumentException>(() => withTensor(a, a));
        Assert.That(ex!.Message, Does.StartWith($"{name}: Bool tensors have no order ([2] Bool); only Eq and Ne compare them"));
        Assert.Throws<ArgumentException>(() => withConstant(a, 1));
    }

    [TestCase("Eq")]
    [TestCase("Ne")]
    [TestCase("Lt")]
    [TestCase("Ge")]
    public void MismatchedDTypes_Throw_WithoutPromotion(string name)
    {
        var (_, withTensor, _) = Op(name);
        var ex = Assert.Throws<ArgumentException>(() => withTensor(Tensor.Ones([2, 3]), Tensor.Ones([3], DType.Float64)));
        Assert.That(ex!.Message, Does.StartWith($"{name}: dtypes differ ([2,3] Float32 and [3] Float64)"));
        Assert.Throws<ArgumentException>(() => withTensor(Tensor.Ones([2], DType.Int64), Tensor.Ones([2])));
        Assert.Throws<ArgumentException>(() => withTensor(Tensor.Ones([2], DType.Bool), Tensor.Ones([2], DType.Int64)));
    }

    [Test]
    public void ShapesThatDoNotBroadcast_ThrowNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 3]).Lt(Tensor.Ones([2])));
        Assert.That(ex!.Message, Does.StartWith("Lt: shapes [2,3] and [2] do not broadcast"));
        Assert.Throws<ArgumentNullException>(() => Tensor.Ones([2]).Eq(null!));
    }

    [Test]
    public void Results_NeverRequireAGradient_AndRecordNothing()
    {
        Tensor x = Tensor.Randn([3], seed: 1, DType.Float64);
        x.RequiresGrad = true;
        Tensor y = x * 2;
        foreach (var (name, withTensor, withConstant) in _ops)
        {
            foreach (Tensor result in new[] { withTensor(y, x), withConstant(y, 0.5) })
            {
                Assert.That(result.RequiresGrad, Is.False, name);
                Assert.That(result.IsLeaf, Is.True, name);
            }
        }

        // A mask made from x cuts no gradient path: only Where's selection does.
        Tensor masked = Tensor.Where(x.Gt(0), x, -x);
        masked.Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(x.ToArray<double>().Select(v => v > 0 ? 1.0 : -1.0).ToArray()));
    }

    [Test]
    public void InsideDetectAnomaly_NaNInputsAreFine()
    {
        using (Tape.DetectAnomaly())
        {
            Tensor x = Tensor.FromArray(new[] { double.NaN, 1 }, 2);
            x.RequiresGrad = true;
            Assert.That(x.Eq(x).ToArray<bool>(), Is.EqualTo(new[] { false, true }));
            Assert.That(x.Ne(double.NaN).ToArray<bool>(), Is.EqualTo(new[] { true, true }));
        }
    }
}
