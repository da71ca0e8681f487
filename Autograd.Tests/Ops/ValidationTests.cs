using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops;

/// <summary>Every op rejects bad inputs with an ArgumentException naming the op and the shapes, and records nothing.</summary>
public class ValidationTests
{
    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op)[] _binaryOps =
    [
        ("Add", (x, y) => x + y),
        ("Subtract", (x, y) => x - y),
        ("Multiply", (x, y) => x * y),
        ("Divide", (x, y) => x / y),
    ];

    private static IEnumerable<TestCaseData> BinaryOps() =>
        _binaryOps.Select(op => new TestCaseData(op.Name, op.Op).SetName($"{op.Name}"));

    [TestCaseSource(nameof(BinaryOps))]
    public void Binary_NonBroadcastableShapes_NameTheOpAndBothShapes(string name, Func<Tensor, Tensor, Tensor> op)
    {
        Tensor x = Tensor.Zeros([2, 3]);
        Tensor y = Tensor.Zeros([4]);
        Assert.That(() => op(x, y), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains(name).And.Message.Contains("[2,3]").And.Message.Contains("[4]"));
        Assert.That(() => op(Tensor.Zeros([3, 2, 1]), Tensor.Zeros([4, 1])), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains(name).And.Message.Contains("[3,2,1]").And.Message.Contains("[4,1]"));
    }

    [TestCaseSource(nameof(BinaryOps))]
    public void Binary_DTypeMismatch_Throws(string name, Func<Tensor, Tensor, Tensor> op)
    {
        Tensor x = Tensor.Ones([2], DType.Float32);
        Tensor y = Tensor.Ones([2], DType.Float64);
        Assert.That(() => op(x, y), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains(name).And.Message.Contains("Float32").And.Message.Contains("Float64"));
    }

    [Test]
    public void MatMul_InnerDimensionsDiffer()
    {
        Assert.That(() => Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([2, 2])), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("MatMul: [2,3] x [2,2]: inner dimensions 3 and 2 differ"));
    }

    [Test]
    public void MatMul_RankAndBatchErrors()
    {
        // [2,3] x [3] is a matrix-vector product now (torch.matmul); a vector of the wrong length is not.
        Assert.That(() => Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([2])), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("MatMul: [2,3] x [2]: inner dimensions 3 and 2 differ"));
        Assert.That(() => Tensor.Zeros([2, 2, 3]).MatMul(Tensor.Zeros([3, 3, 4])), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("MatMul").And.Message.Contains("batch sizes 2 and 3 differ"));
        Assert.That(() => Tensor.Zeros([2, 2]).MatMul(Tensor.Zeros([2, 2], DType.Float64)), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("MatMul").And.Message.Contains("Float64"));
    }

    [Test]
    public void Linear_ShapeErrors_NameTheShapes()
    {
        Tensor w = Tensor.Zeros([2, 3]);
        Assert.That(() => Functional.Linear(Tensor.Zeros([4, 5]), w), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("Linear").And.Message.Contains("[4,5]").And.Message.Contains("[2,3]"));
        Assert.That(() => Functional.Linear(Tensor.Zeros([4, 3]), w, Tensor.Zeros([3])), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("Linear").And.Message.Contains("bias [3]"));
        Assert.That(() => Functional.Linear(Tensor.Zeros([4, 3]), Tensor.Zeros([3])), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("Linear").And.Message.Contains("[3]"));
    }

    [Test]
    public void Transpose_NeedsAMatrix() =>
        Assert.That(() => Tensor.Zeros([2, 3, 4]).Transpose(), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("Transpose").And.Message.Contains("[2,3,4]"));

    [TestCase(new[] { 4, 2 }, "6 elements")]
    [TestCase(new[] { -1, -1 }, "only one dimension can be -1")]
    [TestCase(new[] { -1, 4 }, "cannot be viewed as [-1,4]")]
    [TestCase(new[] { 3, -2 }, "negative")]
    public void Reshape_Invalid_NamesBothShapes(int[] shape, string detail) =>
        Assert.That(() => Tensor.Zeros([2, 3]).Reshape(shape), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("Reshape").And.Message.Contains("[2,3]").And.Message.Contains(detail));

    private static IEnumerable<TestCaseData> AxisOps()
    {
        yield return new TestCaseData("Sum", (Func<Tensor, int, Tensor>)((x, axis) => x.Sum(axis))).SetName("Sum");
        yield return new TestCaseData("Mean", (Func<Tensor, int, Tensor>)((x, axis) => x.Mean(axis))).SetName("Mean");
        yield return new TestCaseData("Max", (Func<Tensor, int, Tensor>)((x, axis) => x.Max(axis))).SetName("Max");
        yield return new TestCaseData("Softmax", (Func<Tensor, int, Tensor>)((x, axis) => x.Softmax(axis))).SetName("Softmax");
        yield return new TestCaseData("LogSoftmax", (Func<Tensor, int, Tensor>)((x, axis) => x.LogSoftmax(axis))).SetName("LogSoftmax");
    }

    [TestCaseSource(nameof(AxisOps))]
    public void AxisOutOfRange_Throws(string name, Func<Tensor, int, Tensor> op)
    {
        Tensor x = Tensor.Zeros([2, 3]);
        Assert.That(() => op(x, 2), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains(name).And.Message.Contains("axis 2").And.Message.Contains("rank 2"));
        Assert.That(() => op(x, -3), Throws.InstanceOf<ArgumentException>().With.Message.Contains("axis -3"));
        Assert.That(() => op(Tensor.Scalar(1), 0), Throws.InstanceOf<ArgumentException>().With.Message.Contains(name));
    }

    [Test]
    public void Losses_ShapeAndDTypeMismatch_NameTheShapes()
    {
        Tensor a = Tensor.Zeros([2, 3]);
        Tensor b = Tensor.Zeros([3, 2]);
        Assert.That(() => Loss.Mse(a, b), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("Mse").And.Message.Contains("[2,3]").And.Message.Contains("[3,2]"));
        Assert.That(() => Loss.BinaryCrossEntropy(a, b), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("BinaryCrossEntropy").And.Message.Contains("[2,3]").And.Message.Contains("[3,2]"));
        Assert.That(() => Loss.BinaryCrossEntropyWithLogits(a, b), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("BinaryCrossEntropyWithLogits").And.Message.Contains("[3,2]"));
        Assert.That(() => Loss.Mse(a, Tensor.Zeros([2, 3], DType.Float64)), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("Mse").And.Message.Contains("Float64"));
    }

    [Test]
    public void BinaryCrossEntropy_ProbabilityOutsideUnitInterval_Throws() =>
        Assert.That(() => Loss.BinaryCrossEntropy(Tensor.FromArray(new[] { 0.5f, 1.5f }, 2), Tensor.Zeros([2])),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("probabilities[1]"));

    [TestCase(5)]
    [TestCase(3)]
    [TestCase(-1)]
    public void CrossEntropy_LabelOutsideClasses_NamesTheIndexAndC(int label) =>
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([2, 3]), [0, label]), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("CrossEntropy").And.Message.Contains($"labels[1] = {label}").And.Message.Contains("[0, 3)"));

    [Test]
    public void CrossEntropy_ShapeErrors()
    {
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([2, 3]), [0]), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("CrossEntropy").And.Message.Contains("[2,3]").And.Message.Contains("1 labels"));
        Assert.That(() => Loss.CrossEntropy(Tensor.Zeros([6]), [0]), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("CrossEntropy").And.Message.Contains("[6]"));
    }

    [Test]
    public void FromArray_DataLengthMustMatchShape() =>
        Assert.That(() => Tensor.FromArray(new[] { 1f, 2f, 3f }, 2, 2), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("[2,2]").And.Message.Contains("3"));

    private static IEnumerable<TestCaseData> FailingOps()
    {
        Tensor bad = Tensor.Zeros([5, 5], DType.Float64);
        yield return new TestCaseData((Func<Tensor, Tensor>)(a => a.MatMul(Tensor.Zeros([2, 2], DType.Float64)))).SetName("AfterMatMulThrows");
        yield return new TestCaseData((Func<Tensor, Tensor>)(a => a + bad)).SetName("AfterAddThrows");
        yield return new TestCaseData((Func<Tensor, Tensor>)(a => a * Tensor.Zeros([3], DType.Float32))).SetName("AfterMultiplyDTypeThrows");
        yield return new TestCaseData((Func<Tensor, Tensor>)(a => a.Reshape(7))).SetName("AfterReshapeThrows");
        yield return new TestCaseData((Func<Tensor, Tensor>)(a => a.Sum(3))).SetName("AfterSumThrows");
        yield return new TestCaseData((Func<Tensor, Tensor>)(a => a.Softmax(-4))).SetName("AfterSoftmaxThrows");
        yield return new TestCaseData((Func<Tensor, Tensor>)(a => Loss.CrossEntropy(a, [0, 9]))).SetName("AfterCrossEntropyThrows");
        yield return new TestCaseData((Func<Tensor, Tensor>)(a => Loss.Mse(a, bad))).SetName("AfterMseThrows");
        yield return new TestCaseData((Func<Tensor, Tensor>)(a => Functional.Linear(a, bad))).SetName("AfterLinearThrows");
    }

    [TestCaseSource(nameof(FailingOps))]
    public void NothingHalfRecorded(Func<Tensor, Tensor> failing)
    {
        // a = 2x is an intermediate with its own entry; a failing op on it must leave that graph as it was.
        Tensor x = Inputs.Normal(111, 2, 3);
        Tensor a = x * 2;
        TapeEntry entry = a.GradFn!;
        Tensor before = (a * a).Sum();

        Assert.That(() => failing(a), Throws.InstanceOf<ArgumentException>());

        Assert.That(a.GradFn, Is.SameAs(entry));
        Assert.That(entry.IsReleased, Is.False);
        Assert.That(a.IsLeaf, Is.False);
        before.Backward();
        // d/dx Σ (2x)² = 8x, with no stray contribution from the failed op.
        double[] expected = x.ToArray<double>().Select(v => 8 * v).ToArray();
        GradAssert.Values(x.Grad!, expected, 1e-12);
    }
}
