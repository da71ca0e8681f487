using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>An elementwise test of two numbers (IEEE semantics for floating point: NaN compares unequal to everything).</summary>
internal interface IComparison
{
    static abstract bool Test<T>(T x, T y)
        where T : INumber<T>;

    /// <summary>The same test lane by lane: all ones where it holds.</summary>
    static abstract Vector256<T> Test<T>(Vector256<T> x, Vector256<T> y)
        where T : INumber<T>;

    /// <summary>The same test on 128-bit vectors (machines or builds without AVX2).</summary>
    static abstract Vector128<T> Test<T>(Vector128<T> x, Vector128<T> y)
        where T : INumber<T>;
}

/// <summary>x == y.</summary>
internal readonly struct EqualTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x == y;

    public static Vector256<T> Test<T>(Vector256<T> x, Vector256<T> y)
        where T : INumber<T> => Vector256.Equals(x, y);

    public static Vector128<T> Test<T>(Vector128<T> x, Vector128<T> y)
        where T : INumber<T> => Vector128.Equals(x, y);
}

/// <summary>x != y (true when either is NaN).</summary>
internal readonly struct NotEqualTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x != y;

    public static Vector256<T> Test<T>(Vector256<T> x, Vector256<T> y)
        where T : INumber<T> => ~Vector256.Equals(x, y);

    public static Vector128<T> Test<T>(Vector128<T> x, Vector128<T> y)
        where T : INumber<T> => ~Vector128.Equals(x, y);
}

/// <summary>x &lt; y.</summary>
internal readonly struct LessTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x < y;

    public static Vector256<T> Test<T>(Vector256<T> x, Vector256<T> y)
        where T : INumber<T> => Vector256.LessThan(x, y);

    public static Vector128<T> Test<T>(Vector128<T> x, Vector128<T> y)
        where T : INumber<T> => Vector128.LessThan(x, y);
}

/// <summary>x &lt;= y.</summary>
internal readonly struct LessOrEqualTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x <= y;

    public static Vector256<T> Test<T>(Vector256<T> x, Vector256<T> y)
        where T : INumber<T> => Vector256.LessThanOrEqual(x, y);

    public static Vector128<T> Test<T>(Vector128<T> x, Vector128<T> y)
        where T : INumber<T> => Vector128.LessThanOrEqual(x, y);
}

/// <summary>x &gt; y.</summary>
internal readonly struct GreaterTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x > y;

    public static Vector256<T> Test<T>(Vector256<T> x, Vector256<T> y)
        where T : INumber<T> => Vector256.GreaterThan(x, y);

    public static Vector128<T> Test<T>(Vector128<T> x, Vector128<T> y)
        where T : INumber<T> => Vector128.GreaterThan(x, y);
}

/// <summary>x &gt;= y.</summary>
internal readonly struct GreaterOrEqualTest : IComparison
{
    public static bool Test<T>(T x, T y)
        where T : INumber<T> => x >= y;

    public static Vector256<T> Test<T>(Vector256<T> x, Vector256<T> y)
        where T : INumber<T> => Vector256.GreaterThanOrEqual(x, y);

    public static Vector128<T> Test<T>(Vector128<T> x, Vector128<T> y)
        where T : INumber<T> => Vector128.GreaterThanOrEqual(x, y);
}

/// <summary>
/// Comparisons of broadcast operands, or of a tensor with a constant, into a Bool destination; rows are compared a
/// vector at a time: 256 bits with AVX2, else 128 bits (SSE, Arm AdvSimd, an AOT build without an instruction-set flag),
/// else element by element.
/// </summary>
internal static class ComparisonKernels
{
    /// <summary><c>destination = test(x, y)</c>, x and y broadcast to <paramref name="outShape"/> (the destination's shape).</summary>
    public static void Apply<TTest, T>(ReadOnlySpan<T> x, ReadOnlySpan<int> xShape, ReadOnlySpan<T> y, ReadOnlySpan<int> yShape,
        Span<bool> destination, ReadOnlySpan<int> outShape)
        where TTest : IComparison
        where T : unmanaged, INumber<T>
    {
        int n = destination.Length;
        if (n == 0)
        {
            return;
        }

        if ((x.Length == n || x.Length == 1) && (y.Length == n || y.Length == 1))
        {
            Row<TTest, T>(x, x.Length == n ? 1 : 0, y, y.Length == n ? 1 : 0, destination);
            return;
        }

        var layout = MultiBroadcastLayout.Create(outShape, xShape.ToArray(), yShape.ToArray());
        int length = layout.RowLength;
        int sx = layout.RowStride(0), sy = layout.RowStride(1);
        var rows = layout.Rows();
        while (rows.MoveNext())
        {
            Row<TTest, T>(x.Slice(rows.Offset(0), sx == 1 ? length : 1), sx, y.Slice(rows.Offset(1), sy == 1 ? length : 1), sy,
                destination.Slice(rows.OffsetOut, length));
        }
    }

