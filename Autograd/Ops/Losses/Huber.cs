using System.Numerics;

namespace Autograd.Ops;

/// <summary>
/// PyTorch's HuberLoss on the difference d = prediction − target, elementwise: ½d² where |d| &lt; δ, else
/// δ·(|d| − ½δ). dd = g·clamp(d, −δ, δ) (continuous, so the kinks at ±δ need no convention; 0 at d = 0). The
/// createGraph path records that clamp as <see cref="HuberSlopeOp"/>, whose own derivative is 1 where |d| &lt; δ and 0
/// elsewhere (0 at |d| = δ exactly, as PyTorch's huber_loss_double_backward).
/// </summary>
internal readonly struct HuberOp(double delta) : IUnaryOp
{
    public string Name => "Huber";
    public bool SavesInput => true;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T d = T.CreateChecked(delta), half = T.CreateChecked(0.5);
        for (int i = 0; i < y.Length; i++)
        {
            T magnitude = T.Abs(x[i]);
            y[i] = magnitude < d ? half * x[i] * x[i] : d * (magnitude - (half * d));
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T d = T.CreateChecked(delta);
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = g[i] * T.Clamp(x[i], -d, d);
        }
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * Unary.Apply(x!, new HuberSlopeOp(delta));
}

/// <summary>
/// clamp(x, −δ, δ), the slope of the Huber loss: dx = g where |x| &lt; δ, else 0 (piecewise linear, so its
/// createGraph VJP multiplies g by that constant local derivative).
/// </summary>
internal readonly struct HuberSlopeOp(double delta) : IUnaryOp
{
    public string Name => "HuberSlope";
    public bool SavesInput => true;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T d = T.CreateChecked(delta);
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = T.Clamp(x[i], -d, d);
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T d = T.CreateChecked(delta);
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = T.Abs(x[i]) < d ? g[i] : T.Zero;
        }
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * Unary.LocalDerivative(this, x, y);
}
