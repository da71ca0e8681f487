using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Elementwise;

/// <summary>
/// Elementwise ops on 1M floats against the memory-bandwidth peer, a copy of 1M floats (read 4 MB, write 4 MB).
/// A binary op moves 1.5× the copy's bytes (two reads, one write), a unary op or a VJP of one input 1×–1.5×.
/// The Tensor rows include the output's allocation and the tape entry, as a training step pays them.
/// </summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks
{
    private const int Count = 1 << 20;
    private float[] _x = null!;
    private float[] _y = null!;
    private float[] _destination = null!;
    private Tensor _a = null!;
    private Tensor _b = null!;
    private Tensor _leaf = null!;

    [GlobalSetup]
    public void Setup()
    {
        _a = Tensor.Randn([Count], 1);
        _b = Tensor.Randn([Count], 2);
        _leaf = Tensor.Randn([Count], 3);
        _leaf.RequiresGrad = true;
        _x = _a.ToArray<float>();
        _y = _b.ToArray<float>();
        _destination = new float[Count];
    }

    /// <summary>The bandwidth peer: read 1M floats, write 1M floats.</summary>
    [Benchmark(Baseline = true)]
    public void Copy() => _x.AsSpan().CopyTo(_destination);

    /// <summary>The kernel alone: destination = x + y.</summary>
    [Benchmark]
    public void KernelAdd() => TensorPrimitives.Add(_x, _y, _destination);

    /// <summary>The kernel alone: destination = max(x, 0).</summary>
    [Benchmark]
    public void KernelRelu() => TensorPrimitives.Max(_x, 0f, _destination);

    /// <summary>a + b through the Tensor API, no tape (allocates the 4 MB output).</summary>
    [Benchmark]
    public Tensor TensorAdd()
    {
        using (Tape.NoGrad())
        {
            return _a + _b;
        }
    }

    /// <summary>relu(a) through the Tensor API, no tape.</summary>
    [Benchmark]
    public Tensor TensorRelu()
    {
        using (Tape.NoGrad())
        {
            return _a.Relu();
        }
    }

    /// <summary>a · 0.5 through the Tensor API, no tape.</summary>
    [Benchmark]
    public Tensor TensorScale()
    {
        using (Tape.NoGrad())
        {
            return _a * 0.5;
        }
    }

    /// <summary>relu(leaf), recorded, then its VJP into the leaf's gradient: forward and backward.</summary>
    [Benchmark]
    public void ReluForwardBackward()
    {
        _leaf.ZeroGrad();
        _leaf.Relu().Backward(_b);
    }
}
