namespace Autograd.Tests.TestSupport;

/// <summary>
/// Test-only ops recorded through the real tape whose fast-path VJP breaks (or keeps) the gradient-buffer rule: a
/// built-in VJP must return new storage or a view of its incoming gradient, never storage something else owns.
/// Each op's forward is y = 2x (same shape); the VJP is the <see cref="Vjp"/> passed in, so one entry class covers
/// every misbehaviour. The entry saves its output, so that a VJP can return a saved tensor.
/// </summary>
internal static class MisbehavingOps
{
    /// <summary>The VJP of a misbehaving op: the gradient it returns for its only input.</summary>
    /// <param name="gradOutput">The incoming gradient.</param>
    /// <param name="input">The op's input (a tensor the VJP does not own).</param>
    /// <param name="saved">The op's saved output (a tensor the VJP does not own).</param>
    /// <param name="canOverwriteGradOutput">The engine's <see cref="BackwardContext.CanOverwriteGradOutput"/>.</param>
    public delegate Tensor? Vjp(Tensor gradOutput, Tensor input, Tensor saved, bool canOverwriteGradOutput);

    /// <summary>Returns the tensor it saved in the forward pass: storage it does not own.</summary>
    public static Tensor ReturnsSaved(Tensor x) => Record("ReturnsSaved", x, (_, _, saved, _) => saved);

    /// <summary>Returns its input tensor itself.</summary>
    public static Tensor ReturnsInput(Tensor x) => Record("ReturnsInput", x, (_, input, _, _) => input);

    /// <summary>Returns a new tensor object over its input's storage (Detach): still not storage it owns.</summary>
    public static Tensor ReturnsViewOfInput(Tensor x) => Record("ReturnsViewOfInput", x, (_, input, _, _) => input.Detach());

    /// <summary>Returns a tensor made before Backward (a cached constant the op keeps).</summary>
    public static Tensor ReturnsCachedTensor(Tensor x, Tensor cached) => Record("ReturnsCachedTensor", x, (_, _, _, _) => cached);

    /// <summary>Returns a gradient with one element too many.</summary>
    public static Tensor ReturnsWrongShape(Tensor x) =>
        Record("ReturnsWrongShape", x, (_, input, _, _) => Tensor.Zeros([input.Count + 1], input.DType));

    /// <summary>Returns a gradient of the other floating-point dtype.</summary>
    public static Tensor ReturnsWrongDType(Tensor x) =>
        Record("ReturnsWrongDType", x, (_, input, _, _) =>
            Tensor.Zeros(input.Shape, input.DType == DType.Float32 ? DType.Float64 : DType.Float32));

    /// <summary>Correct: 2g as new storage.</summary>
    public static Tensor ReturnsNewStorage(Tensor x) => Record("ReturnsNewStorage", x, (g, _, _, _) => g * 2.0);

    /// <summary>Correct: 2g written over gradOutput when the engine allows it, else new storage.</summary>
    public static Tensor OverwritesGradOutputWhenAllowed(Tensor x) => Record("OverwritesGradOutputWhenAllowed", x, (g, _, _, canOverwrite) =>
    {
        Tensor dx = canOverwrite ? g : Tensor.Zeros(g.Shape, g.DType);
        if (dx.DType == DType.Float32)
        {
            float[] source = g.Data<float>(), destination = dx.Data<float>();
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = 2 * source[i];
            }
        }
        else
        {
            double[] source = g.Data<double>(), destination = dx.Data<double>();
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = 2 * source[i];
            }
        }

        return dx;
    });

    /// <summary>
    /// Identity forward (y = x, a copy) whose VJP returns the incoming gradient itself: correct (a view of
    /// gradOutput), the engine must then treat the result as shared.
    /// </summary>
    public static Tensor ReturnsGradOutputItself(Tensor x) =>
        Record("ReturnsGradOutputItself", x, (g, _, _, _) => g, scale: 1);

    /// <summary>
    /// Forward: x flattened to one dimension (a copy); VJP: a view of gradOutput with the input's shape. Correct.
    /// </summary>
    public static Tensor FlattenReturningAView(Tensor x)
    {
        Tensor output;
        using (Tape.NoGrad())
        {
            output = Tensor.View(x * 1.0, [x.Count]);
        }

        if (Tape.IsGradEnabled && x.RequiresGrad)
        {
            output.SetGradFn(new Entry("FlattenReturningAView", x, output, (g, input, _, _) => Tensor.View(g, input.ShapeArray)));
        }

        return output;
    }

    private static Tensor Record(string name, Tensor x, Vjp vjp, double scale = 2)
    {
        Tensor output;
        using (Tape.NoGrad())
        {
            output = x * scale;
        }

        if (Tape.IsGradEnabled && x.RequiresGrad)
        {
            output.SetGradFn(new Entry(name, x, output, vjp));
        }

        return output;
    }

    private sealed class Entry : TapeEntry
    {
        private readonly Vjp _vjp;

        public Entry(string name, Tensor x, Tensor output, Vjp vjp)
            : base(name, x)
        {
            _vjp = vjp;
            Save(output);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            if (context.NeedsInputGrad(0))
            {
                inputGrads[0] = _vjp(gradOutput, Inputs[0]!, Saved(0), context.CanOverwriteGradOutput);
            }
        }
    }
}
