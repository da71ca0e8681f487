using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Ops;

/// <summary>
/// min(max(x, min), max), as PyTorch's clamp (so every element is max when min &gt; max; NaN stays NaN).
/// dx = g where min ≤ x ≤ max, else 0: the bounds themselves pass the gradient, as PyTorch's clamp_backward.
/// </summary>
internal readonly struct ClampOp(double min, double max) : IUnaryOp
{
    public string Name => "Clamp";
    public bool SavesInput => true;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Max(x, T.CreateChecked(min), y);
        TensorPrimitives.Min(y, T.CreateChecked(max), y);
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T low = T.CreateChecked(min), high = T.CreateChecked(max);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vlow = new Vector<T>(low);
            var vhigh = new Vector<T>(high);
            for (; i <= dx.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var vx = new Vector<T>(x[i..]);
                var inside = Vector.BitwiseAnd(Vector.GreaterThanOrEqual(vx, vlow), Vector.LessThanOrEqual(vx, vhigh));
                Vector.ConditionalSelect(inside, new Vector<T>(g[i..]), Vector<T>.Zero).CopyTo(dx[i..]);
            }
        }

        for (; i < dx.Length; i++)
        {
            dx[i] = x[i] >= low && x[i] <= high ? g[i] : T.Zero;
        }
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * Unary.LocalDerivative(this, x, y);
}
