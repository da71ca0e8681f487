using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Serialization;

/// <summary>
/// The F16 and BF16 conversions on 1M elements (2 MB of 16-bit values, 4 MB of floats), against the obvious scalar
/// loops: <c>(float)Half</c> per element, and the BF16 shift per element.
/// </summary>
[MemoryDiagnoser]
public class HalfPrecisionBenchmarks
{
    private const int Count = 1 << 20;
    private readonly ushort[] _bits = new ushort[Count];
    private readonly float[] _singles = new float[Count];

    [GlobalSetup]
    public void Setup()
    {
        var random = new SplitMix64(1);
        for (int i = 0; i < Count; i++)
        {
            _singles[i] = (float)random.NextNormal();
        }

        HalfPrecision.SingleToFloat16(_singles, _bits);
    }

    [Benchmark(Baseline = true)]
    public void Float16ToSingleScalar()
    {
        for (int i = 0; i < Count; i++)
        {
            _singles[i] = (float)BitConverter.UInt16BitsToHalf(_bits[i]);
        }
    }

    [Benchmark]
    public void Float16ToSingle() => HalfPrecision.Float16ToSingle(_bits, _singles);

    [Benchmark]
    public void BFloat16ToSingleScalar()
    {
        for (int i = 0; i < Count; i++)
        {
            _singles[i] = BitConverter.UInt32BitsToSingle((uint)_bits[i] << 16);
        }
    }

    [Benchmark]
    public void BFloat16ToSingle() => HalfPrecision.BFloat16ToSingle(_bits, _singles);

    [Benchmark]
    public void SingleToFloat16() => HalfPrecision.SingleToFloat16(_singles, _bits);

    [Benchmark]
    public void SingleToBFloat16() => HalfPrecision.SingleToBFloat16(_singles, _bits);
}
