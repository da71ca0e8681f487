using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>
/// The blocked kernel on each register tile (scalar, Vector128, Vector256, Vector512), forced whatever the
/// hardware: against Naive, across thread counts, and against each other. A tile the hardware does not
/// accelerate runs in software, so every tile is checked on every machine and under every DOTNET_Enable* switch.
/// Forcing a tile is process-wide, hence not parallelizable.
/// </summary>
[NonParallelizable]
public class GemmTileTests
{
    private static readonly GemmTile[] _tiles = Enum.GetValues<GemmTile>();

    // (m, n, k): tile edges for every width (4, 8, 16, 32 columns; 6 or 8 rows); operands read in place (m ≤ 64),
    // A only (64 < m ≤ MC = 144 float), neither (m > MC), each across KC (k > 256, so the in-place pointers move
    // by K block) and with ragged edges that are packed while the rest is read in place.
    private static readonly (int M, int N, int K)[] _shapes =
    [
        (6, 4, 3), (6, 8, 9), (7, 5, 2), (6, 16, 17), (5, 31, 8), (6, 32, 1), (8, 32, 5), (9, 33, 40), (12, 64, 7),
        (17, 63, 11), (19, 65, 300), (64, 96, 70), (100, 40, 20), (100, 70, 270), (150, 9, 30), (1, 40, 5),
    ];

    private static IEnumerable<TestCaseData> TileCases()
    {
        foreach (var tile in _tiles)
        {
            foreach (var single in new[] { true, false })
            {
                yield return new TestCaseData(tile.ToString(), single).SetArgDisplayNames(tile.ToString(), single ? "float" : "double");
            }
        }
    }

    [TestCaseSource(nameof(TileCases))]
    public void Blocked_OnEachTile_EqualsNaive_ForEveryShapeTransposeAndAccumulate(string tileName, bool single)
    {
        var tile = Enum.Parse<GemmTile>(tileName);
        Assert.Multiple(() =>
        {
            foreach (var (m, n, k) in _shapes)
            {
                foreach (var transA in new[] { false, true })
                {
                    foreach (var transB in new[] { false, true })
                    {
                        foreach (var accumulate in new[] { false, true })
                        {
                            var (a, b, initial) = Inputs(m, n, k, transA, transB, accumulate);
                            var expected = (double[])initial.Clone();
                            var c = (double[])initial.Clone();
                            Multiply(null, GemmKernel.Naive, single, 1, transA, transB, m, n, k, a, b, expected, accumulate);
                            Multiply(tile, GemmKernel.Blocked, single, 1, transA, transB, m, n, k, a, b, c, accumulate);
                            AssertClose(c, expected, a, b, accumulate ? initial : null, m, n, k, transA, transB, single,
                                $"{tile} {m}×{n}×{k} transA={transA} transB={transB} accumulate={accumulate}");
                        }
                    }
                }
            }
        });
    }

    [TestCaseSource(nameof(TileCases))]
    public void Blocked_OnEachTile_IsBitIdenticalOnOneTwoAndThreeThreads(string tileName, bool single)
    {
        var tile = Enum.Parse<GemmTile>(tileName);
        // Splitting rows (tall), splitting columns (wide, several K blocks, B packed or read in place), and a
        // small-M layer shape.
        (int M, int N, int K, bool TransA, bool TransB)[] shapes =
            [(200, 40, 70, false, false), (13, 300, 530, false, true), (40, 300, 530, false, false), (64, 256, 100, true, false)];
        Assert.Multiple(() =>
        {
            foreach (var (m, n, k, transA, transB) in shapes)
            {
                var (a, b, c) = Inputs(m, n, k, transA, transB, accumulate: true);
                var one = (double[])c.Clone();
                Multiply(tile, GemmKernel.Blocked, single, 1, transA, transB, m, n, k, a, b, one, accumulate: true);
                foreach (var threads in new[] { 2, 3 })
                {
                    var many = (double[])c.Clone();
                    Multiply(tile, GemmKernel.Blocked, single, threads, transA, transB, m, n, k, a, b, many, accumulate: true);
                    Assert.That(many, Is.EqualTo(one), $"{tile} {m}×{n}×{k}: {threads} threads against 1");
                }
            }
        });
    }

