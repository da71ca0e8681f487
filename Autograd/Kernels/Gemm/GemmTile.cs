using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Autograd.Kernels;

/// <summary>
/// The vector width of <see cref="BlockedGemm{T}"/>'s register tile: a tile is two vectors of C wide (the
/// columns of a B sliver) and 6 rows high, 8 with AVX-512's 32 registers (the rows of an A sliver).
/// </summary>
internal enum GemmTile
{
    /// <summary>Plain loops (<see cref="MicroKernelScalar{T}"/>), 6×16 float, 6×8 double.</summary>
    Scalar,

    /// <summary>SSE on x64, AdvSimd on ARM64: 6×8 float, 6×4 double.</summary>
    Vector128,

    /// <summary>AVX: 6×16 float, 6×8 double.</summary>
    Vector256,

    /// <summary>AVX-512: 8×32 float, 8×16 double.</summary>
    Vector512,
}

/// <summary>Which <see cref="GemmTile"/> the blocked kernel runs, and how wide its B slivers are.</summary>
internal static class GemmTiles
{
    /// <summary>
    /// The widest vector the JIT accelerates: it honours <c>DOTNET_PreferredVectorBitWidth</c> and the
    /// <c>DOTNET_EnableAVX512</c>/<c>EnableAVX2</c>/<c>EnableAVX</c>/<c>EnableHWIntrinsic</c> switches, and reports
    /// Vector512 as not accelerated on the Xeons whose clock drops under 512-bit code.
    /// </summary>
    public static GemmTile Default { get; } =
        Vector512.IsHardwareAccelerated ? GemmTile.Vector512
        : Vector256.IsHardwareAccelerated ? GemmTile.Vector256
        : Vector128.IsHardwareAccelerated ? GemmTile.Vector128
        : GemmTile.Scalar;

    /// <summary>
    /// Tests only: runs every product in the process on this tile instead of <see cref="Default"/> (a tile the
    /// hardware does not accelerate still computes correctly, in software). Process-wide, because batched
    /// products run on the worker threads; a test that sets it must not run in parallel with others.
    /// </summary>
    public static GemmTile? Forced { get; set; }

    /// <summary>The tile the next product will use.</summary>
    public static GemmTile Current => Forced ?? Default;

    /// <summary>Rows of <paramref name="tile"/>'s register tile: 8 with AVX-512's 32 registers, else 6.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Rows(GemmTile tile) => tile == GemmTile.Vector512 ? 8 : 6;

    /// <summary>Columns of <paramref name="tile"/>'s register tile (two vectors) for element type <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Columns<T>(GemmTile tile) => tile switch
    {
        GemmTile.Vector128 => 2 * Vector128<T>.Count,
        GemmTile.Vector512 => 2 * Vector512<T>.Count,
        _ => 2 * Vector256<T>.Count,
    };

    /// <summary>
    /// Whether <paramref name="tile"/>'s multiply-add rounds once on this machine (the scalar tile's never does).
    /// Every tile sums each element of C over k in the same order, so two tiles that agree here give
    /// bit-identical products: the width changes the speed, not the result.
    /// </summary>
    public static bool FusesMultiplyAdd<T>(GemmTile tile) => tile switch
    {
        GemmTile.Vector128 => typeof(T) == typeof(float) ? MicroKernelFloat6x8.Fused : MicroKernelDouble6x4.Fused,
        GemmTile.Vector256 => typeof(T) == typeof(float) ? MicroKernelFloat6x16.Fused : MicroKernelDouble6x8.Fused,
        GemmTile.Vector512 => typeof(T) == typeof(float) ? MicroKernelFloat8x32.Fused : MicroKernelDouble8x16.Fused,
        _ => false,
    };
}
