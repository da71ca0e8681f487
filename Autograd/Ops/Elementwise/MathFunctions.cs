using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>−x: dx = −g.</summary>
internal readonly struct NegateOp : IUnaryOp
{
    public string Name => "Negate";
    public bool SavesInput => false;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(g, dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => -g;
}

/// <summary>exp(x): dx = g · y.</summary>
internal readonly struct ExpOp : IUnaryOp
{
    public string Name => "Exp";
    public bool SavesInput => false;
    public bool SavesOutput => true;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => MathKernels.Exp(x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(g, y, dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * y!;
}

/// <summary>ln(x): dx = g / x.</summary>
internal readonly struct LogOp : IUnaryOp
{
    public string Name => "Log";
    public bool SavesInput => true;
    public bool SavesOutput => false;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => MathKernels.Log(x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(g, x, dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g / x!;
}

/// <summary>√x: dx = g / (2y).</summary>
internal readonly struct SqrtOp : IUnaryOp
{
    public string Name => "Sqrt";
    public bool SavesInput => false;
    public bool SavesOutput => true;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sqrt(x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Divide(g, y, dx);
        TensorPrimitives.Multiply(dx, T.CreateChecked(0.5), dx);
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g / (y! * 2.0);
}

/// <summary>x^p for a constant p: dx = g · p · x^(p−1) (0 when p = 0, as in PyTorch).</summary>
internal readonly struct PowOp(double exponent) : IUnaryOp
{
    public string Name => "Pow";
    public bool SavesInput => true;
    public bool SavesOutput => false;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (exponent == 2)
        {
            TensorPrimitives.Multiply(x, x, y);   // exact, and the common case (squares in losses)
        }
        else
        {
            MathKernels.Pow(x, T.CreateChecked(exponent), y);
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (exponent == 0)
        {
            dx.Clear();
            return;
        }

        if (exponent == 2)
        {
            TensorPrimitives.Multiply(g, x, dx);
        }
        else
        {
            // x^(p−1) goes through a stack buffer, chunk by chunk, because dx may be g.
            Span<T> power = stackalloc T[Math.Min(g.Length, 256)];
            for (int start = 0; start < g.Length; start += power.Length)
            {
                int length = Math.Min(power.Length, g.Length - start);
                MathKernels.Pow(x.Slice(start, length), T.CreateChecked(exponent - 1), power[..length]);
                TensorPrimitives.Multiply(power[..length], g.Slice(start, length), dx.Slice(start, length));
            }
        }

        TensorPrimitives.Multiply(dx, T.CreateChecked(exponent), dx);
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => exponent == 0 ? g * 0.0 : exponent == 2 ? g * x! * 2.0 : g * (x!.Pow(exponent - 1) * exponent);
}

/// <summary>|x|: dx = g · sign(x), sign(0) = 0.</summary>
internal readonly struct AbsOp : IUnaryOp
{
    public string Name => "Abs";
    public bool SavesInput => true;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Abs(x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => ElementwiseKernels.AbsBackward(x, g, dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * Unary.LocalDerivative(this, x, y);
}

/// <summary>max(x, min) for a constant min: dx = g where x &gt; min, else 0 (the clamped logs of the BCE VJP).</summary>
internal readonly struct ClampMinOp(double min) : IUnaryOp
{
    public string Name => "ClampMin";
    public bool SavesInput => true;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, T.CreateChecked(min), y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T bound = T.CreateChecked(min);
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = x[i] > bound ? g[i] : T.Zero;
        }
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * Unary.LocalDerivative(this, x, y);
}

/// <summary>A copy (PyTorch's clone): dx = g.</summary>
internal readonly struct CloneOp : IUnaryOp
{
    public string Name => "Clone";
    public bool SavesInput => false;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => x.CopyTo(y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => g.CopyTo(dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g;
}
