using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Ops;

// Tensor-constant arithmetic (x + c, c − x, x · c, x / c, c / x) as unary ops with the constant as a field, so that
// a loss's scale factors need no 1-element tensor, no broadcast and no saved operand. Each rounds c to the tensor's
// element type first, exactly as the broadcast op with Tensor.Scalar(c) did, so the results are bit-identical.
// x − c is x + (−c), which IEEE arithmetic makes exact.

/// <summary>x + c: dx = g.</summary>
internal readonly struct AddScalarOp(double constant) : IUnaryOp
{
    public string Name => "Add";
    public bool SavesInput => false;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Add(x, T.CreateChecked(constant), y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => g.CopyTo(dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g;
}

/// <summary>c − x: dx = −g.</summary>
internal readonly struct SubtractFromScalarOp(double constant) : IUnaryOp
{
    public string Name => "Subtract";
    public bool SavesInput => false;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Subtract(T.CreateChecked(constant), x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Negate(g, dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => -g;
}

/// <summary>x · c: dx = g · c.</summary>
internal readonly struct MultiplyScalarOp(double constant) : IUnaryOp
{
    public string Name => "Multiply";
    public bool SavesInput => false;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, T.CreateChecked(constant), y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(g, T.CreateChecked(constant), dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * constant;
}

/// <summary>x / c: dx = g / c (a division, not a product with 1/c, to match the broadcast op bit for bit).</summary>
internal readonly struct DivideByScalarOp(double constant) : IUnaryOp
{
    public string Name => "Divide";
    public bool SavesInput => false;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(x, T.CreateChecked(constant), y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(g, T.CreateChecked(constant), dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g / constant;
}

/// <summary>c / x: dx = −g · y / x (the broadcast op's formula −g · out / y, with out = y and y = x here).</summary>
internal readonly struct DivideScalarByOp(double constant) : IUnaryOp
{
    public string Name => "Divide";
    public bool SavesInput => true;
    public bool SavesOutput => true;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Divide(T.CreateChecked(constant), x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // One pass, reading g[i] before writing dx[i] (dx may be g); the same three roundings as the broadcast op.
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = -(g[i] * (y[i] / x[i]));
        }
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => -(g * (y! / x!));
}
