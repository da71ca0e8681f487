using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Ops;

/// <summary>x²: dx = 2 · g · x.</summary>
internal readonly struct SquareOp : IUnaryOp
{
    public string Name => "Square";
    public bool SavesInput => true;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.AddMultiply(x, x, g, dx);   // (x + x) · g, one pass

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * x! * 2.0;
}
