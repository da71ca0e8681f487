using System.Numerics;

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
}

/// <summary>Runs unary ops forward and records their entries.</summary>
internal static class Unary
{
    public static Tensor Apply<TOp>(Tensor x, TOp op)
        where TOp : struct, IUnaryOp
    {
        OpChecks.NotNull(x, op.Name, "x");
        Tensor y = Tensor.Empty(x.ShapeArray, x.DType);
        if (x.DType == DType.Float32)
        {
            op.Forward<float>(x.Span<float>(), y.Span<float>());
        }
        else
        {
            op.Forward<double>(x.Span<double>(), y.Span<double>());
        }

        if (Tape.ShouldRecord(x))
        {
            y.SetGradFn(new UnaryEntry<TOp>(op, x, y));
        }

        return y;
    }

    private sealed class UnaryEntry<TOp>(TOp op, Tensor x, Tensor y) : TapeEntry(op.Name, x)
        where TOp : struct, IUnaryOp
    {
        private Array? _x = op.SavesInput ? x.Storage : null;
        private Array? _y = op.SavesOutput ? y.Storage : null;

        internal override Tensor Vjp(int index, Tensor gradOutput)
        {
            // In place when the backward pass says gradOutput is ours alone (every Backward allows dx = g).
            Tensor dx = CanOverwriteGradOutput ? gradOutput : Tensor.Empty(gradOutput.ShapeArray, gradOutput.DType);
            if (gradOutput.DType == DType.Float32)
            {
                op.Backward<float>(_x as float[], _y as float[], gradOutput.Span<float>(), dx.Span<float>());
            }
            else
            {
                op.Backward<double>(_x as double[], _y as double[], gradOutput.Span<double>(), dx.Span<double>());
            }

            return dx;
        }

        protected override void ReleaseSaved() => (_x, _y) = (null, null);
    }
}