    [TestCaseSource(nameof(TileCases))]
    public void Blocked_OnEachTile_ReadingAnAlignedBInPlace_EqualsNaive_OnOneAndTwoThreads(string tileName, bool single)
    {
        // A plain B is read in place, unpacked, when its rows are 64-byte aligned and m ≤ 64 (arrays from the GC
        // are aligned only by chance, so the other tests may not get there): several K blocks, a ragged last
        // sliver (packed) and ragged last rows. N·sizeof is a multiple of 64, as row alignment needs.
        var tile = Enum.Parse<GemmTile>(tileName);
        int m = 43, k = 530, n = single ? 304 : 296;
        var (a, b, initial) = Inputs(m, n, k, false, false, accumulate: true);
        var expected = (double[])initial.Clone();
        Multiply(null, GemmKernel.Naive, single, 1, false, false, m, n, k, a, b, expected, accumulate: true);
        GemmTiles.Forced = tile;
        try
        {
            Assert.Multiple(() =>
            {
                double[]? oneThread = null;
                foreach (var threads in new[] { 1, 2 })
                {
                    var c = single ? MultiplyAligned<float>(a, b, initial, m, n, k, threads) : MultiplyAligned<double>(a, b, initial, m, n, k, threads);
                    AssertClose(c, expected, a, b, initial, m, n, k, false, false, single, $"{tile} aligned B, {threads} threads");
                    oneThread ??= c;
                    Assert.That(c, Is.EqualTo(oneThread), $"{tile} aligned B: 2 threads against 1");
                }
            });
        }
        finally
        {
            GemmTiles.Forced = null;
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Blocked_TilesThatAgreeOnFusing_GiveBitIdenticalProducts(bool single)
    {
        // Every tile sums each element over k in the same order, so the width cannot change a bit; only a fused
        // multiply-add (one rounding instead of two) can.
        const int m = 37, n = 71, k = 290;
        var (a, b, c) = Inputs(m, n, k, false, true, accumulate: true);
        var results = _tiles.ToDictionary(tile => tile, tile =>
        {
            var result = (double[])c.Clone();
            Multiply(tile, GemmKernel.Blocked, single, 2, false, true, m, n, k, a, b, result, accumulate: true);
            return result;
        });

        Assert.Multiple(() =>
        {
            foreach (var tile in _tiles)
            {
                var fused = single ? GemmTiles.FusesMultiplyAdd<float>(tile) : GemmTiles.FusesMultiplyAdd<double>(tile);
                var reference = _tiles.First(other => (single ? GemmTiles.FusesMultiplyAdd<float>(other) : GemmTiles.FusesMultiplyAdd<double>(other)) == fused);
                Assert.That(results[tile], Is.EqualTo(results[reference]), $"{tile} against {reference} (fused: {fused})");
            }
        });
    }

    [Test]
    public void Blocked_AFusedTile_DiffersFromTheScalarTile_AndWithoutFusingNoTileDoes()
    {
        // Guards the comparison above against a vacuous pass: where a tile fuses its multiply-add it must actually
        // differ from the scalar tile somewhere (else FusesMultiplyAdd would be lying); where none does (e.g.
        // DOTNET_EnableHWIntrinsic=0), every tile must give the scalar tile's bits.
        const int m = 37, n = 71, k = 290;
        var (a, b, c) = Inputs(m, n, k, false, false, accumulate: false);
        var scalar = (double[])c.Clone();
        Multiply(GemmTile.Scalar, GemmKernel.Blocked, true, 1, false, false, m, n, k, a, b, scalar, false);
        Assert.Multiple(() =>
        {
            foreach (var tile in _tiles)
            {
                var result = (double[])c.Clone();
                Multiply(tile, GemmKernel.Blocked, true, 1, false, false, m, n, k, a, b, result, false);
                if (GemmTiles.FusesMultiplyAdd<float>(tile))
                {
                    Assert.That(result, Is.Not.EqualTo(scalar), $"{tile} fuses, yet gives the scalar tile's bits");
                }
                else
                {
                    Assert.That(result, Is.EqualTo(scalar), $"{tile} does not fuse, yet differs from the scalar tile");
                }
            }
        });
    }

    [Test]
    public void Default_IsTheWidestAcceleratedVector()
    {
        Assert.That(GemmTiles.Default, Is.EqualTo(
            System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? GemmTile.Vector512
            : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? GemmTile.Vector256
            : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? GemmTile.Vector128
            : GemmTile.Scalar));
        Assert.That(GemmTiles.Current, Is.EqualTo(GemmTiles.Default), "no tile left forced");
    }

    /// <summary>Runs one product on <paramref name="tile"/> (null: the default), in float or double on double-held data.</summary>
    private static void Multiply(GemmTile? tile, GemmKernel kernel, bool single, int threads, bool transA, bool transB,
        int m, int n, int k, double[] a, double[] b, double[] c, bool accumulate)
    {
        GemmTiles.Forced = tile;
        try
        {
            if (!single)
            {
                Gemm.MultiplyWithThreads<double>(kernel, transA, transB, m, n, k, a, b, c, accumulate, threads);
                return;
            }

            var af = Array.ConvertAll(a, x => (float)x);
            var bf = Array.ConvertAll(b, x => (float)x);
            var cf = Array.ConvertAll(c, x => (float)x);
            Gemm.MultiplyWithThreads<float>(kernel, transA, transB, m, n, k, af, bf, cf, accumulate, threads);
            for (var i = 0; i < c.Length; i++)
            {
                c[i] = cf[i];
            }
        }
        finally
        {
            GemmTiles.Forced = null;
        }
    }

    /// <summary>C = initial + A·B with B copied to a 64-byte aligned place in a pinned array.</summary>
    private static double[] MultiplyAligned<T>(double[] a, double[] b, double[] initial, int m, int n, int k, int threads)
        where T : unmanaged, System.Numerics.INumberBase<T>
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var storage = GC.AllocateArray<T>(b.Length + (64 / size), pinned: true);
        var address = (long)System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(storage, 0);
        var offset = (int)((64 - (address % 64)) % 64) / size;
        var alignedB = storage.AsSpan(offset, b.Length);
        for (var i = 0; i < b.Length; i++)
        {
            alignedB[i] = T.CreateTruncating(b[i]);
        }

        var ta = Array.ConvertAll(a, T.CreateTruncating);
        var c = Array.ConvertAll(initial, T.CreateTruncating);
        Gemm.MultiplyWithThreads<T>(GemmKernel.Blocked, false, false, m, n, k, ta, alignedB, c, true, threads);
        return Array.ConvertAll(c, double.CreateTruncating);
    }

    private static (double[] A, double[] B, double[] C) Inputs(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        var random = new Random(HashCode.Combine(m, n, k, transA, transB, accumulate));
        return (Values(random, m * k), Values(random, k * n), Values(random, m * n));
    }

    private static double[] Values(Random random, int count)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (random.NextDouble() * 2) - 1;
        }

        return values;
    }

    /// <summary>Within 2·(k+1)·ε of Naive, relative to |C| + Σ|op(A)·op(B)| per element (both round once per term).</summary>
    private static void AssertClose(double[] actual, double[] expected, double[] a, double[] b, double[]? c,
        int m, int n, int k, bool transA, bool transB, bool single, string what)
    {
        var epsilon = single ? 1.2e-7 : 2.3e-16;
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var magnitude = c is null ? 0 : Math.Abs(c[(i * n) + j]);
                for (var p = 0; p < k; p++)
                {
                    magnitude += Math.Abs((transA ? a[(p * m) + i] : a[(i * k) + p]) * (transB ? b[(j * k) + p] : b[(p * n) + j]));
                }

                var error = Math.Abs(actual[(i * n) + j] - expected[(i * n) + j]);
                if (!(error <= 2 * (k + 1) * epsilon * (magnitude + 1e-30)))
                {
                    Assert.Fail($"{what}: C[{i},{j}] is {actual[(i * n) + j]}, Naive gives {expected[(i * n) + j]}");
                    return;
                }
            }
        }
    }
}
