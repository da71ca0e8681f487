namespace Autograd.Tests;

/// <summary>Int64 and Bool tensors: creation, reading, conversion, printing, files, and the errors of data-only tensors.</summary>
public class IntegerAndBoolTensorTests
{
    [Test]
    public void FromArray_Int64_CopiesTheDataAndKeepsTheShape()
    {
        long[] source = [3, -1, 9_007_199_254_740_993, 0];   // 2⁵³ + 1: not representable as a double
        Tensor x = Tensor.FromArray(source, 2, 2);
        source[0] = 100;
        Assert.That(x.DType, Is.EqualTo(DType.Int64));
        Assert.That(x.Shape, Is.EqualTo(new[] { 2, 2 }));
        Assert.That(x.ToArray<long>(), Is.EqualTo(new long[] { 3, -1, 9_007_199_254_740_993, 0 }));
    }

    [Test]
    public void FromArray_Bool_CopiesTheData()
    {
        bool[] source = [true, false, true];
        Tensor x = Tensor.FromArray(source, 3);
        source[1] = true;
        Assert.That(x.DType, Is.EqualTo(DType.Bool));
        Assert.That(x.ToArray<bool>(), Is.EqualTo(new[] { true, false, true }));
    }

    [Test]
    public void FromArray_ShapeThatDoesNotMatchTheData_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new long[] { 1, 2, 3 }, 2, 2));
        Assert.That(ex!.Message, Does.Contain("[2,2] holds 4 elements but the data has 3"));
    }

    [Test]
    public void ZerosOnesFull_InInt64AndBool()
    {
        Assert.That(Tensor.Zeros([2], DType.Int64).ToArray<long>(), Is.EqualTo(new long[] { 0, 0 }));
        Assert.That(Tensor.Ones([2], DType.Bool).ToArray<bool>(), Is.EqualTo(new[] { true, true }));
        Assert.That(Tensor.Full([3], 7, DType.Int64).ToArray<long>(), Is.EqualTo(new long[] { 7, 7, 7 }));
        Assert.That(Tensor.Full([1], -2.9, DType.Int64).ToArray<long>(), Is.EqualTo(new long[] { -2 }), "truncates as PyTorch");
        Assert.That(Tensor.Scalar(0, DType.Bool).ToArray<bool>(), Is.EqualTo(new[] { false }));
    }

    [TestCase(DType.Int64)]
    [TestCase(DType.Bool)]
    public void RandomSamples_OfAnIntegerOrBoolType_Throw(DType dtype)
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Randn([2], seed: 1, dtype));
        Assert.That(ex!.Message, Does.Contain("Randn").And.Contain(dtype.ToString()));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Rand([2], seed: 1, dtype: dtype));
        Assert.That(ex!.Message, Does.Contain("Rand").And.Contain(dtype.ToString()));
    }

    [TestCase(DType.Int64)]
    [TestCase(DType.Bool)]
    public void RequiresGrad_OnADataOnlyTensor_Throws(DType dtype)
    {
        Tensor x = Tensor.Zeros([2], dtype);
        var ex = Assert.Throws<InvalidOperationException>(() => x.RequiresGrad = true);
        Assert.That(ex!.Message, Does.Contain(dtype.ToString()).And.Contain("floating-point"));
        x.RequiresGrad = false;   // turning it off is harmless
        Assert.That(x.RequiresGrad, Is.False);
    }

    [Test]
    public void To_ConvertsBetweenAllFourTypes_WithPyTorchsRules()
    {
        Tensor f = Tensor.FromArray(new[] { -2.7f, 0f, 0.5f, 3f }, 4);
        Assert.That(f.To(DType.Int64).ToArray<long>(), Is.EqualTo(new long[] { -2, 0, 0, 3 }), "truncation toward zero");
        Assert.That(f.To(DType.Bool).ToArray<bool>(), Is.EqualTo(new[] { true, false, true, true }));
        Assert.That(f.To(DType.Float64).To(DType.Int64).ToArray<long>(), Is.EqualTo(new long[] { -2, 0, 0, 3 }));

        Tensor l = Tensor.FromArray(new long[] { -5, 0, 16_777_217 }, 3);
        Assert.That(l.To(DType.Float64).ToArray<double>(), Is.EqualTo(new[] { -5.0, 0, 16_777_217 }));
        Assert.That(l.To(DType.Float32).ToArray<float>(), Is.EqualTo(new[] { -5f, 0f, 16_777_216f }), "nearest float");
        Assert.That(l.To(DType.Bool).ToArray<bool>(), Is.EqualTo(new[] { true, false, true }));

        Tensor b = Tensor.FromArray(new[] { true, false }, 2);
        Assert.That(b.To(DType.Float32).ToArray<float>(), Is.EqualTo(new[] { 1f, 0f }));
        Assert.That(b.To(DType.Float64).ToArray<double>(), Is.EqualTo(new[] { 1.0, 0.0 }));
        Assert.That(b.To(DType.Int64).ToArray<long>(), Is.EqualTo(new long[] { 1, 0 }));
        Assert.That(b.To(DType.Bool), Is.SameAs(b), "the same dtype is the same tensor, as PyTorch");
    }

    [Test]
    public void To_IntegerFromATensorThatRequiresGrad_GivesAPlainTensorOutsideTheGraph()
    {
        Tensor x = Tensor.FromArray(new[] { 1.5, 2.5 }, 2);
        x.RequiresGrad = true;
        Tensor labels = (x * 2).To(DType.Int64);
        Assert.That(labels.RequiresGrad, Is.False);
        Assert.That(labels.IsLeaf, Is.True);
        Assert.That(labels.ToArray<long>(), Is.EqualTo(new long[] { 3, 5 }));
    }

    [Test]
    public void ToArray_AsAnotherElementType_ThrowsNamingTheTensorsType()
    {
        Tensor l = Tensor.FromArray(new long[] { 1 }, 1);
        var ex = Assert.Throws<NotSupportedException>(() => l.ToArray<float>());
        Assert.That(ex!.Message, Does.Contain("Int64").And.Contain("Int64").And.Contain("To(DType)"));
        Assert.Throws<NotSupportedException>(() => Tensor.FromArray(new[] { true }, 1).ToArray<long>());
    }

    [Test]
    public void ItemAndToString()
    {
        Assert.That(Tensor.FromArray(new long[] { -7 }, 1).Item(), Is.EqualTo(-7.0));
        Assert.That(Tensor.FromArray(new[] { true }).Item(), Is.EqualTo(1.0));
        Assert.That(Tensor.FromArray(new long[] { 1, -2 }, 2).ToString(), Is.EqualTo("Tensor([2] Int64: 1, -2)"));
        Assert.That(Tensor.FromArray(new[] { true, false }, 1, 2).ToString(), Is.EqualTo("Tensor([1,2] Bool: True, False)"));
    }

    [Test]
    public void Reshape_AndDetach_WorkOnDataOnlyTensors()
    {
        Tensor l = Tensor.FromArray(new long[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.That(l.Reshape(3, 2).ToArray<long>(), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(l.Reshape(3, 2).Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(l.Detach().ToArray<long>(), Is.EqualTo(l.ToArray<long>()));
    }

    private static IEnumerable<TestCaseData> MeaninglessOps()
    {
        yield return new TestCaseData("Exp", (Func<Tensor, Tensor>)(t => t.Exp()));
        yield return new TestCaseData("Relu", (Func<Tensor, Tensor>)(t => t.Relu()));
        yield return new TestCaseData("Add", (Func<Tensor, Tensor>)(t => t + t));
        yield return new TestCaseData("Multiply", (Func<Tensor, Tensor>)(t => t * t));
        yield return new TestCaseData("Multiply", (Func<Tensor, Tensor>)(t => t * 2));
        yield return new TestCaseData("MatMul", (Func<Tensor, Tensor>)(t => t.MatMul(t)));
        yield return new TestCaseData("Sum", (Func<Tensor, Tensor>)(t => t.Sum()));
        yield return new TestCaseData("Sum", (Func<Tensor, Tensor>)(t => t.Sum(0)));
        yield return new TestCaseData("Max", (Func<Tensor, Tensor>)(t => t.Max(0)));
        yield return new TestCaseData("Softmax", (Func<Tensor, Tensor>)(t => t.Softmax(1)));
        yield return new TestCaseData("LogSoftmax", (Func<Tensor, Tensor>)(t => t.LogSoftmax(1)));
        yield return new TestCaseData("Transpose", (Func<Tensor, Tensor>)(t => t.Transpose()));
        yield return new TestCaseData("CrossEntropy", (Func<Tensor, Tensor>)(t => Loss.CrossEntropy(t, [0, 1])));
        yield return new TestCaseData("BinaryCrossEntropy", (Func<Tensor, Tensor>)(t => Loss.BinaryCrossEntropy(t, t)));
        yield return new TestCaseData("AddInPlace", (Func<Tensor, Tensor>)(t => t.AddInPlace(t)));
        yield return new TestCaseData("MulInPlace", (Func<Tensor, Tensor>)(t => t.MulInPlace(2)));
    }

    [TestCaseSource(nameof(MeaninglessOps))]
    public void OpsWithoutAMeaningForInt64OrBool_ThrowNamingTheOpAndTheDType(string op, Func<Tensor, Tensor> apply)
    {
        foreach (Tensor t in new[] { Tensor.Ones([2, 2], DType.Int64), Tensor.Ones([2, 2], DType.Bool) })
        {
            var ex = Assert.Throws<ArgumentException>(() => apply(t));
            Assert.That(ex!.Message, Does.StartWith(op + ":").And.Contain(t.DType.ToString()));
        }
    }

    [Test]
    public void FillAndZeroAndCopyFrom_WorkOnInt64AndBool()
    {
        Tensor l = Tensor.Zeros([3], DType.Int64);
        l.Fill(4);
        Assert.That(l.ToArray<long>(), Is.EqualTo(new long[] { 4, 4, 4 }));
        l.CopyFrom(Tensor.FromArray(new[] { 1.9f, -1.9f, 0f }, 3));
        Assert.That(l.ToArray<long>(), Is.EqualTo(new long[] { 1, -1, 0 }));
        l.Zero();
        Assert.That(l.ToArray<long>(), Is.EqualTo(new long[] { 0, 0, 0 }));

        Tensor mask = Tensor.Zeros([2], DType.Bool);
        mask.Fill(1);
        Assert.That(mask.ToArray<bool>(), Is.EqualTo(new[] { true, true }));

        Tensor f = Tensor.Zeros([2]);
        f.CopyFrom(Tensor.FromArray(new long[] { 3, -4 }, 2));
        Assert.That(f.ToArray<float>(), Is.EqualTo(new[] { 3f, -4f }));

        var ex = Assert.Throws<ArgumentException>(() => l.CopyFrom(Tensor.FromArray(new long[] { 1 }, 1)));
        Assert.That(ex!.Message, Does.Contain("CopyFrom").And.Contain("[1]").And.Contain("[3]"));
    }

    [Test]
    public void SafeTensors_RoundTripsInt64AndBool()
    {
        string path = Path.Combine(Path.GetTempPath(), $"autograd-int-bool-{Guid.NewGuid():N}.safetensors");
        try
        {
            var tensors = new Dictionary<string, Tensor>
            {
                ["labels"] = Tensor.FromArray(new long[] { long.MinValue, -1, 0, long.MaxValue }, 2, 2),
                ["mask"] = Tensor.FromArray(new[] { true, false, false }, 3),
                ["x"] = Tensor.FromArray(new[] { 1.5f }, 1),
            };
            SafeTensors.Save(path, tensors);
            var loaded = SafeTensors.Load(path);
            Assert.That(loaded["labels"].DType, Is.EqualTo(DType.Int64));
            Assert.That(loaded["labels"].Shape, Is.EqualTo(new[] { 2, 2 }));
            Assert.That(loaded["labels"].ToArray<long>(), Is.EqualTo(new[] { long.MinValue, -1, 0, long.MaxValue }));
            Assert.That(loaded["mask"].DType, Is.EqualTo(DType.Bool));
            Assert.That(loaded["mask"].ToArray<bool>(), Is.EqualTo(new[] { true, false, false }));
            Assert.That(loaded["x"].ToArray<float>(), Is.EqualTo(new[] { 1.5f }));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
