using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>
/// The fixed-block reductions: the partition, sums that are exactly "each block by one vector call, block sums added in
/// order" on any thread count, and arg-extrema that keep PyTorch's rules (first NaN, first of ties, the first zero's
/// sign) when the winner sits in a later block.
/// </summary>
[NonParallelizable]
public class BlockedReductionsTests
{
    private static readonly int[] _lengths = [0, 1, 31, FixedBlocks.Size, (2 * FixedBlocks.Size) - 1, 2 * FixedBlocks.Size, 100_003];

    [TestCaseSource(nameof(_lengths))]
    public void FixedBlocks_CoverTheLengthInOrder_WithBlocksOfOneToTwoSizes(int length)
    {
        var blocks = new FixedBlocks(length);
        Assert.That(blocks.Start(0), Is.Zero);
        Assert.That(blocks.End(blocks.Count - 1), Is.EqualTo(length));
        for (int b = 0; b < blocks.Count; b++)
        {
            int size = blocks.End(b) - blocks.Start(b);
            if (length >= FixedBlocks.Size)
            {
                Assert.That(size, Is.InRange(FixedBlocks.Size, (2 * FixedBlocks.Size) - 1), $"block {b}");
            }

            if (b > 0)
            {
                Assert.That(blocks.Start(b), Is.EqualTo(blocks.End(b - 1)));
            }
        }
    }

