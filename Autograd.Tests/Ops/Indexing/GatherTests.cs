using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Indexing;

public class GatherTests
{
    private static Tensor Range(params int[] shape) =>
        Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(i => (double)i).ToArray(), shape);

    private static Tensor Longs(long[] values, params int[] shape) => Tensor.FromArray(values, shape);

    // Expected values from torch 1.13 (torch.gather on torch.arange(...).reshape(...)).
    [Test]
    public void Values_MatchPyTorch()
    {
        Tensor x = Range(3, 4);
        GradAssert.Values(x.Gather(0, Longs([2, 0, 1, 2, 1, 1, 0, 0], 2, 4)), [8, 1, 6, 11, 4, 5, 2, 3]);
        GradAssert.Values(x.Gather(1, Longs([3, 0, 1, 1, 2, 3], 3, 2)), [3, 0, 5, 5, 10, 11]);

        // Larger than x along the gather axis, smaller in the other dimension.
        Tensor wide = x.Gather(1, Longs([3, 0, 0, 1, 2], 1, 5));
        Assert.That(wide.Shape, Is.EqualTo(new[] { 1, 5 }));
        GradAssert.Values(wide, [3, 0, 0, 1, 2]);

        Tensor y = Range(2, 3, 4);
        Tensor middle = y.Gather(-2, Longs([1, 0, 2, 2], 1, 2, 2));
        Assert.That(middle.Shape, Is.EqualTo(new[] { 1, 2, 2 }));
        GradAssert.Values(middle, [4, 1, 8, 9]);
        GradAssert.Values(y.Gather(2, Longs([3, 0, 1, 2], 2, 2, 1)), [3, 4, 13, 18]);
    }

    [Test]
    public void Scalars_AndZeroSizes()
    {
        Tensor scalar = Tensor.Scalar(5, DType.Float64);
        Tensor picked = scalar.Gather(0, Tensor.FromArray(new long[] { 0 }));
        Assert.That(picked.Shape, Is.Empty);
        Assert.That(picked.Item(), Is.EqualTo(5));

        Tensor x = Inputs.Normal(1, 3, 4);
        Tensor none = x.Gather(1, Longs([], 3, 0));
        Assert.That(none.Shape, Is.EqualTo(new[] { 3, 0 }));
        none.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.All.EqualTo(0.0));
        Assert.That(x.Gather(0, Longs([], 0, 4)).Shape, Is.EqualTo(new[] { 0, 4 }));
        Assert.That(Tensor.Zeros([0, 3]).Gather(1, Longs([], 0, 5)).Shape, Is.EqualTo(new[] { 0, 5 }));
    }

    [Test]
    public void Int64AndBoolTensors_AreGatheredToo_WithoutAGradient()
    {
        Tensor labels = Tensor.FromArray(new long[] { 10, 11, 12, 13, 14, 15 }, 2, 3);
        Tensor picked = labels.Gather(1, Longs([2, 2, 0, 1], 2, 2));
        Assert.That(picked.DType, Is.EqualTo(DType.Int64));
        Assert.That(picked.ToArray<long>(), Is.EqualTo(new long[] { 12, 12, 13, 14 }));
        Tensor mask = Tensor.FromArray(new[] { true, false, false, true }, 2, 2);
        Assert.That(mask.Gather(0, Longs([1, 0], 1, 2)).ToArray<bool>(), Is.EqualTo(new[] { false, false }));
    }

    [Test]
    public void Gradient_OfRepeatedIndices_Accumulates()
    {
        Tensor x = Inputs.Of([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor y = x.Gather(1, Longs([2, 2, 0, 1, 1, 1], 2, 3));
        y.Backward(Tensor.FromArray(new[] { 1.0, 2, 4, 10, 20, 40 }, 2, 3));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 4.0, 0, 3, 0, 70, 0 }));
    }

    private static IEnumerable<TestCaseData> GradCases()
    {
        (int[] Shape, int Axis, long[] Indices, int[] IndexShape)[] cases =
        [
            ([5], 0, [4, 0, 4, 2, 4, 4, 1], [7]),
            ([3, 4], 0, [2, 0, 1, 2, 1, 1, 0, 0], [2, 4]),
            ([3, 4], 1, [3, 0, 1, 1, 2, 3], [3, 2]),
            ([3, 4], -1, [3, 0, 0, 1, 2], [1, 5]),
            ([2, 3, 4], -2, [1, 0, 2, 2], [1, 2, 2]),
            ([2, 3, 4], 2, [3, 0, 1, 2], [2, 2, 1]),
            ([2, 3, 4], 0, [1, 1, 0, 1, 0, 0], [2, 1, 3]),
            ([3, 2], 1, [], [3, 0]),
            ([3, 2], 0, [], [0, 2]),
        ];
        foreach (var (shape, axis, indices, indexShape) in cases)
        {
            yield return new TestCaseData(shape, axis, indices, indexShape)
                .SetName($"Gather_[{string.Join("x", shape)}]_axis{axis}_index[{string.Join("x", indexShape)}]");
        }
    }

    [TestCaseSource(nameof(GradCases))]
    public void GradCheck(int[] shape, int axis, long[] indices, int[] indexShape)
    {
        Tensor index = Longs(indices, indexShape);
        GradAssert.Float32MatchesFloat64(v => v[0].Gather(axis, index), [Inputs.Normal(7, shape)]);
    }

    [TestCaseSource(nameof(GradCases))]
    public void GradCheck_NonlinearAndFanOut(int[] shape, int axis, long[] indices, int[] indexShape)
    {
        Tensor index = Longs(indices, indexShape);
        GradAssert.GradCheck(v =>
        {
            Tensor picked = v[0].Gather(axis, index);
            return (picked * picked.Sigmoid()).Sum() + (v[0].Tanh() * v[0]).Sum();
        }, [Inputs.Normal(8, shape)]);
    }

    [Test]
    public void ThirdDerivative_ThroughTheGatherAndItsScatterAdd()
    {
        Tensor index = Longs([1, 1, 0, 0, 1, 0], 2, 3);
        GradAssert.GradCheck(v =>
        {
            Tensor sum = v[0].Gather(0, index).Pow(3).Sum();
            return Tape.Grad(sum, [v[0]], createGraph: true)[0]!;
        }, [Inputs.Normal(9, 2, 3)]);
    }

    [Test]
    public void TheLogLikelihoodOfLabels_MatchesCrossEntropy()
    {
        // The usual use: −mean(log_softmax(z)[i, label_i]) by gather is the cross-entropy loss, gradient included.
        Tensor logits = Inputs.Normal(10, 4, 5);
        int[] labels = [3, 0, 4, 4];
        Tensor nll = -logits.LogSoftmax(1).Gather(1, Longs(labels.Select(l => (long)l).ToArray(), 4, 1)).Mean();
        nll.Backward();
        double[] gatherGrad = GradAssert.GradOf(logits);
        logits.ZeroGrad();
        Tensor reference = Loss.CrossEntropy(logits, labels);
        reference.Backward();
        Assert.That(nll.Item(), Is.EqualTo(reference.Item()).Within(1e-12));
        GradAssert.AssertClose(gatherGrad, GradAssert.GradOf(logits), rtol: 0, atol: 1e-12);
    }

    [Test]
    [NonParallelizable]
    public void LargeCalls_AreBitIdenticalWhateverTheThreadCount_AndMatchASequentialReference()
    {
        // Indices along axis 0 with few outer positions (the scatter-add splits inner positions) and along axis 1 with
        // many (split by outer position); the index is narrower than x in the other dimension.
        var random = new Random(11);
        foreach (int axis in new[] { 0, 1 })
        {
            int[] shape = axis == 0 ? [40, 600] : [600, 40];
            int[] indexShape = axis == 0 ? [300, 500] : [500, 300];
            long[] picked = Enumerable.Range(0, 300 * 500).Select(_ => (long)random.Next(40)).ToArray();
            float[] g = Tensor.Randn(indexShape, seed: 5).ToArray<float>();
            var runs = IndexSelectTests.ThreadCounts().Select(threads => IndexSelectTests.WithThreads(threads, () =>
            {
                Tensor x = Tensor.Randn(shape, seed: 4);
                x.RequiresGrad = true;
                Tensor y = x.Gather(axis, Longs(picked, indexShape));
                y.Backward(Tensor.FromArray(g, indexShape));
                return (Output: y.ToArray<float>(), Grad: x.Grad!.ToArray<float>());
            })).ToArray();

            float[] source = Tensor.Randn(shape, seed: 4).ToArray<float>();
            float[] output = new float[g.Length];
            float[] grad = new float[source.Length];
            for (int r = 0; r < indexShape[0]; r++)
            {
                for (int c = 0; c < indexShape[1]; c++)
                {
                    int p = (r * indexShape[1]) + c;
                    int from = axis == 0 ? ((int)picked[p] * shape[1]) + c : (r * shape[1]) + (int)picked[p];
                    output[p] = source[from];
                    grad[from] += g[p];
                }
            }

            foreach (var run in runs)
            {
                Assert.That(run.Output, Is.EqualTo(output), $"axis {axis}: output");
                Assert.That(run.Grad, Is.EqualTo(grad), $"axis {axis}: gradient");
            }
        }
    }

    [Test]
    public void AnIndexOutOfRange_ThrowsNamingTheIndexItsCoordinatesAndTheSize()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Gather(1, Longs([0, 1, 2, 5], 2, 2)));
        Assert.That(ex!.Message, Does.StartWith("Gather: index 5 at position [1,1] is out of range for axis 1 of size 3"));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Gather(-2, Longs([0, -1], 1, 2)));
        Assert.That(ex!.Message, Does.StartWith("Gather: index -1 at position [0,1] is out of range for axis 0 of size 2")
            .And.Contain("negative"));
    }

    [Test]
    public void MismatchedShapes_ThrowNamingBoth()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        var ex = Assert.Throws<ArgumentException>(() => x.Gather(1, Longs([0, 1], 2)));
        Assert.That(ex!.Message, Does.Contain("Gather: indices [2] and input [2,3] must have the same number of dimensions"));
        ex = Assert.Throws<ArgumentException>(() => x.Gather(1, Longs([0, 0, 0], 3, 1)));
        Assert.That(ex!.Message, Does.Contain("Gather: indices [3,1] are larger than input [2,3] in dimension 0 (3 > 2)"));
    }

    [Test]
    public void ABadAxisOrIndexType_Throws()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        var axis = Assert.Throws<ArgumentOutOfRangeException>(() => x.Gather(2, Longs([0], 1, 1)));
        Assert.That(axis!.Message, Does.Contain("Gather: axis 2 is out of range for a tensor of rank 2"));
        var type = Assert.Throws<ArgumentException>(() => x.Gather(0, Tensor.Zeros([1, 1], DType.Float64)));
        Assert.That(type!.Message, Does.Contain("Gather: indices must be an Int64 tensor, got [1,1] Float64"));
        var mask = Assert.Throws<ArgumentException>(() => x.Gather(0, Tensor.Zeros([1, 1], DType.Bool)));
        Assert.That(mask!.Message, Does.Contain("[1,1] Bool"));
    }
}
