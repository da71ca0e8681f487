using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>max(0, x): dx = g where y &gt; 0, else 0 (so ReLU′(0) = 0, as PyTorch). Saves only its output.</summary>
internal readonly struct ReluOp : IUnaryOp
{
    public string Name => "Relu";
    public bool SavesInput => false;
    public bool SavesOutput => true;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(x, T.Zero, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => ElementwiseKernels.ReluBackward(y, g, dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * Unary.LocalDerivative(this, x, y);
}

/// <summary>x if x &gt; 0 else slope · x: dx = g or slope · g.</summary>
internal readonly struct LeakyReluOp(double slope) : IUnaryOp
{
    public string Name => "LeakyRelu";
    public bool SavesInput => true;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => ElementwiseKernels.LeakyRelu(x, T.CreateChecked(slope), y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => ElementwiseKernels.LeakyReluBackward(x, T.CreateChecked(slope), g, dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * Unary.LocalDerivative(this, x, y);
}

/// <summary>σ(x) = 1 / (1 + e^−x): dx = g · y · (1 − y). Saturates to exactly 0 or 1, never NaN.</summary>
internal readonly struct SigmoidOp : IUnaryOp
{
    public string Name => "Sigmoid";
    public bool SavesInput => false;
    public bool SavesOutput => true;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // TensorPrimitives.Sigmoid, unlike the other elementwise primitives, rejects empty spans.
        if (!x.IsEmpty)
        {
            MathKernels.Sigmoid(x, y);
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => ElementwiseKernels.SigmoidBackward(y, g, dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * (y! * (1.0 - y!));
}

/// <summary>tanh(x): dx = g · (1 − y²).</summary>
internal readonly struct TanhOp : IUnaryOp
{
    public string Name => "Tanh";
    public bool SavesInput => false;
    public bool SavesOutput => true;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => MathKernels.Tanh(x, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => ElementwiseKernels.TanhBackward(y, g, dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * (1.0 - (y! * y!));
}