    /// <summary><c>destination = test(x, y)</c> for a constant y.</summary>
    public static void Apply<TTest, T>(ReadOnlySpan<T> x, T y, Span<bool> destination)
        where TTest : IComparison
        where T : unmanaged, INumber<T> => Row<TTest, T>(x, 1, new ReadOnlySpan<T>(in y), 0, destination);

    /// <summary>One row: each operand is a row (stride 1) or one value repeated along it (stride 0).</summary>
    private static void Row<TTest, T>(ReadOnlySpan<T> x, int sx, ReadOnlySpan<T> y, int sy, Span<bool> destination)
        where TTest : IComparison
        where T : unmanaged, INumber<T>
    {
        int n = destination.Length;
        int i = 0;
        Span<byte> bytes = MemoryMarshal.AsBytes(destination);
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && n >= Vector256<T>.Count)
        {
            int count = Vector256<T>.Count;
            Vector256<T> xConstant = Vector256.Create(x[0]), yConstant = Vector256.Create(y[0]);
            for (; i <= n - count; i += count)
            {
                Vector256<T> xs = sx == 1 ? Vector256.Create(x.Slice(i, count)) : xConstant;
                Vector256<T> ys = sy == 1 ? Vector256.Create(y.Slice(i, count)) : yConstant;
                Spread(TTest.Test(xs, ys).ExtractMostSignificantBits(), bytes.Slice(i, count));
            }
        }
        else if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported && n >= Vector128<T>.Count)
        {
            int count = Vector128<T>.Count;
            Vector128<T> xConstant = Vector128.Create(x[0]), yConstant = Vector128.Create(y[0]);
            for (; i <= n - count; i += count)
            {
                Vector128<T> xs = sx == 1 ? Vector128.Create(x.Slice(i, count)) : xConstant;
                Vector128<T> ys = sy == 1 ? Vector128.Create(y.Slice(i, count)) : yConstant;
                Spread(TTest.Test(xs, ys).ExtractMostSignificantBits(), bytes.Slice(i, count));
            }
        }

        for (; i < n; i++)
        {
            destination[i] = TTest.Test(x[i * sx], y[i * sy]);
        }
    }

    /// <summary>Writes bit k of <paramref name="bits"/> as byte k (0 or 1) of <paramref name="destination"/> (2 to 32 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Spread(uint bits, Span<byte> destination)
    {
        for (int k = 0; k < destination.Length; k += sizeof(ulong))
        {
            ulong spread = Deposit((bits >> k) & 0xFF);
            int left = destination.Length - k;
            if (left >= sizeof(ulong))
            {
                MemoryMarshal.Write(destination[k..], in spread);
            }
            else if (left >= sizeof(uint))
            {
                uint low = (uint)spread;
                MemoryMarshal.Write(destination[k..], in low);
            }
            else
            {
                ushort low = (ushort)spread;
                MemoryMarshal.Write(destination[k..], in low);
            }
        }
    }

    /// <summary>The eight low bits of <paramref name="bits"/> as eight bytes, each 0 or 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Deposit(uint bits) =>
        Bmi2.X64.IsSupported ? Bmi2.X64.ParallelBitDeposit(bits, 0x0101010101010101UL) : _spreadBytes[(int)bits];

    /// <summary>
    /// Byte k of entry b is bit k of b: the deposit without BMI2 (which needs AVX: absent with <c>DOTNET_EnableAVX=0</c>,
    /// where a bit-by-bit loop made the 128-bit comparison 2.4 times slower than the scalar one).
    /// </summary>
    private static readonly ulong[] _spreadBytes = CreateSpreadBytes();

    private static ulong[] CreateSpreadBytes()
    {
        var table = new ulong[256];
        for (int b = 0; b < 256; b++)
        {
            for (int k = 0; k < 8; k++)
            {
                table[b] |= (ulong)((b >> k) & 1) << (8 * k);
            }
        }

        return table;
    }
}
