using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Serialization;

/// <summary>
/// Loading and saving a 64 MB checkpoint (eight [1024, 2048] tensors) from a file in the page cache: F32 through the
/// memory mapping, against the whole file read into a byte array and each tensor copied out of it (what Load did
/// before, and what a 2 GB file cannot do); F16 and BF16 with their exact widening; saving as F32 and as F16.
/// Figures: docs/TRAINING.md, "Weights on disk: safetensors".
/// </summary>
[MemoryDiagnoser]
public class SafeTensorsBenchmarks
{
    private const int Tensors = 8, Rows = 1024, Columns = 2048;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"autograd-bench-{Environment.ProcessId}");
    private Dictionary<string, Tensor> _state = null!;

    private string F32 => Path.Combine(_directory, "f32.safetensors");

    private string F16 => Path.Combine(_directory, "f16.safetensors");

    private string BF16 => Path.Combine(_directory, "bf16.safetensors");

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_directory);
        _state = Enumerable.Range(0, Tensors).ToDictionary(i => $"layer{i}.weight", i => Tensor.Randn([Rows, Columns], seed: i));
        SafeTensors.Save(F32, _state);
        SafeTensors.Save(F16, _state, floats: FloatStorage.Float16);
        SafeTensors.Save(BF16, _state, floats: FloatStorage.BFloat16);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>The former reading: File.ReadAllBytes, then a copy of each tensor's bytes into its array.</summary>
    [Benchmark(Baseline = true)]
    public int LoadF32ThroughByteArray()
    {
        var bytes = File.ReadAllBytes(F32);
        var header = SafeTensors.ReadHeader(F32);
        int total = 0;
        foreach (var entry in header.Tensors.Values)
        {
            var data = bytes.AsSpan((int)(header.DataOffset + entry.Begin), (int)(entry.End - entry.Begin));
            total += MemoryMarshal.Cast<byte, float>(data).ToArray().Length;
        }

        return total;
    }

    [Benchmark]
    public int LoadF32() => SafeTensors.Load(F32).Count;

    [Benchmark]
    public int LoadF16() => SafeTensors.Load(F16).Count;

    [Benchmark]
    public int LoadBF16() => SafeTensors.Load(BF16).Count;

    [Benchmark]
    public void SaveF32() => SafeTensors.Save(Path.Combine(_directory, "out.safetensors"), _state);

    [Benchmark]
    public void SaveF16() => SafeTensors.Save(Path.Combine(_directory, "out.safetensors"), _state, floats: FloatStorage.Float16);
}
