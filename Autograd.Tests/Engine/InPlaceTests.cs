using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>
/// In-place ops (API.md, second part): values with and without broadcasting in both dtypes, the argument checks, the
/// leaf rule, the hand-written update idiom, and the gradients of recorded in-place ops on non-leaf tensors.
/// </summary>
public class InPlaceTests
{
    private static readonly DType[] _dtypes = [DType.Float32, DType.Float64];

    private static Tensor Of(DType dtype, double[] values, params int[] shape) => dtype == DType.Float32
        ? Tensor.FromArray(values.Select(v => (float)v).ToArray(), shape)
        : Tensor.FromArray(values, shape);

    // ---- values ----

    [Test]
    public void AddInPlace_SameShape_AddsAndReturnsThis([ValueSource(nameof(_dtypes))] DType dtype)
    {
        Tensor x = Of(dtype, [1, 2, 3, 4], 2, 2);
        Tensor result = x.AddInPlace(Of(dtype, [10, 20, 30, 40], 2, 2));
        Assert.That(result, Is.SameAs(x));
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 11.0, 22, 33, 44 }));
        Assert.That(x.DType, Is.EqualTo(dtype));
        Assert.That(x.Shape, Is.EqualTo(new[] { 2, 2 }));
    }

    [Test]
    public void AddInPlace_WithAlpha_AddsTheScaledOperand([ValueSource(nameof(_dtypes))] DType dtype)
    {
        Tensor x = Of(dtype, [1, 2, 3, 4], 4);
        x.AddInPlace(Of(dtype, [2, 4, 6, 8], 4), alpha: 0.5);
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 2.0, 4, 6, 8 }));
    }

    [Test]
    public void AddInPlace_BroadcastsARow_AColumn_AndAScalar([ValueSource(nameof(_dtypes))] DType dtype)
    {
        Tensor row = Of(dtype, [1, 2, 3, 4, 5, 6], 2, 3).AddInPlace(Of(dtype, [10, 20, 30], 3));
        Assert.That(row.ToArray<double>(), Is.EqualTo(new[] { 11.0, 22, 33, 14, 25, 36 }));

        Tensor column = Of(dtype, [1, 2, 3, 4, 5, 6], 2, 3).AddInPlace(Of(dtype, [10, 20], 2, 1));
        Assert.That(column.ToArray<double>(), Is.EqualTo(new[] { 11.0, 12, 13, 24, 25, 26 }));

        Tensor scalar = Of(dtype, [1, 2, 3, 4, 5, 6], 2, 3).AddInPlace(Tensor.Scalar(100, dtype));
        Assert.That(scalar.ToArray<double>(), Is.EqualTo(new[] { 101.0, 102, 103, 104, 105, 106 }));

        Tensor middle = Of(dtype, [1, 2, 3, 4, 5, 6, 7, 8], 2, 2, 2).AddInPlace(Of(dtype, [10, 20], 1, 2, 1));
        Assert.That(middle.ToArray<double>(), Is.EqualTo(new[] { 11.0, 12, 23, 24, 15, 16, 27, 28 }));
    }

    [Test]
    public void AddInPlace_BroadcastWithAlpha_ScalesTheOperand([ValueSource(nameof(_dtypes))] DType dtype)
    {
        Tensor x = Of(dtype, [1, 2, 3, 4, 5, 6], 2, 3).AddInPlace(Of(dtype, [2, 4], 2, 1), alpha: -0.5);
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 0.0, 1, 2, 2, 3, 4 }));
    }

    [Test]
    public void SubInPlace_SubtractsTheScaledOperand_WithBroadcasting([ValueSource(nameof(_dtypes))] DType dtype)
    {
        Tensor plain = Of(dtype, [5, 6, 7], 3).SubInPlace(Of(dtype, [1, 2, 3], 3));
        Assert.That(plain.ToArray<double>(), Is.EqualTo(new[] { 4.0, 4, 4 }));

        Tensor scaled = Of(dtype, [5, 6, 7], 3).SubInPlace(Of(dtype, [1, 2, 3], 3), alpha: 2);
        Assert.That(scaled.ToArray<double>(), Is.EqualTo(new[] { 3.0, 2, 1 }));

        Tensor broadcast = Of(dtype, [5, 6, 7, 8], 2, 2).SubInPlace(Of(dtype, [1, 2], 2), alpha: 3);
        Assert.That(broadcast.ToArray<double>(), Is.EqualTo(new[] { 2.0, 0, 4, 2 }));
    }

    [Test]
    public void SubInPlace_MatchesTheOutOfPlaceOpBitForBit()
    {
        Tensor a = Tensor.Randn([5, 7], seed: 1);
        Tensor b = Tensor.Randn([5, 7], seed: 2);
        float[] expected = (a - b).ToArray<float>();
        float[] scaled = (a - (b * 0.37)).ToArray<float>();
        Assert.That(a.Detach().ToArray<float>(), Is.Not.EqualTo(expected));
        Tensor c = Tensor.FromArray(a.ToArray<float>(), 5, 7);
        Assert.That(c.SubInPlace(b).ToArray<float>(), Is.EqualTo(expected));
        Tensor d = Tensor.FromArray(a.ToArray<float>(), 5, 7);
        Assert.That(d.SubInPlace(b, alpha: 0.37).ToArray<float>(), Is.EqualTo(scaled));
    }

    [Test]
    public void MulInPlace_ByATensor_MultipliesWithBroadcasting([ValueSource(nameof(_dtypes))] DType dtype)
    {
        Tensor same = Of(dtype, [1, 2, 3, 4], 2, 2).MulInPlace(Of(dtype, [2, 3, 4, 5], 2, 2));
        Assert.That(same.ToArray<double>(), Is.EqualTo(new[] { 2.0, 6, 12, 20 }));

        Tensor column = Of(dtype, [1, 2, 3, 4, 5, 6], 2, 3).MulInPlace(Of(dtype, [2, -1], 2, 1));
        Assert.That(column.ToArray<double>(), Is.EqualTo(new[] { 2.0, 4, 6, -4, -5, -6 }));

        Tensor row = Of(dtype, [1, 2, 3, 4, 5, 6], 2, 3).MulInPlace(Of(dtype, [1, 0, -1], 1, 3));
        Assert.That(row.ToArray<double>(), Is.EqualTo(new[] { 1.0, 0, -3, 4, 0, -6 }));
    }

    [Test]
    public void MulInPlace_ByAConstant_Scales([ValueSource(nameof(_dtypes))] DType dtype)
    {
        Tensor x = Of(dtype, [1, -2, 3], 3);
        Assert.That(x.MulInPlace(2.5), Is.SameAs(x));
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 2.5, -5, 7.5 }));
    }

    [Test]
    public void CopyFrom_CopiesAndBroadcasts([ValueSource(nameof(_dtypes))] DType dtype)
    {
        Tensor x = Of(dtype, [0, 0, 0, 0, 0, 0], 2, 3);
        Assert.That(x.CopyFrom(Of(dtype, [1, 2, 3, 4, 5, 6], 2, 3)), Is.SameAs(x));
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 3, 4, 5, 6 }));

        x.CopyFrom(Of(dtype, [7, 8, 9], 3));
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 7.0, 8, 9, 7, 8, 9 }));

        x.CopyFrom(Of(dtype, [1, 2], 2, 1));
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 1.0, 1, 1, 2, 2, 2 }));

        x.CopyFrom(Tensor.Scalar(-4, dtype));
        Assert.That(x.ToArray<double>(), Is.All.EqualTo(-4.0));
    }

    [Test]
    public void CopyFrom_ConvertsBetweenFloat32AndFloat64()
    {
        Tensor single = Tensor.Zeros([3], DType.Float32);
        single.CopyFrom(Tensor.FromArray(new[] { 0.1, 1e40, -2.5 }, 3));
        Assert.That(single.DType, Is.EqualTo(DType.Float32));
        Assert.That(single.ToArray<float>(), Is.EqualTo(new[] { 0.1f, float.PositiveInfinity, -2.5f }));

        Tensor wide = Tensor.Zeros([2, 2], DType.Float64);
        wide.CopyFrom(Tensor.FromArray(new[] { 0.1f, 3f }, 2));
        Assert.That(wide.DType, Is.EqualTo(DType.Float64));
        Assert.That(wide.ToArray<double>(), Is.EqualTo(new[] { (double)0.1f, 3, (double)0.1f, 3 }));
    }

    [Test]
    public void Fill_And_Zero_SetEveryElement([ValueSource(nameof(_dtypes))] DType dtype)
    {
        Tensor x = Of(dtype, [1, 2, 3, 4], 2, 2);
        Assert.That(x.Fill(1.5), Is.SameAs(x));
        Assert.That(x.ToArray<double>(), Is.All.EqualTo(1.5));
        Assert.That(x.Zero(), Is.SameAs(x));
        Assert.That(x.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void InPlaceOps_OnATensorAndItself_UseTheOldValues([ValueSource(nameof(_dtypes))] DType dtype)
    {
        Tensor x = Of(dtype, [1, 2, 3], 3);
        x.AddInPlace(x);
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 2.0, 4, 6 }));
        x.MulInPlace(x);
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 4.0, 16, 36 }));
        x.CopyFrom(x.Detach());
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 4.0, 16, 36 }));
    }

    // ---- argument checks ----

    [Test]
    public void AnOperandThatDoesNotBroadcast_Throws_NamingTheOpAndBothShapes()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        Assert.That(() => x.AddInPlace(Tensor.Zeros([4])), Throws.ArgumentException
            .With.Message.Contains("AddInPlace").And.Message.Contains("[2,3]").And.Message.Contains("[4]"));
        Assert.That(() => x.SubInPlace(Tensor.Zeros([3, 3])), Throws.ArgumentException
            .With.Message.Contains("SubInPlace").And.Message.Contains("[3,3]"));
        Assert.That(() => x.MulInPlace(Tensor.Zeros([2])), Throws.ArgumentException
            .With.Message.Contains("MulInPlace").And.Message.Contains("[2]"));
        Assert.That(() => x.CopyFrom(Tensor.Zeros([2, 3, 1])), Throws.ArgumentException
            .With.Message.Contains("CopyFrom").And.Message.Contains("[2,3,1]"));
        Assert.That(x.ToArray<double>(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void AnOperandThatWouldEnlargeThisTensor_Throws()
    {
        // [1,3] and [2,3] broadcast together, but to [2,3]: an in-place op never changes the shape it writes.
        Tensor x = Tensor.Zeros([1, 3]);
        Assert.That(() => x.AddInPlace(Tensor.Ones([2, 3])), Throws.ArgumentException
            .With.Message.Contains("AddInPlace").And.Message.Contains("[1,3]").And.Message.Contains("[2,3]"));
        Assert.That(() => Tensor.Zeros([3]).MulInPlace(Tensor.Ones([1, 3])), Throws.ArgumentException);
    }

    [Test]
    public void DifferentDTypes_Throw_ExceptForCopyFrom()
    {
        Tensor x = Tensor.Zeros([2], DType.Float32);
        Tensor y = Tensor.Ones([2], DType.Float64);
        Assert.That(() => x.AddInPlace(y), Throws.ArgumentException.With.Message.Contains("AddInPlace").And.Message.Contains("Float64"));
        Assert.That(() => x.SubInPlace(y), Throws.ArgumentException.With.Message.Contains("SubInPlace"));
        Assert.That(() => x.MulInPlace(y), Throws.ArgumentException.With.Message.Contains("MulInPlace"));
        Assert.That(() => x.CopyFrom(y), Throws.Nothing);
    }

    [Test]
    public void ANullOperand_ThrowsArgumentNullException()
    {
        Tensor x = Tensor.Zeros([2]);
        Assert.That(() => x.AddInPlace(null!), Throws.ArgumentNullException);
        Assert.That(() => x.MulInPlace(null!), Throws.ArgumentNullException);
        Assert.That(() => x.CopyFrom(null!), Throws.ArgumentNullException);
    }

    // ---- the leaf rule ----

    private static IEnumerable<TestCaseData> InPlaceOps()
    {
        yield return new TestCaseData((Action<Tensor>)(t => t.AddInPlace(Tensor.Full([2], 3.0))), "AddInPlace").SetArgDisplayNames("AddInPlace");
        yield return new TestCaseData((Action<Tensor>)(t => t.SubInPlace(Tensor.Full([2], 3.0), alpha: 0.1)), "SubInPlace").SetArgDisplayNames("SubInPlace");
        yield return new TestCaseData((Action<Tensor>)(t => t.MulInPlace(Tensor.Full([2], 3.0))), "MulInPlace").SetArgDisplayNames("MulInPlaceTensor");
        yield return new TestCaseData((Action<Tensor>)(t => t.MulInPlace(3.0)), "MulInPlace").SetArgDisplayNames("MulInPlaceConstant");
        yield return new TestCaseData((Action<Tensor>)(t => t.CopyFrom(Tensor.Full([2], 3.0))), "CopyFrom").SetArgDisplayNames("CopyFrom");
        yield return new TestCaseData((Action<Tensor>)(t => t.Fill(7)), "Fill").SetArgDisplayNames("Fill");
        yield return new TestCaseData((Action<Tensor>)(t => t.Zero()), "Zero").SetArgDisplayNames("Zero");
    }

    [TestCaseSource(nameof(InPlaceOps))]
    public void OnALeafThatRequiresGrad_OutsideNoGrad_Throws_AndChangesNothing(Action<Tensor> op, string name)
    {
        Tensor w = Tensor.FromArray(new float[] { 1, 2 }, 2);
        w.RequiresGrad = true;
        Assert.That(() => op(w), Throws.InvalidOperationException
            .With.Message.Contains(name).And.Message.Contains("leaf").And.Message.Contains("Tape.NoGrad()"));
        Assert.That(w.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2 }));
        Assert.That(w.Version, Is.Zero);
        Assert.That(w.IsLeaf && w.RequiresGrad, Is.True);
    }

    [TestCaseSource(nameof(InPlaceOps))]
    public void OnALeafThatRequiresGrad_InsideNoGrad_Writes_AndKeepsTheLeaf(Action<Tensor> op, string name)
    {
        Tensor w = Tensor.FromArray(new float[] { 1, 2 }, 2);
        w.RequiresGrad = true;
        using (Tape.NoGrad())
        {
            op(w);
        }

        Assert.That(w.ToArray<double>(), Is.Not.EqualTo(new[] { 1.0, 2 }), name);
        Assert.That(w.IsLeaf, Is.True);
        Assert.That(w.RequiresGrad, Is.True);
        Assert.That(w.Grad, Is.Null);
    }

    [TestCaseSource(nameof(InPlaceOps))]
    public void OnALeafThatRequiresNoGrad_OutsideNoGrad_Writes_AndRecordsNothing(Action<Tensor> op, string name)
    {
        Tensor t = Tensor.FromArray(new float[] { 1, 2 }, 2);
        op(t);
        Assert.That(t.ToArray<double>(), Is.Not.EqualTo(new[] { 1.0, 2 }), name);
        Assert.That(t.IsLeaf, Is.True);
        Assert.That(t.RequiresGrad, Is.False);
    }

    [Test]
    public void HandWrittenSgd_KeepsTheSameLeaf_AndTheNextStepWorks()
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        Tensor w = Tensor.FromArray(new float[] { 0.5f, -0.3f }, 2, 1);
        w.RequiresGrad = true;
        const double Lr = 0.1;

        x.MatMul(w).Sum().Backward();
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new[] { 4.0, 6 }));   // column sums of x
        using (Tape.NoGrad())
        {
            w.SubInPlace(w.Grad!, alpha: Lr);
        }

        GradAssert.Values(w, [0.5 - 0.4, -0.3 - 0.6], tolerance: 1e-6);
        Assert.That(w.IsLeaf && w.RequiresGrad, Is.True);
        Assert.That(w.GradFn, Is.Null);

        w.ZeroGrad();
        Tensor loss = (x.MatMul(w) * x.MatMul(w)).Sum();
        loss.Backward();
        double[] wv = w.ToArray<double>();
        double[] y = [(1 * wv[0]) + (2 * wv[1]), (3 * wv[0]) + (4 * wv[1])];
        GradAssert.Values(w.Grad!, [2 * ((y[0] * 1) + (y[1] * 3)), 2 * ((y[0] * 2) + (y[1] * 4))], tolerance: 1e-5);
    }

    [Test]
    public void ALeafThatRequiresNoGrad_WrittenFromARecordedOperand_BecomesAnOpOutput()
    {
        Tensor y = Inputs.Of([1, 2, 3], 3);
        Tensor buffer = Tensor.Zeros([2, 3], DType.Float64);
        buffer.AddInPlace(y, alpha: 2);
        Assert.That(buffer.IsLeaf, Is.False);
        Assert.That(buffer.RequiresGrad, Is.True);
        Assert.That(buffer.ToString(), Does.Contain("grad_fn=AddInPlace"));

        buffer.Sum().Backward();
        Assert.That(GradAssert.GradOf(y), Is.EqualTo(new[] { 4.0, 4, 4 }));   // 2 per row, 2 rows
    }

    [Test]
    public void InsideNoGrad_ANonLeafIsWritten_WithoutANewEntry()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 2;
        TapeEntry producer = h.GradFn!;
        using (Tape.NoGrad())
        {
            h.AddInPlace(Tensor.Ones([2], DType.Float64));
        }

        Assert.That(h.GradFn, Is.SameAs(producer));
        Assert.That(h.ToArray<double>(), Is.EqualTo(new[] { 3.0, 5 }));
    }

    // ---- recorded in-place ops on non-leaf tensors ----

    [Test]
    public void RecordedAddAndMul_PassGradCheck()
    {
        GradAssert.GradCheck(x =>
        {
            Tensor h = x[0] * 2.0;
            h.AddInPlace(x[1], alpha: 0.5);
            h.MulInPlace(x[1]);
            return h;
        }, [Inputs.Normal(1, 2, 3), Inputs.Normal(2, 2, 3)]);
    }

    [TestCase(new[] { 3 })]
    [TestCase(new[] { 2, 1 })]
    [TestCase(new[] { 1, 3 })]
    [TestCase(new int[0])]
    public void RecordedOps_WithABroadcastOperand_PassGradCheck(int[] otherShape)
    {
        GradAssert.GradCheck(x =>
        {
            Tensor h = x[0] * 2.0;
            h.AddInPlace(x[1], alpha: 0.5);
            h.MulInPlace(x[1]);
            h.SubInPlace(x[1], alpha: 3);
            h.SubInPlace(x[1]);
            return (h * h).Sum();
        }, [Inputs.Normal(3, 2, 3), Inputs.Normal(4, otherShape)]);
    }

    [Test]
    public void RecordedMulByAConstant_PassesGradCheck()
    {
        GradAssert.GradCheck(x =>
        {
            Tensor h = x[0] * x[0];
            h.MulInPlace(-1.5);
            return h * x[0];
        }, [Inputs.Normal(5, 4)]);
    }

    [TestCase(new[] { 2, 3 })]
    [TestCase(new[] { 3 })]
    [TestCase(new[] { 2, 1 })]
    public void RecordedCopyFrom_PassesGradCheck_TheOldValuesGetAZeroGradient(int[] sourceShape)
    {
        GradAssert.GradCheck(x =>
        {
            Tensor h = x[0] * 3.0;
            h.CopyFrom(x[1]);
            return (h * h) + x[0];
        }, [Inputs.Normal(6, 2, 3), Inputs.Normal(7, sourceShape)]);

        Tensor a = Inputs.Normal(6, 2, 3);
        Tensor h = a * 3.0;
        h.CopyFrom(Inputs.Normal(7, sourceShape));
        h.Sum().Backward();
        Assert.That(GradAssert.GradOf(a), Is.All.EqualTo(0.0), "PyTorch's copy_ gives the old values a zero gradient");
    }

    [Test]
    public void RecordedCopyFrom_ConvertsTheGradientBackToTheSourceDType()
    {
        Tensor source = Tensor.FromArray(new float[] { 1, 2, 3 }, 3);
        source.RequiresGrad = true;
        Tensor target = Tensor.Zeros([2, 3], DType.Float64);
        target.CopyFrom(source);
        Assert.That(target.DType, Is.EqualTo(DType.Float64));
        (target * Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3)).Sum().Backward();
        Assert.That(source.Grad!.DType, Is.EqualTo(DType.Float32));
        Assert.That(source.Grad.ToArray<double>(), Is.EqualTo(new[] { 5.0, 7, 9 }));
    }

    [Test]
    public void RecordedFillAndZero_GiveTheOldValuesAZeroGradient()
    {
        GradAssert.GradCheck(x =>
        {
            Tensor h = x[0] * 2.0;
            h.Fill(3);
            Tensor g = x[0] * 1.0;
            g.Zero();
            return (h * x[0]) + g;
        }, [Inputs.Normal(8, 5)]);
    }

    [Test]
    public void RecordedInPlaceOps_OnATensorAndItself_PassGradCheck()
    {
        GradAssert.GradCheck(x =>
        {
            Tensor h = x[0] * 1.0;
            h.MulInPlace(h);          // h = x²
            h.AddInPlace(h, alpha: 2); // h = 3x²
            h.CopyFrom(h);
            return h;
        }, [Inputs.Normal(9, 4)]);
    }

    [Test]
    public void RecordedOps_SecondOrder_ThroughCreateGraph()
    {
        // f(x) = Σ (x · x³) with the product taken in place: f' = 4x³, f'' = 12x².
        Tensor x = Inputs.Of([0.5, -1, 2], 3);
        Tensor cube = x * x * x;
        Tensor h = x * 1.0;
        h.MulInPlace(cube);
        Tensor ones = Tensor.Ones([3], DType.Float64);   // explicit seeds: the test needs no Sum
        Tensor first = Tape.Grad(h, [x], gradOutput: ones, createGraph: true)[0]!;
        GradAssert.Values(first, [0.5, -4, 32], 1e-12);
        first.Backward(ones);
        GradAssert.Values(x.Grad!, [3, 12, 48], 1e-12);
    }

    [Test]
    public void RecordedAddWithAlpha_SecondOrder()
    {
        // h = 2x; h += 3·x²; grad of Σh wrt x is 2 + 6x; second derivative 6.
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 2.0;
        h.AddInPlace(x * x, alpha: 3);
        Tensor ones = Tensor.Ones([2], DType.Float64);
        Tensor first = Tape.Grad(h, [x], gradOutput: ones, createGraph: true)[0]!;
        GradAssert.Values(first, [8, 14], 1e-12);
        first.Backward(ones);
        GradAssert.Values(x.Grad!, [6, 6], 1e-12);
    }

    [Test]
    public void RecordedOps_WithABroadcastOperand_SecondOrder()
    {
        // h = x²·y + 2·y² (y [3] broadcast over 2 rows): d/dy Σh = Σrows x² + 8y; d/dx of that sums to 2x, d/dy to 8.
        Tensor x = Inputs.Of([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor y = Inputs.Of([0.5, -1, 2], 3);
        Tensor h = x * x;
        h.MulInPlace(y);
        h.AddInPlace(y * y, alpha: 2);
        Tensor dy = Tape.Grad(h.Sum(), [y], createGraph: true)[0]!;
        GradAssert.Values(dy, [21, 21, 61], 1e-12);
        dy.Sum().Backward();
        GradAssert.Values(x.Grad!, [2, 4, 6, 8, 10, 12], 1e-12);
        GradAssert.Values(y.Grad!, [8, 8, 8], 1e-12);
    }

    [Test]
    public void AnInPlaceOp_OnAViewOfARecordedTensor_IsNotSupported()
    {
        Tensor x = Inputs.Of([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor view = (x * 2.0).Reshape(6);
        Assert.That(() => view.AddInPlace(Tensor.Ones([6], DType.Float64)), Throws.InstanceOf<NotSupportedException>()
            .With.Message.Contains("AddInPlace").And.Message.Contains("view").And.Message.Contains("Reshape"));
        Assert.That(() => x.Reshape(3, 2).Zero(), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("Zero"));
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 3, 4, 5, 6 }));

        using (Tape.NoGrad())
        {
            x.Reshape(3, 2).MulInPlace(2.0);   // the usual way to update a parameter through a view
        }

        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 2.0, 4, 6, 8, 10, 12 }));
    }

    [Test]
    public void AnOperandThatIsARecordedViewOfThisTensor_IsNotSupported()
    {
        Tensor h = Inputs.Of([1, 2, 3, 4], 2, 2) * 1.0;
        Assert.That(() => h.AddInPlace(h.Reshape(4).Reshape(2, 2)), Throws.InstanceOf<NotSupportedException>()
            .With.Message.Contains("AddInPlace"));
    }

    [Test]
    public void AnomalyDetection_NamesAnInPlaceOpThatMadeANaN()
    {
        Tensor t = Tensor.FromArray(new[] { 0.0, 1 }, 2);
        using (Tape.DetectAnomaly())
        {
            Assert.That(() => t.MulInPlace(double.PositiveInfinity), Throws.InstanceOf<AnomalyException>()
                .With.Property(nameof(AnomalyException.OpName)).EqualTo("MulInPlace")
                .And.Property(nameof(AnomalyException.InBackward)).False);
        }
    }

    [Test]
    public void OpsRecordedBeforeAnInPlaceOp_KeepTheirGradientPath()
    {
        // As PyTorch: z saw h before the in-place add; its gradient must reach x through h's old producer only.
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = Inputs.Of([5, 7], 2);
        Tensor h = x * 2.0;
        Tensor z = h + 1.0;
        h.AddInPlace(y);
        (z.Sum() + h.Sum()).Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 4.0, 4 }));
        Assert.That(GradAssert.GradOf(y), Is.EqualTo(new[] { 1.0, 1 }));
    }
}