    [TestCaseSource(nameof(_lengths))]
    public void Sum_IsTheBlockSumsAddedInOrder_OnAnyThreadCount(int length)
    {
        float[] x = Tensor.Randn([length], 5).ToArray<float>();
        var blocks = new FixedBlocks(length);
        float expected = TensorPrimitives.Sum(x.AsSpan(blocks.Start(0), blocks.End(0) - blocks.Start(0)));
        for (int b = 1; b < blocks.Count; b++)
        {
            expected += TensorPrimitives.Sum(x.AsSpan(blocks.Start(b), blocks.End(b) - blocks.Start(b)));
        }

        double exact = x.Sum(v => (double)v);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            float sum = BlockedReductions.Sum<float>(x, threads);
            Assert.That(BitConverter.SingleToInt32Bits(sum), Is.EqualTo(BitConverter.SingleToInt32Bits(expected)), $"threads {threads}");
            Assert.That(sum, Is.EqualTo(exact).Within(1e-4 * Math.Sqrt(length + 1)));
        }
    }

    [Test]
    public void SumOfExp_MatchesADoubleSum_AndDoesNotDependOnThreads()
    {
        double[] x = Tensor.Randn([100_003], 6, DType.Float64).ToArray<double>();
        double exact = x.Sum(v => Math.Exp(v - 1.5));
        double[] scratch = new double[2 * FixedBlocks.Size];
        double one = BlockedReductions.SumOfExp<double>(x, 1.5, scratch, threads: 1);
        Assert.That(one, Is.EqualTo(exact).Within(1e-9 * exact));
        Assert.That(BlockedReductions.SumOfExp<double>(x, 1.5, scratch, threads: 2), Is.EqualTo(one));
    }

    /// <summary>The scalar rule the kernels must reproduce: best = x[0], replaced by a strictly better value or a NaN, until a NaN.</summary>
    private static (double Value, int Index) Naive(double[] x, bool minimum)
    {
        int at = 0;
        for (int j = 1; j < x.Length && !double.IsNaN(x[at]); j++)
        {
            if ((minimum ? x[j] < x[at] : x[j] > x[at]) || double.IsNaN(x[j]))
            {
                at = j;
            }
        }

        return (x[at], at);
    }

    private static IEnumerable<TestCaseData> ExtremumCases()
    {
        const int N = 100_003;
        double[] Filled(double value) => Enumerable.Repeat(value, N).ToArray();
        double[] ties = Filled(-3);
        ties[50_000] = 2;
        ties[70_000] = 2;
        ties[90_000] = -7;
        ties[95_000] = -7;
        yield return new TestCaseData(ties).SetName("TiesInLaterBlocks_KeepTheFirst");
        double[] zeros = Filled(-1);
        zeros[40_000] = -0.0;
        zeros[60_000] = 0.0;
        yield return new TestCaseData(zeros).SetName("MaximumZero_KeepsTheFirstZerosSign");
        double[] positiveFirst = Filled(1);
        positiveFirst[40_000] = 0.0;
        positiveFirst[60_000] = -0.0;
        yield return new TestCaseData(positiveFirst).SetName("MinimumZero_KeepsTheFirstZerosSign");
        double[] nan = Tensor.Randn([N], 7, DType.Float64).ToArray<double>();
        nan[1000] = 1e300;
        nan[66_000] = double.NaN;
        nan[99_000] = double.NaN;
        yield return new TestCaseData(nan).SetName("NaN_WinsAtItsFirstOccurrence");
        double[] random = Tensor.Randn([N], 8, DType.Float64).ToArray<double>();
        yield return new TestCaseData(random).SetName("Random");
        double[] small = Tensor.Randn([45], 9, DType.Float64).ToArray<double>();
        small[40] = double.NaN;
        yield return new TestCaseData(small).SetName("ShortLineWithNaN");
    }

    [TestCaseSource(nameof(ExtremumCases))]
    public void ArgExtremum_FollowsTheScalarRule_OnAnyThreadCount(double[] x)
    {
        foreach (bool minimum in new[] { false, true })
        {
            var expected = Naive(x, minimum);
            foreach (int threads in new[] { 1, 2 })
            {
                var (value, index) = minimum
                    ? BlockedReductions.ArgExtremum<double, Least>(x, threads)
                    : BlockedReductions.ArgExtremum<double, Greatest>(x, threads);
                Assert.That(index, Is.EqualTo(expected.Index), $"minimum {minimum}, threads {threads}");
                Assert.That(BitConverter.DoubleToInt64Bits(value), Is.EqualTo(BitConverter.DoubleToInt64Bits(expected.Value)));
            }
        }
    }

    [Test]
    public void ArgExtremum_OfIntegers_FindsTheFirstExtremum()
    {
        long[] x = new long[70_000];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i * 7919L) % 1000;
        }

        x[33_333] = 5000;
        x[66_666] = 5000;
        x[20_000] = -5;
        Assert.That(BlockedReductions.ArgExtremum<long, Greatest>(x, 2), Is.EqualTo((5000L, 33_333)));
        Assert.That(BlockedReductions.ArgExtremum<long, Least>(x, 2), Is.EqualTo((-5L, 20_000)));
    }

    [Test]
    public void AxisArgExtremum_OnLongRows_MatchesTheScalarRule()
    {
        // Rows of 40 and more take the vector search; NaNs, ties and zeros placed in some rows.
        const int Outer = 5, Length = 70_001;
        double[] x = Tensor.Randn([Outer * Length], 10, DType.Float64).ToArray<double>();
        x[(1 * Length) + 5] = double.NaN;
        x[(2 * Length) + 10] = 9;
        x[(2 * Length) + 60_000] = 9;
        for (int j = 0; j < Length; j++)
        {
            x[(3 * Length) + j] = -Math.Abs(x[(3 * Length) + j]) - 1;
        }

        x[(3 * Length) + 50_000] = -0.0;
        x[(3 * Length) + 50_001] = 0.0;
        double[] values = new double[Outer];
        int[] indices = new int[Outer];
        RangeParallel.ExactParts = 2;
        try
        {
            ReductionKernels.ArgExtremum<double, Greatest>(x, Outer, Length, 1, values, indices);
        }
        finally
        {
            RangeParallel.ExactParts = null;
        }

        for (int o = 0; o < Outer; o++)
        {
            var expected = Naive(x[(o * Length)..((o + 1) * Length)], minimum: false);
            Assert.That(indices[o], Is.EqualTo(expected.Index), $"row {o}");
            Assert.That(BitConverter.DoubleToInt64Bits(values[o]), Is.EqualTo(BitConverter.DoubleToInt64Bits(expected.Value)), $"row {o}");
        }
    }
}
