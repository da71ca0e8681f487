using System.Numerics.Tensors;
using Autograd.Kernels;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Elementwise;

/// <summary>
/// Views against copies for Narrow and Permute, on a [64,128,128] float tensor (1M elements, 4 MB): what a copying
/// shape op costs now (the copy, then a contiguous consumer) against what a strided view would cost (no copy, but
/// the consumer reads through strides). The consumer is an add with a contiguous tensor, the cheapest op a view could
/// feed; a strided path through MatMul or a reduction would have to copy or lose its SIMD and blocking the same way.
/// The strided adds are the kernels a view-aware library would need (an odometer over strides, per element), written
/// here for the measurement only; the library has none. Figures: docs/ARCHITECTURE.md, "Views and copies".
/// </summary>
[MemoryDiagnoser]
public class ViewsAndCopiesBenchmarks
{
    private const int B = 64, N = 128;
    private static readonly int[] _shape = [B, N, N];
    private float[] _x = null!;
    private float[] _y = null!;
    private float[] _destination = null!;
    private float[] _scratch = null!;
    private float[] _half = null!;
    private float[] _halfY = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = Tensor.Randn(_shape, 1).ToArray<float>();
        _y = Tensor.Randn(_shape, 2).ToArray<float>();
        _destination = new float[B * N * N];
        _scratch = new float[B * N * N];
        _half = new float[B * N * (N / 2)];
        _halfY = new float[B * N * (N / 2)];
    }

    /// <summary>The bandwidth peer: read 4 MB, write 4 MB.</summary>
    [Benchmark(Baseline = true)]
    public void Copy() => _x.AsSpan().CopyTo(_destination);

    /// <summary>The consumer alone, on contiguous operands: destination = x + y.</summary>
    [Benchmark]
    public void ContiguousAdd() => TensorPrimitives.Add(_x, _y, _destination);

    /// <summary>Permute (0,2,1), the batched transpose of the last two axes, as the library does it (tiled copy).</summary>
    [Benchmark]
    public void PermuteLastTwoCopy() => PermuteKernel.Permute<float>(_x, _destination, _shape, [0, 2, 1]);

    /// <summary>Permute (2,0,1): the last axis moves to the front (tiles between output axes 0 and 2).</summary>
    [Benchmark]
    public void PermuteToFrontCopy() => PermuteKernel.Permute<float>(_x, _destination, _shape, [2, 0, 1]);

    /// <summary>Permute (1,0,2): the last axis stays (a copy of contiguous rows of 128).</summary>
    [Benchmark]
    public void PermuteOuterCopy() => PermuteKernel.Permute<float>(_x, _destination, _shape, [1, 0, 2]);

    /// <summary>Today: permute (0,2,1) into a buffer, then the contiguous add.</summary>
    [Benchmark]
    public void PermuteCopyThenAdd()
    {
        PermuteKernel.Permute<float>(_x, _scratch, _shape, [0, 2, 1]);
        TensorPrimitives.Add(_scratch, _y, _destination);
    }

    /// <summary>A view instead: destination[b,i,j] = x[b,j,i] + y[b,i,j], reading x through its strides (inner stride 128).</summary>
    [Benchmark]
    public void PermuteViewStridedAdd() => StridedAdd(_x, (N * N, 1, N), _y, _destination);

    /// <summary>Narrow (last axis, 64 of 128) as the library does it: one block copy per row.</summary>
    [Benchmark]
    public void NarrowLastCopy() => BlockCopy.Rows<float>(_x, N, 32, _half, N / 2, 0, B * N, N / 2);

    /// <summary>Today: narrow into a buffer, then the contiguous add (half the elements).</summary>
    [Benchmark]
    public void NarrowCopyThenAdd()
    {
        BlockCopy.Rows<float>(_x, N, 32, _half, N / 2, 0, B * N, N / 2);
        TensorPrimitives.Add(_half, _halfY, _scratch.AsSpan(0, _half.Length));
    }

    /// <summary>A view instead: the add reads each row of the narrowed x in place (inner stride 1, row stride 128).</summary>
    [Benchmark]
    public void NarrowViewRowAdd()
    {
        for (int r = 0; r < B * N; r++)
        {
            TensorPrimitives.Add(_x.AsSpan((r * N) + 32, N / 2), _halfY.AsSpan(r * (N / 2), N / 2), _scratch.AsSpan(r * (N / 2), N / 2));
        }
    }

    /// <summary>
    /// destination = view(x) + y for a rank-3 view with element strides <paramref name="strides"/> over y's shape,
    /// the loop a strided elementwise kernel runs (no SIMD: the view's elements are not adjacent).
    /// </summary>
    private static void StridedAdd(float[] x, (int S0, int S1, int S2) strides, float[] y, float[] destination)
    {
        int o = 0;
        for (int b = 0; b < B; b++)
        {
            for (int i = 0; i < N; i++)
            {
                int from = (b * strides.S0) + (i * strides.S1);
                for (int j = 0; j < N; j++, o++, from += strides.S2)
                {
                    destination[o] = x[from] + y[o];
                }
            }
        }
    }
}
