using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>BroadcastShape and the coalesced row layout every broadcast kernel and broadcast VJP walks.</summary>
public class BroadcastLayoutTests
{
    [TestCase(new[] { 2, 3 }, new[] { 2, 3 }, new[] { 2, 3 })]
    [TestCase(new[] { 2, 3 }, new[] { 3 }, new[] { 2, 3 })]
    [TestCase(new[] { 4, 1 }, new[] { 1, 5 }, new[] { 4, 5 })]
    [TestCase(new[] { 5, 1, 4 }, new[] { 3, 1 }, new[] { 5, 3, 4 })]
    [TestCase(new int[0], new[] { 2, 3 }, new[] { 2, 3 })]
    [TestCase(new int[0], new int[0], new int[0])]
    [TestCase(new[] { 0 }, new[] { 1 }, new[] { 0 })]
    [TestCase(new[] { 0, 3 }, new[] { 3 }, new[] { 0, 3 })]
    [TestCase(new[] { 1, 1, 1 }, new[] { 1 }, new[] { 1, 1, 1 })]
    public void BroadcastShape_FollowsNumPyRules_InBothOrders(int[] x, int[] y, int[] expected)
    {
        Assert.That(BroadcastLayout.BroadcastShape(x, y, "Op"), Is.EqualTo(expected));
        Assert.That(BroadcastLayout.BroadcastShape(y, x, "Op"), Is.EqualTo(expected));
    }

    [TestCase(new[] { 2, 3 }, new[] { 4 }, "[2,3]", "[4]")]
    [TestCase(new[] { 2, 3 }, new[] { 3, 1 }, "[2,3]", "[3,1]")]
    [TestCase(new[] { 0 }, new[] { 2 }, "[0]", "[2]")]
    [TestCase(new[] { 2, 1, 3 }, new[] { 4, 2 }, "[2,1,3]", "[4,2]")]
    public void BroadcastShape_Incompatible_ThrowsNamingTheOpAndBothShapes(int[] x, int[] y, string xText, string yText)
    {
        var error = Assert.Throws<ArgumentException>(() => BroadcastLayout.BroadcastShape(x, y, "Multiply"));
        Assert.That(error!.Message, Does.StartWith("Multiply:").And.Contain(xText).And.Contain(yText));
    }

    [Test]
    public void Create_SameShapes_CoalescesToOneContiguousDimension()
    {
        var layout = BroadcastLayout.Create([2, 3, 4], [2, 3, 4], [2, 3, 4]);
        Assert.That(layout.Sizes, Is.EqualTo(new[] { 24 }));
        Assert.That(layout.StrideX, Is.EqualTo(new[] { 1 }));
        Assert.That(layout.StrideY, Is.EqualTo(new[] { 1 }));
        Assert.That(layout.RowLength, Is.EqualTo(24));
    }

    [Test]
    public void Create_ColumnAgainstMatrix_KeepsTwoDimensions_ColumnBroadcastAlongRows()
    {
        // x [4,1] against y [4,5]: x advances once per row and is constant within it.
        var layout = BroadcastLayout.Create([4, 5], [4, 1], [4, 5]);
        Assert.That(layout.Sizes, Is.EqualTo(new[] { 4, 5 }));
        Assert.That(layout.StrideX, Is.EqualTo(new[] { 1, 0 }));
        Assert.That(layout.StrideY, Is.EqualTo(new[] { 5, 1 }));
    }

