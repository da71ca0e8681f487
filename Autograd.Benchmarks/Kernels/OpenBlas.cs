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
    private static readonly delegate* unmanaged<byte*> _coreName;

    static OpenBlas()
    {
        ChooseCoreType();
        if (NativeLibrary.TryLoad("libopenblas.so.0", out var handle)
            && NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var sgemm)
            && NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var setThreads))
        {
            _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
            _setNumThreads = (delegate* unmanaged<int, void>)setThreads;
            if (NativeLibrary.TryGetExport(handle, "openblas_get_corename", out var coreName))
            {
                _coreName = (delegate* unmanaged<byte*>)coreName;
            }
        }
    }

    /// <summary>The kernel family OpenBLAS runs (its <c>openblas_get_corename</c>), e.g. SkylakeX or Haswell.</summary>
    public static string CoreName => _coreName == null ? "?" : Marshal.PtrToStringUTF8((nint)_coreName()) ?? "?";

    public static bool IsAvailable => _sgemm != null;

    /// <summary>
    /// OpenBLAS 0.3.21 does not recognise recent Xeons (this machine's family 6 model 207) and falls back to its
    /// SSE3 "Prescott" kernels, 5-10× slower than its AVX-512 ones, which would make a meaningless peer. Unless
    /// <c>OPENBLAS_CORETYPE</c> is already set, ask for the AVX-512 kernels ("SkylakeX") where the CPU has
    /// AVX-512. OpenBLAS reads the variable from the C environment when it loads, hence libc's setenv
    /// (.NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach it on Linux).
    /// </summary>
    private static void ChooseCoreType()
    {
        if (Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is not null
            || !HasSkylakeXInstructions()
            || !NativeLibrary.TryLoad("libc.so.6", out var libc)
            || !NativeLibrary.TryGetExport(libc, "setenv", out var setenv))
        {
            return;
        }

        fixed (byte* name = "OPENBLAS_CORETYPE\0"u8)
        fixed (byte* value = "SkylakeX\0"u8)
        {
            ((delegate* unmanaged<byte*, byte*, int, int>)setenv)(name, value, 0);
        }
    }

    /// <summary>
    /// AVX-512 F, CD, BW, DQ and VL, as the CPU reports them (not as the JIT is told to use them: the peer must not
    /// change when our side runs with <c>DOTNET_EnableAVX512=0</c>).
    /// </summary>
    private static bool HasSkylakeXInstructions()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo))
        {
            return false;
        }

        var flags = File.ReadLines(cpuInfo).FirstOrDefault(line => line.StartsWith("flags", StringComparison.Ordinal))?.Split(' ') ?? [];
        return new[] { "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl" }.All(flags.Contains);
    }

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
