using BenchmarkDotNet.Attributes;

namespace Autograd.Benchmarks.Engine;

/// <summary>
/// The tape's fixed cost: a chain of <see cref="TapeChain.Length"/> elementwise ops on 1-element tensors, forward
/// and backward, reported per op (the arithmetic is negligible, so this is allocation, dispatch and the walk).
/// </summary>
[MemoryDiagnoser]
public class TapeOverheadBenchmarks
{
    private readonly TapeChain _chain = new();

    /// <summary>y = y·w and y = y + b alternately, with 1-element leaves w and b.</summary>
    [Benchmark(OperationsPerInvoke = TapeChain.Length)]
    public void TensorTensor() => _chain.TensorTensor();

    /// <summary>y = tanh(y).</summary>
    [Benchmark(OperationsPerInvoke = TapeChain.Length)]
    public void Unary() => _chain.Unary();

    /// <summary>y = y·0.5 and y = y + 0.5 alternately (constants, as in a loss's scale factors).</summary>
    [Benchmark(OperationsPerInvoke = TapeChain.Length)]
    public void TensorScalar() => _chain.TensorScalar();
}

/// <summary>The chains of <see cref="TapeOverheadBenchmarks"/>, shared with the plain runner.</summary>
public sealed class TapeChain
{
    /// <summary>Ops per chain.</summary>
    public const int Length = 1000;

    private readonly Tensor _x = Leaf(0.5f);
    private readonly Tensor _w = Leaf(0.999f);
    private readonly Tensor _b = Leaf(0.001f);

    public void TensorTensor()
    {
        ResetGrads();
        Tensor y = _x;
        for (int i = 0; i < Length; i += 2)
        {
            y = (y * _w) + _b;
        }

        y.Backward();
    }

    public void Unary()
    {
        ResetGrads();
        Tensor y = _x;
        for (int i = 0; i < Length; i++)
        {
            y = y.Tanh();
        }

        y.Backward();
    }

    public void TensorScalar()
    {
        ResetGrads();
        Tensor y = _x;
        for (int i = 0; i < Length; i += 2)
        {
            y = (y * 0.5) + 0.5;
        }

        y.Backward();
    }

    private void ResetGrads()
    {
        _x.ZeroGrad();
        _w.ZeroGrad();
        _b.ZeroGrad();
    }

    private static Tensor Leaf(float value)
    {
        Tensor t = Tensor.FromArray(new[] { value }, 1);
        t.RequiresGrad = true;
        return t;
    }
}
