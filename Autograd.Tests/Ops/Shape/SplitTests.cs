using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Shape;

/// <summary>Split.cs: Split and Chunk, PyTorch's piece counts, gradients through every piece.</summary>
public class SplitTests
{
    private static int[] SizesAlong(Tensor[] pieces, int axis) =>
        pieces.Select(p => p.Shape[axis < 0 ? axis + p.Rank : axis]).ToArray();

    [TestCase(7, 3, new[] { 3, 3, 1 })]
    [TestCase(6, 3, new[] { 3, 3 })]
    [TestCase(2, 5, new[] { 2 })]
    [TestCase(0, 3, new[] { 0 })]
    [TestCase(0, 0, new[] { 0 })]
    [TestCase(4, 1, new[] { 1, 1, 1, 1 })]
    public void Split_PieceSizes(int length, int size, int[] expected)
    {
        Tensor[] pieces = Tensor.Zeros([2, length]).Split(size, 1);
        Assert.That(SizesAlong(pieces, 1), Is.EqualTo(expected));
    }

    [TestCase(7, 3, new[] { 3, 3, 1 })]
    [TestCase(6, 4, new[] { 2, 2, 2 })]      // ceil(6/4) = 2: three pieces, not four (as PyTorch)
    [TestCase(5, 4, new[] { 2, 2, 1 })]
    [TestCase(2, 5, new[] { 1, 1 })]
    [TestCase(6, 3, new[] { 2, 2, 2 })]
    [TestCase(0, 3, new[] { 0, 0, 0 })]     // an empty axis gives exactly `chunks` empty pieces
    public void Chunk_PieceSizes(int length, int chunks, int[] expected)
    {
        Tensor[] pieces = Tensor.Zeros([length, 2]).Chunk(chunks);
        Assert.That(SizesAlong(pieces, 0), Is.EqualTo(expected));
    }

    [Test]
    public void Split_Values_AreConsecutiveSlices()
    {
        Tensor x = Tensor.FromArray(new[] { 0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 2, 5);
        Tensor[] pieces = x.Split(2, -1);
        Assert.That(pieces.Select(p => p.ToArray<double>()),
            Is.EqualTo(new[] { new[] { 0.0, 1, 5, 6 }, new[] { 2.0, 3, 7, 8 }, new[] { 4.0, 9 } }));
        Assert.That(Tensor.Cat(pieces, 1).ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
    }

    private static IEnumerable<TestCaseData> GradCases()
    {
        yield return new TestCaseData(new[] { 7, 2 }, 3, 0).SetName("Split_[7x2]_size3_axis0");
        yield return new TestCaseData(new[] { 2, 3, 5 }, 2, -1).SetName("Split_[2x3x5]_size2_axis-1");
        yield return new TestCaseData(new[] { 2, 4 }, 4, 1).SetName("Split_[2x4]_one_piece");
    }

    // Every piece weighted differently (w cut the same way) and summed back: fan-out of the pieces' padded
    // gradients into x, and the second derivatives through the weights.
    [TestCaseSource(nameof(GradCases))]
    public void Split_GradCheck(int[] shape, int size, int axis) =>
        GradAssert.Float32MatchesFloat64(v => Weighted(v[0].Split(size, axis), v[1].Split(size, axis)),
            [Inputs.Normal(71, shape), Inputs.Normal(72, shape)]);

    [TestCaseSource(nameof(GradCases))]
    public void Chunk_GradCheck(int[] shape, int chunks, int axis) =>
        GradAssert.Float32MatchesFloat64(v => Weighted(v[0].Chunk(chunks, axis), v[1].Chunk(chunks, axis)),
            [Inputs.Normal(73, shape), Inputs.Normal(74, shape)]);

    // Σ_i (i + 1) · Σ piece_i · weight_i.
    private static Tensor Weighted(Tensor[] pieces, Tensor[] weights)
    {
        Tensor total = (pieces[0] * weights[0]).Sum();
        for (int i = 1; i < pieces.Length; i++)
        {
            total += (pieces[i] * weights[i] * (i + 1)).Sum();
        }

        return total;
    }

    [Test]
    public void OnlyUsedPieces_ContributeGradients()
    {
        Tensor x = Inputs.Of([1, 2, 3, 4, 5], 5);
        Tensor[] pieces = x.Split(2);
        (pieces[2] * 3).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 0.0, 0, 0, 0, 3 }));
    }

    [Test]
    public void Errors_NameTheOp()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        Assert.That(() => x.Split(0, 1), Throws.ArgumentException.With.Message.Contains("Split: size 0 must be positive").And.Message.Contains("[2,3]"));
        Assert.That(() => x.Split(-1), Throws.ArgumentException.With.Message.Contains("Split: size -1"));
        Assert.That(() => x.Chunk(0), Throws.ArgumentException.With.Message.Contains("Chunk: chunks must be positive; got 0 for [2,3]"));
        Assert.That(() => Tensor.Scalar(1).Split(1), Throws.ArgumentException.With.Message.Contains("Split: expected a tensor with at least one dimension"));
        Assert.That(() => Tensor.Scalar(1).Chunk(1), Throws.ArgumentException.With.Message.Contains("Chunk: expected a tensor with at least one dimension"));
        Assert.That(() => x.Chunk(2, 2), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Chunk: axis 2 is out of range"));
    }
}