    [Test]
    public void Create_BiasRowAgainstMatrix_RowRepeatsWithStrideZeroOuter()
    {
        var layout = BroadcastLayout.Create([3, 5], [3, 5], [5]);
        Assert.That(layout.Sizes, Is.EqualTo(new[] { 3, 5 }));
        Assert.That(layout.StrideX, Is.EqualTo(new[] { 5, 1 }));
        Assert.That(layout.StrideY, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(layout.RowLength, Is.EqualTo(5));
    }

    [Test]
    public void Create_ScalarAgainstTensor_CoalescesToOneDimensionWithStrideZero()
    {
        var layout = BroadcastLayout.Create([2, 3, 4], [], [2, 3, 4]);
        Assert.That(layout.Sizes, Is.EqualTo(new[] { 24 }));
        Assert.That(layout.StrideX, Is.EqualTo(new[] { 0 }));
        Assert.That(layout.StrideY, Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void Create_SizeOneDimensionsAreDropped()
    {
        var layout = BroadcastLayout.Create([2, 1, 3, 1], [2, 1, 3, 1], [1, 1, 3, 1]);
        Assert.That(layout.Sizes, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(layout.StrideX, Is.EqualTo(new[] { 3, 1 }));
        Assert.That(layout.StrideY, Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void Create_AllSizeOne_IsOneRowOfOneElement()
    {
        var layout = BroadcastLayout.Create([1, 1], [1], [1, 1]);
        Assert.That(layout.Sizes, Is.EqualTo(new[] { 1 }));
        Assert.That(layout.RowLength, Is.EqualTo(1));
        var rows = layout.Rows();
        Assert.That(rows.MoveNext(), Is.True);
        Assert.That((rows.OffsetX, rows.OffsetY, rows.OffsetOut), Is.EqualTo((0, 0, 0)));
        Assert.That(rows.MoveNext(), Is.False);
    }

    [Test]
    public void Create_ScalarAgainstScalar_IsOneElement()
    {
        var layout = BroadcastLayout.Create([], [], []);
        Assert.That(layout.Sizes, Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void Create_ContiguousTrailingDimensionsOfBothOperandsMerge_BroadcastOnesDoNot()
    {
        // x [2,3,4] against y [2,1,1]: x's three dims are contiguous; y is constant over the inner 12 elements.
        var layout = BroadcastLayout.Create([2, 3, 4], [2, 3, 4], [2, 1, 1]);
        Assert.That(layout.Sizes, Is.EqualTo(new[] { 2, 12 }));
        Assert.That(layout.StrideX, Is.EqualTo(new[] { 12, 1 }));
        Assert.That(layout.StrideY, Is.EqualTo(new[] { 1, 0 }));
    }

    private static IEnumerable<TestCaseData> ShapePairs()
    {
        int[][][] pairs =
        [
            [[2, 3], [2, 3]], [[2, 3], [3]], [[3, 1], [3, 4]], [[1, 4], [3, 1]], [[], [2, 2]],
            [[2, 3, 4], [3, 1]], [[2, 1, 4], [1, 3, 1]], [[5, 1, 1, 2], [3, 2]], [[2, 3, 4, 5], [2, 1, 4, 1]],
            [[1, 1, 7], [6, 1, 7]], [[4, 1, 3], [1, 5, 1]], [[2, 2, 2, 2], [2, 1, 2, 1]],
        ];
        foreach (int[][] pair in pairs)
        {
            yield return new TestCaseData(pair[0], pair[1])
                .SetName($"Rows_VisitEveryOutputElementWithTheNaiveOffsets_[{string.Join("x", pair[0])}]_vs_[{string.Join("x", pair[1])}]");
            yield return new TestCaseData(pair[1], pair[0])
                .SetName($"Rows_VisitEveryOutputElementWithTheNaiveOffsets_[{string.Join("x", pair[1])}]_vs_[{string.Join("x", pair[0])}]");
        }
    }

    /// <summary>
    /// The layout must be a faithful compression: walking its rows (offset + e·innermost stride) visits each output
    /// element once, in order, with exactly the operand offsets that NumPy's multi-index rule gives.
    /// </summary>
    [TestCaseSource(nameof(ShapePairs))]
    public void Rows_VisitEveryOutputElementWithTheNaiveOffsets(int[] x, int[] y)
    {
        int[] output = BroadcastLayout.BroadcastShape(x, y, "Op");
        int count = output.Aggregate(1, (a, b) => a * b);
        var layout = BroadcastLayout.Create(output, x, y);
        Assert.That(layout.Sizes.Aggregate(1, (a, b) => a * b), Is.EqualTo(count), "the layout covers the output");

        int visited = 0;
        var rows = layout.Rows();
        while (rows.MoveNext())
        {
            for (int e = 0; e < layout.RowLength; e++)
            {
                int flat = rows.OffsetOut + e;
                Assert.That(flat, Is.EqualTo(visited), "rows are visited in order");
                Assert.That(rows.OffsetX + (e * layout.StrideX[^1]), Is.EqualTo(NaiveOffset(flat, output, x)), $"x offset of output element {flat}");
                Assert.That(rows.OffsetY + (e * layout.StrideY[^1]), Is.EqualTo(NaiveOffset(flat, output, y)), $"y offset of output element {flat}");
                visited++;
            }
        }

        Assert.That(visited, Is.EqualTo(count));
    }

    /// <summary>The row-major offset in an operand of <paramref name="shape"/> of output element <paramref name="flat"/>.</summary>
    private static int NaiveOffset(int flat, int[] output, int[] shape)
    {
        int[] index = new int[output.Length];
        for (int d = output.Length - 1; d >= 0; d--)
        {
            index[d] = flat % output[d];
            flat /= output[d];
        }

        int offset = 0;
        int lead = output.Length - shape.Length;
        for (int d = 0; d < shape.Length; d++)
        {
            offset = (offset * shape[d]) + (shape[d] == 1 ? 0 : index[lead + d]);
        }

        return offset;
    }
}
