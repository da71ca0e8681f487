using System.Numerics;

namespace Autograd.Kernels;

/// <summary>An elementwise test of two numbers (IEEE semantics for floating point: NaN compares unequal to everything).</summary>
internal interface IComparison
{
    static abstract bool Test<T>(T x, T y)
        where T : INumber<T>;
}

/// <summary>x == y.</summary>
internal readonly struct EqualTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x == y;
}

/// <summary>x != y (true when either is NaN).</summary>
internal readonly struct NotEqualTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x != y;
}

/// <summary>x &lt; y.</summary>
internal readonly struct LessTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x < y;
}

/// <summary>x &lt;= y.</summary>
internal readonly struct LessOrEqualTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x <= y;
}

/// <summary>x &gt; y.</summary>
internal readonly struct GreaterTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x > y;
}

/// <summary>x &gt;= y.</summary>
internal readonly struct GreaterOrEqualTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x >= y;
}

/// <summary>Comparisons of broadcast operands, or of a tensor with a constant, into a Bool destination.</summary>
internal static class ComparisonKernels
{
    /// <summary><c>destination = test(x, y)</c>, x and y broadcast to <paramref name="outShape"/> (the destination's shape).</summary>
    public static void Apply<TTest, T>(ReadOnlySpan<T> x, ReadOnlySpan<int> xShape, ReadOnlySpan<T> y, ReadOnlySpan<int> yShape,
        Span<bool> destination, ReadOnlySpan<int> outShape)
        where TTest : IComparison
        where T : INumber<T>
    {
        int n = destination.Length;
        if (n == 0)
        {
            return;
        }

        if (x.Length == n && y.Length == n)
        {
            for (int i = 0; i < n; i++)
            {
                destination[i] = TTest.Test(x[i], y[i]);
            }

            return;
        }

        if (y.Length == 1 && x.Length == n)
        {
            Apply<TTest, T>(x, y[0], destination);
            return;
        }

        var layout = MultiBroadcastLayout.Create(outShape, xShape.ToArray(), yShape.ToArray());
        int length = layout.RowLength;
        int sx = layout.RowStride(0), sy = layout.RowStride(1);
        var rows = layout.Rows();
        while (rows.MoveNext())
        {
            int px = rows.Offset(0), py = rows.Offset(1);
            Span<bool> row = destination.Slice(rows.OffsetOut, length);
            for (int t = 0; t < length; t++)
            {
                row[t] = TTest.Test(x[px + (t * sx)], y[py + (t * sy)]);
            }
        }
    }

    /// <summary><c>destination = test(x, y)</c> for a constant y.</summary>
    public static void Apply<TTest, T>(ReadOnlySpan<T> x, T y, Span<bool> destination)
        where TTest : IComparison
        where T : INumber<T>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = TTest.Test(x[i], y);
        }
    }
}
