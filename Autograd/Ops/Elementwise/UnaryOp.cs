using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// An elementwise function y = f(x) and its VJP dx = g · f′(x), side by side. Implementations are small
/// structs (see <c>MathFunctions.cs</c>, <c>Activations.cs</c>); parameters such as an exponent are fields.
/// </summary>
internal interface IUnaryOp
{
    /// <summary>The op's name in errors and ToString.</summary>
    string Name { get; }

    /// <summary>Whether the VJP reads the input x (then the entry keeps it alive).</summary>
    bool SavesInput { get; }

    /// <summary>Whether the VJP reads the output y.</summary>
    bool SavesOutput { get; }

    /// <summary><c>y[i] = f(x[i])</c>.</summary>
    void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// <c>dx[i] = g[i] · f′(x[i])</c>, written from x and/or y as declared by SavesInput/SavesOutput.
    /// <paramref name="dx"/> may be the same span as <paramref name="g"/> (the backward pass reuses a gradient
    /// buffer it owns), so g[i] must be read before dx[i] is written.
    /// </summary>
    void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// What an element costs, which decides from which size the kernels run on several threads: memory-bound ops keep
    /// the default, ops of several flops per element (exp, tanh, ...) say <see cref="ElementCost.Compute"/>.
    /// </summary>
    static virtual ElementCost Cost => ElementCost.Memory;

    /// <summary>
    /// The same VJP as recorded Tensor ops (the createGraph path), so that it can be differentiated again.
    /// <paramref name="x"/> and <paramref name="y"/> are the saved input and output (null when not saved).
    /// </summary>
    Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g);
}

/// <summary>Runs unary ops forward and records their entries.</summary>
internal static class Unary
{
    public static Tensor Apply<TOp>(Tensor x, TOp op)
        where TOp : struct, IUnaryOp
    {
        OpChecks.NotNull(x, op.Name, "x");
        OpChecks.FloatingPoint(op.Name, x);
        Tensor y = Tensor.Empty(x.ShapeArray, x.DType);
        DTypeDispatch.Float(x.DType, new ForwardKernel<TOp>(op, x, y));
        if (Tape.ShouldRecord(op.Name, y, x))
        {
            y.SetGradFn(new UnaryEntry<TOp>(op, x, y));
        }

        return y;
    }

    /// <summary>
    /// f′ as a constant tensor: the fast VJP applied to ones, computed without recording. For piecewise-linear ops
    /// (ReLU, |x|, ...) whose derivative is locally constant, g · f′ is then the exact differentiable VJP.
    /// </summary>
    public static Tensor LocalDerivative<TOp>(TOp op, Tensor? x, Tensor? y)
        where TOp : struct, IUnaryOp
    {
        Tensor reference = (x ?? y)!;
        Tensor derivative = Tensor.Full(reference.ShapeArray, 1.0, reference.DType);
        DTypeDispatch.Float(reference.DType, new BackwardKernel<TOp>(op, x, y, derivative, derivative));
        return derivative;
    }

    private readonly struct ForwardKernel<TOp>(TOp op, Tensor x, Tensor y) : IFloatAction
        where TOp : struct, IUnaryOp
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            ElementwiseParallel.Run(x.Span<T>(), default, default, y.Span<T>(), new ForwardChunk<TOp, T>(op), TOp.Cost);
    }

    private readonly struct BackwardKernel<TOp>(TOp op, Tensor? x, Tensor? y, Tensor g, Tensor dx) : IFloatAction
        where TOp : struct, IUnaryOp
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            ElementwiseParallel.Run(x is null ? default : x.Span<T>(), y is null ? default : y.Span<T>(), g.Span<T>(), dx.Span<T>(),
                new BackwardChunk<TOp, T>(op), TOp.Cost);
    }

    /// <summary>The forward pass on a block of elements: a = x.</summary>
    private readonly struct ForwardChunk<TOp, T>(TOp op) : IElementwiseChunk<T>
        where TOp : struct, IUnaryOp
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> destination) => op.Forward(a, destination);
    }

    /// <summary>The VJP on a block of elements: a = x, b = y (each empty when not saved), c = g.</summary>
    private readonly struct BackwardChunk<TOp, T>(TOp op) : IElementwiseChunk<T>
        where TOp : struct, IUnaryOp
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> destination) => op.Backward(a, b, c, destination);
    }

    /// <summary>Saves x and/or y, as the op declares.</summary>
    private sealed class UnaryEntry<TOp> : TapeEntry
        where TOp : struct, IUnaryOp
    {
        private readonly TOp _op;

        public UnaryEntry(TOp op, Tensor x, Tensor y)
            : base(op.Name, x)
        {
            _op = op;
            if (op.SavesInput)
            {
                Save(x);
            }

            if (op.SavesOutput)
            {
                Save(y);
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor? x = _op.SavesInput ? Saved(0) : null;
            Tensor? y = _op.SavesOutput ? Saved(_op.SavesInput ? 1 : 0) : null;
            if (context.CreateGraph)
            {
                inputGrads[0] = _op.BackwardGraph(x, y, gradOutput);
                return;
            }

            // In place when the backward pass says gradOutput is ours alone (every Backward allows dx = g).
            Tensor dx = context.CanOverwriteGradOutput ? gradOutput : Tensor.Empty(gradOutput.ShapeArray, gradOutput.DType);
            DTypeDispatch.Float(gradOutput.DType, new BackwardKernel<TOp>(_op, x, y, gradOutput, dx));
            inputGrads[0] = dx;
        }
    }
}
