using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// SiLU (swish): x · σ(x). With s = σ(x): dx = g · s · (1 + x(1 − s)). σ saturates to exactly 0 or 1, so
/// Silu(−1000) = −0 with gradient 0 and Silu(1000) = 1000 with gradient 1.
/// </summary>
internal readonly struct SiluOp : IUnaryOp
{
    public string Name => "Silu";
    public bool SavesInput => true;
    public bool SavesOutput => false;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!x.IsEmpty)   // TensorPrimitives.Sigmoid rejects empty spans
        {
            MathKernels.Sigmoid(x, y);
            TensorPrimitives.Multiply(y, x, y);
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int chunk = Math.Min(g.Length, 256);
        Span<T> s = stackalloc T[chunk];
        Span<T> factor = stackalloc T[chunk];
        for (int start = 0; start < g.Length; start += chunk)
        {
            int length = Math.Min(chunk, g.Length - start);
            ReadOnlySpan<T> xs = x.Slice(start, length);
            Span<T> sigma = s[..length], f = factor[..length];
            MathKernels.Sigmoid(xs, sigma);
            TensorPrimitives.Subtract(T.One, sigma, f);          // 1 − s
            TensorPrimitives.MultiplyAdd(xs, f, T.One, f);        // 1 + x(1 − s)
            TensorPrimitives.Multiply(f, sigma, f);
            TensorPrimitives.Multiply(g.Slice(start, length), f, dx.Slice(start, length));
        }
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g)
    {
        Tensor s = x!.Sigmoid();
        return g * (s * ((x * (1.0 - s)) + 1.0));
    }
}
