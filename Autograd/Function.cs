namespace Autograd;

/// <summary>
/// A differentiable function with a hand-written backward pass (PyTorch's <c>torch.autograd.Function</c>): subclass
/// it, implement <see cref="Forward"/> and <see cref="Backward"/>, and call <see cref="Apply"/>. The whole function is
/// one entry on the tape, so its forward pass may use anything (numerically stable formulas, raw arrays, ops that
/// have no derivative) and its backward pass says what the gradient is.
/// </summary>
/// <remarks>
/// A function object holds no per-call state: every <see cref="Apply"/> gets its own <see cref="FunctionContext"/>,
/// so one instance can be applied many times, from several threads. See <c>docs/FUNCTIONS.md</c>.
/// </remarks>
public abstract class Function
{
    /// <summary>
    /// Runs <see cref="Forward"/> with recording off and, when an input requires a gradient and recording is on,
    /// records one tape entry whose backward pass is <see cref="Backward"/>. Returns a new tensor (never one of the
    /// inputs, even when Forward returns one: inputs stay leaves); it requires a gradient exactly when an entry was
    /// recorded.
    /// </summary>
    /// <param name="inputs">The function's inputs; none may be null.</param>
    /// <exception cref="ArgumentNullException">The array or one of its elements is null.</exception>
    /// <exception cref="InvalidOperationException">Forward returned null.</exception>
    public Tensor Apply(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string name = GetType().Name;
        Tensor[] recorded = (Tensor[])inputs.Clone();   // Forward may reassign elements of the array it is given
        for (int i = 0; i < recorded.Length; i++)
        {
            if (recorded[i] is null)
            {
                throw new ArgumentNullException(nameof(inputs), $"{name}.Apply: inputs[{i}] is null.");
            }
        }

        var context = new FunctionContext(name, recorded, Tape.IsGradEnabled);
        Tensor? result;
        Tape.EnterNoGrad();
        try
        {
            result = Forward(context, inputs);
        }
        finally
        {
            Tape.ExitNoGrad();
            context.EndForward();
        }

        if (result is null)
        {
            throw new InvalidOperationException($"{name}.Forward returned null; it must return the output tensor.");
        }

        // Always a new tensor over the result's storage: SetGradFn must not turn an input, a parameter or a constant
        // the user keeps into the output of this entry (the view shares the version counter, so in-place checks hold).
        Tensor output = Tensor.View(result, result.ShapeArray);
        if (!Tape.ShouldRecord(name, output, recorded))
        {
            return output;
        }

        if (Array.IndexOf(recorded, result) < 0)
        {
            context.ReplaceSaved(result, output);   // a saved output must be the recorded one, for double backward
        }

        output.SetGradFn(new FunctionEntry(this, context, recorded));
        return output;
    }

    /// <summary>
    /// Computes the output from <paramref name="inputs"/>. Runs with recording off; save what <see cref="Backward"/>
    /// needs with <see cref="FunctionContext.SaveForBackward"/>.
    /// </summary>
    /// <param name="ctx">This call's context.</param>
    /// <param name="inputs">The tensors passed to <see cref="Apply"/>.</param>
    protected abstract Tensor Forward(FunctionContext ctx, Tensor[] inputs);

    /// <summary>
    /// The vector-Jacobian product: given d(loss)/d(output), returns d(loss)/d(input i) for every input, in order
    /// (exactly as many elements as there were inputs; null means zero; elements for inputs that need no gradient,
    /// see <see cref="FunctionContext.NeedsInputGrad"/>, are ignored). Each gradient must have its input's shape and
    /// dtype. Runs with recording on when the backward pass creates a graph (createGraph), so Tensor ops on
    /// <paramref name="gradOutput"/> and the saved tensors are differentiable again; otherwise recording is off.
    /// </summary>
    /// <param name="ctx">The context of the <see cref="Apply"/> call that produced the output.</param>
    /// <param name="gradOutput">d(loss)/d(output), of the output's shape and dtype. Do not modify it in place.</param>
    protected abstract Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput);

    /// <summary>Calls the user's <see cref="Backward"/> (for <see cref="FunctionEntry"/>).</summary>
    internal Tensor?[] RunBackward(FunctionContext ctx, Tensor gradOutput) => Backward(ctx, gradOutput);
}
