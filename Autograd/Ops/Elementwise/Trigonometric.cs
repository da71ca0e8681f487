using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>sin x: dx = g · cos x.</summary>
internal readonly struct SinOp : IUnaryOp
{
    public string Name => "Sin";
    public bool SavesInput => true;
    public bool SavesOutput => false;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => MathKernels.Sin(x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // cos x goes through a stack buffer, chunk by chunk, because dx may be g.
        Span<T> cosine = stackalloc T[Math.Min(g.Length, 256)];
        for (int start = 0; start < g.Length; start += cosine.Length)
        {
            int length = Math.Min(cosine.Length, g.Length - start);
            MathKernels.Cos(x.Slice(start, length), cosine[..length]);
            TensorPrimitives.Multiply(g.Slice(start, length), cosine[..length], dx.Slice(start, length));
        }
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * x!.Cos();
}

/// <summary>cos x: dx = −g · sin x.</summary>
internal readonly struct CosOp : IUnaryOp
{
    public string Name => "Cos";
    public bool SavesInput => true;
    public bool SavesOutput => false;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => MathKernels.Cos(x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> sine = stackalloc T[Math.Min(g.Length, 256)];
        for (int start = 0; start < g.Length; start += sine.Length)
        {
            int length = Math.Min(sine.Length, g.Length - start);
            MathKernels.Sin(x.Slice(start, length), sine[..length]);
            TensorPrimitives.Negate(sine[..length], sine[..length]);
            TensorPrimitives.Multiply(g.Slice(start, length), sine[..length], dx.Slice(start, length));
        }
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * -x!.Sin();
}
