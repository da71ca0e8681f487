namespace Autograd.Kernels;

/// <summary>
/// The independent pieces of a kernel along one axis of [outer, length, inner]: when inner == 1, each line (one
/// outer index); else one outer index and one group of columns, each column a line of its own. Column groups are
/// <see cref="FixedBlocks"/> of <see cref="ColumnGroup"/> columns, so the pieces, and the span calls made on them,
/// depend on the shape only: splitting them over threads never changes a result.
/// </summary>
internal readonly struct AxisUnits
{
    /// <summary>Columns per group: wide enough that a span call per row costs little next to its work.</summary>
    public const int ColumnGroup = 1024;

    private readonly FixedBlocks _groups;

    public AxisUnits(int outer, int inner)
    {
        Outer = outer;
        _groups = new FixedBlocks(inner, ColumnGroup);
    }

    /// <summary>The number of outer indices.</summary>
    public int Outer { get; }

    /// <summary>The number of pieces: outer × column groups.</summary>
    public int Count => Outer * _groups.Count;

    /// <summary>Piece <paramref name="unit"/>: its outer index and its columns [Start, End) (just [0, 1) when inner == 1).</summary>
    public (int Outer, int Start, int End) this[int unit]
    {
        get
        {
            int group = unit % _groups.Count;
            return (unit / _groups.Count, _groups.Start(group), _groups.End(group));
        }
    }
}
