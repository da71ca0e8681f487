using Autograd.Kernels;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Indexing;

public class IndexSelectTests
{
    private static Tensor Longs(params long[] values) => Tensor.FromArray(values, values.Length);

    private static Tensor Range(params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(i => (double)i).ToArray(), shape);

    [Test]
    public void Values_AlongEachAxis_InTheIndicesOrder_WithRepeats()
    {
        Tensor x = Range(3, 4);   // rows 0..3, 4..7, 8..11
        Tensor rows = x.IndexSelect(0, Longs(2, 0, 2));
        Assert.That(rows.Shape, Is.EqualTo(new[] { 3, 4 }));
        GradAssert.Values(rows, [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11]);

        Tensor columns = x.IndexSelect(1, Longs(3, 1));
        Assert.That(columns.Shape, Is.EqualTo(new[] { 3, 2 }));
        GradAssert.Values(columns, [3, 1, 7, 5, 11, 9]);
        GradAssert.Values(x.IndexSelect(-1, Longs(3, 1)), [3, 1, 7, 5, 11, 9]);
        GradAssert.Values(x.IndexSelect(-2, Longs(1)), [4, 5, 6, 7]);
    }

    [Test]
    public void Values_MiddleAxisOfARank3Tensor()
    {
        Tensor x = Range(2, 3, 2);
        Tensor y = x.IndexSelect(1, Longs(2, 2, 0, 1));
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 4, 2 }));
        GradAssert.Values(y, [4, 5, 4, 5, 0, 1, 2, 3, 10, 11, 10, 11, 6, 7, 8, 9]);
    }

    [Test]
    public void ZeroDimensionalIndices_KeepTheAxisWithSizeOne_AsPyTorch()
    {
        Tensor y = Range(2, 3).IndexSelect(1, Tensor.FromArray(new long[] { 2 }));
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 1 }));
        GradAssert.Values(y, [2, 5]);
    }

    [Test]
    public void AScalar_IsSelectedFromAsOneElement_AndStaysAScalar()
    {
        Tensor x = Tensor.Scalar(5, DType.Float64);
        Tensor y = x.IndexSelect(0, Longs(0));
        Assert.That(y.Shape, Is.Empty);
        Assert.That(y.Item(), Is.EqualTo(5));
        Assert.That(x.IndexSelect(-1, Tensor.FromArray(new long[] { 0 })).Item(), Is.EqualTo(5));
    }

    [Test]
    public void ZeroSizes_EmptyIndicesAndEmptyOtherAxes()
    {
        Tensor x = Inputs.Normal(1, 3, 4);
        Tensor none = x.IndexSelect(0, Tensor.FromArray(Array.Empty<long>(), 0));
        Assert.That(none.Shape, Is.EqualTo(new[] { 0, 4 }));
        none.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.All.EqualTo(0.0));

        Tensor empty = Tensor.Zeros([0, 3], DType.Float64);
        Assert.That(empty.IndexSelect(1, Longs(2, 0)).Shape, Is.EqualTo(new[] { 0, 2 }));
        Assert.That(empty.IndexSelect(0, Tensor.FromArray(Array.Empty<long>(), 0)).Shape, Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void Int64AndBoolTensors_AreSelectedToo_WithoutAGradient()
    {
        Tensor labels = Tensor.FromArray(new long[] { 10, 11, 12, 13, 14, 15 }, 3, 2);
        Tensor picked = labels.IndexSelect(0, Longs(2, 0));
        Assert.That(picked.DType, Is.EqualTo(DType.Int64));
        Assert.That(picked.ToArray<long>(), Is.EqualTo(new long[] { 14, 15, 10, 11 }));
        Assert.That(picked.RequiresGrad, Is.False);

        Tensor mask = Tensor.FromArray(new[] { true, false, false }, 3);
        Assert.That(mask.IndexSelect(0, Longs(1, 0, 0)).ToArray<bool>(), Is.EqualTo(new[] { false, true, true }));
    }

    [Test]
    public void Gradient_OfRepeatedIndices_Accumulates()
    {
        Tensor x = Inputs.Of([1, 2, 3, 4, 5, 6, 7, 8], 4, 2);
        Tensor y = x.IndexSelect(0, Longs(1, 3, 1, 1));
        y.Backward(Tensor.FromArray(new[] { 1.0, 10, 2, 20, 3, 30, 4, 40 }, 4, 2));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 0, 1 + 3 + 4, 10 + 30 + 40, 0, 0, 2, 20 }));
    }

    private static IEnumerable<TestCaseData> GradCases()
    {
        (int[] Shape, int Axis, long[] Indices)[] cases =
        [
            ([5], 0, [4, 0, 4, 2]),
            ([4, 3], 0, [1, 1, 3]),
            ([4, 3], 1, [2, 0, 2, 2, 1]),
            ([4, 3], -1, [0]),
            ([4, 3], -2, [3, 0, 3]),
            ([2, 3, 4], 1, [2, 2, 0]),
            ([2, 3, 4], -1, [3, 1, 3, 0]),
            ([2, 3, 4], 0, [1, 1]),
            ([3, 2], 0, []),
            ([3, 0], 0, [2, 2]),
        ];
        foreach (var (shape, axis, indices) in cases)
        {
            yield return new TestCaseData(shape, axis, indices)
                .SetName($"IndexSelect_[{string.Join("x", shape)}]_axis{axis}_[{string.Join(",", indices)}]");
        }
    }

    [TestCaseSource(nameof(GradCases))]
    public void GradCheck(int[] shape, int axis, long[] indices)
    {
        Tensor index = Tensor.FromArray(indices, indices.Length);
        GradAssert.Float32MatchesFloat64(v => v[0].IndexSelect(axis, index), [Inputs.Normal(7, shape)]);
    }

    [TestCaseSource(nameof(GradCases))]
    public void GradCheck_NonlinearAndFanOut(int[] shape, int axis, long[] indices)
    {
        // x reaches the output through the selection twice and directly: second derivatives are not zero.
        Tensor index = Tensor.FromArray(indices, indices.Length);
        GradAssert.GradCheck(v =>
        {
            Tensor picked = v[0].IndexSelect(axis, index);
            return (picked * picked.Tanh()).Sum() + (v[0] * v[0]).Sum();
        }, [Inputs.Normal(8, shape)]);
    }

    [Test]
    public void ThirdDerivative_ThroughTheSelectAndItsAdd()
    {
        // f(x) = d/dx Σ select(x)³ is 3·add(select(x)²): its gradient check differentiates the add, whose VJP is a select,
        // and CheckGradGrad differentiates once more.
        Tensor index = Longs(2, 0, 2);
        GradAssert.GradCheck(v =>
        {
            Tensor sum = v[0].IndexSelect(0, index).Pow(3).Sum();
            return Tape.Grad(sum, [v[0]], createGraph: true)[0]!;
        }, [Inputs.Normal(9, 3, 2)]);
    }

    [Test]
    [NonParallelizable]
    public void LargeCalls_AreBitIdenticalWhateverTheThreadCount_AndMatchASequentialReference()
    {
        // Large enough for the threaded paths: 400 rows of 512 picked from 50 (axis 0: the backward splits columns),
        // and 400 of 50 columns picked in each of 512 rows (axis 1: split by rows).
        var random = new Random(3);
        long[] picked = Enumerable.Range(0, 400).Select(_ => (long)random.Next(50)).ToArray();
        Tensor index = Tensor.FromArray(picked, picked.Length);
        foreach (int axis in new[] { 0, 1 })
        {
            int[] shape = axis == 0 ? [50, 512] : [512, 50];
            int[] selected = axis == 0 ? [400, 512] : [512, 400];
            float[] g = Tensor.Randn(selected, seed: 5).ToArray<float>();
            var runs = ThreadCounts().Select(threads => WithThreads(threads, () =>
            {
                Tensor x = Tensor.Randn(shape, seed: 4);
                x.RequiresGrad = true;
                Tensor y = x.IndexSelect(axis, index);
                y.Backward(Tensor.FromArray(g, selected));
                return (Output: y.ToArray<float>(), Grad: x.Grad!.ToArray<float>());
            })).ToArray();

            float[] source = Tensor.Randn(shape, seed: 4).ToArray<float>();
            float[] output = new float[g.Length];
            float[] grad = new float[source.Length];
            for (int r = 0; r < selected[0]; r++)
            {
                for (int c = 0; c < selected[1]; c++)
                {
                    int from = axis == 0 ? ((int)picked[r] * 512) + c : (r * 50) + (int)picked[c];
                    output[(r * selected[1]) + c] = source[from];
                    grad[from] += g[(r * selected[1]) + c];
                }
            }

            foreach (var run in runs)
            {
                Assert.That(run.Output, Is.EqualTo(output), $"axis {axis}: output");
                Assert.That(run.Grad, Is.EqualTo(grad), $"axis {axis}: gradient");
            }
        }
    }

    /// <summary>One thread and every core (the same on a one-core machine).</summary>
    internal static int[] ThreadCounts() => [1, Environment.ProcessorCount];

    /// <summary>Runs <paramref name="run"/> with <see cref="Gemm.DefaultMaxThreads"/> set to <paramref name="threads"/>.</summary>
    internal static T WithThreads<T>(int threads, Func<T> run)
    {
        int saved = Gemm.DefaultMaxThreads;
        try
        {
            Gemm.DefaultMaxThreads = threads;
            return run();
        }
        finally
        {
            Gemm.DefaultMaxThreads = saved;
        }
    }

    [Test]
    public void AnIndexOutOfRange_ThrowsNamingTheIndexItsPositionAndTheSize()
    {
        Tensor x = Tensor.Zeros([5, 2]);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(0, Longs(0, 4, 7, 1)));
        Assert.That(ex!.Message, Does.StartWith("IndexSelect: index 7 at position 2 is out of range for axis 0 of size 5"));

        ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(-1, Longs(-1)));
        Assert.That(ex!.Message, Does.StartWith("IndexSelect: index -1 at position 0 is out of range for axis 1 of size 2")
            .And.Contain("negative indices are not allowed"));

        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([0, 3]).IndexSelect(0, Longs(0)));
        Assert.That(ex!.Message, Does.Contain("index 0 at position 0 is out of range for axis 0 of size 0"));
    }

    [Test]
    public void ABadAxis_ThrowsNamingTheAxisAndTheRank()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([5, 2]).IndexSelect(2, Longs(0)));
        Assert.That(ex!.Message, Does.Contain("IndexSelect: axis 2 is out of range for a tensor of rank 2"));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([5, 2]).IndexSelect(-3, Longs(0)));
        Assert.That(ex!.Message, Does.Contain("axis -3"));
    }

    [Test]
    public void IndicesOfTheWrongTypeOrRank_Throw()
    {
        Tensor x = Tensor.Zeros([5, 2]);
        var ex = Assert.Throws<ArgumentException>(() => x.IndexSelect(0, Tensor.FromArray(new[] { 1f, 2f }, 2)));
        Assert.That(ex!.Message, Does.Contain("IndexSelect: indices must be an Int64 tensor, got [2] Float32"));

        ex = Assert.Throws<ArgumentException>(() => x.IndexSelect(0, Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 2, 2)));
        Assert.That(ex!.Message, Does.Contain("IndexSelect: indices must be 0-D or 1-D, got [2,2]"));

        ex = Assert.Throws<ArgumentException>(() => Tensor.Scalar(1).IndexSelect(0, Longs(0, 0)));
        Assert.That(ex!.Message, Does.Contain("exactly one index"));

        Assert.Throws<ArgumentNullException>(() => x.IndexSelect(0, null!));
    }

    [Test]
    public void InsideDetectAnomaly_Int64SelectionsAreNotChecked()
    {
        using (Tape.DetectAnomaly())
        {
            Tensor labels = Tensor.FromArray(new long[] { 1, 2, 3 }, 3);
            Assert.That(labels.IndexSelect(0, Longs(2)).ToArray<long>(), Is.EqualTo(new long[] { 3 }));
            Tensor x = Inputs.Normal(2, 3);
            x.IndexSelect(0, Longs(2, 2)).Sum().Backward();
            Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 0, 2 }));
        }
    }
}
