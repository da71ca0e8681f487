using System.Runtime.InteropServices;

namespace Autograd.Benchmarks.Kernels;

/// <summary>
/// The OpenBLAS baseline, loaded at run time so the benchmarks still run (without it) where the
/// library is absent. Native code lives here only; the Autograd library stays pure managed.
/// </summary>
internal static unsafe class OpenBlas
{
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private static readonly delegate* unmanaged<int, void> _setNumThreads;

    static OpenBlas()
    {
        if (NativeLibrary.TryLoad("libopenblas.so.0", out var handle)
            && NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var sgemm)
            && NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var setThreads))
        {
            _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
            _setNumThreads = (delegate* unmanaged<int, void>)setThreads;
        }
    }

    public static bool IsAvailable => _sgemm != null;

    /// <summary>Pins OpenBLAS's thread count, so it is compared with ours at the same count.</summary>
    public static void SetThreads(int threads) => _setNumThreads(threads);

    /// <summary>C = op(A)·op(B), row-major, with the same conventions as <c>Gemm.Multiply</c>.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float[] a, float[] b, float[] c)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k,
                1f, pa, transA ? m : k, pb, transB ? k : n, 0f, pc, n);
        }
    }
}
