namespace Autograd;

/// <summary>
/// The tape entry of one <see cref="Function.Apply"/> call: its backward pass is the user's
/// <see cref="Function.Backward"/>, whose results are checked (count, shapes, dtypes) before the engine uses them.
/// </summary>
/// <remarks>
/// The user's gradients may be anything the user holds (gradOutput itself, a saved tensor, a cached constant), so
/// the entry does not own its results: the engine copies before it ever writes into one.
/// </remarks>
internal sealed class FunctionEntry : TapeEntry
{
    private readonly Function _function;
    private readonly FunctionContext _context;

    public FunctionEntry(Function function, FunctionContext context, Tensor[] inputs)
        : base(function.GetType().Name, inputs)
    {
        _function = function;
        _context = context;
        OwnsResults = false;
        KeepsOtherSavedTensors = true;
    }

    private protected override void CheckMoreSavedVersions() => _context.CheckSavedVersions();

    internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
    {
        var needs = new bool[InputCount];
        for (int i = 0; i < needs.Length; i++)
        {
            needs[i] = context.NeedsInputGrad(i);
        }

        Tensor?[]? grads;
        _context.BeginBackward(needs);
        try
        {
            grads = _function.RunBackward(_context, gradOutput);
        }
        finally
        {
            _context.EndBackward();
        }

        if (grads is null || grads.Length != InputCount)
        {
            throw new InvalidOperationException(
                $"{Name}.Backward returned {(grads is null ? "null" : $"{grads.Length} gradient(s)")}; it must return "
                + $"exactly one per input: {InputCount} (null for an input without a gradient).");
        }

        ReadOnlySpan<Tensor?> inputs = Inputs;
        for (int i = 0; i < needs.Length; i++)
        {
            if (!needs[i] || grads[i] is not { } grad)
            {
                continue;   // not asked for (ignored, as PyTorch), or null: zero
            }

            Tensor input = inputs[i]!;
            if (grad.DType != input.DType || !grad.ShapeSpan.SequenceEqual(input.ShapeSpan))
            {
                throw new InvalidOperationException(
                    $"{Name}.Backward returned a gradient for input {i} of {ShapeText.Format(grad.ShapeSpan)} "
                    + $"{grad.DType}; the input is {ShapeText.Format(input.ShapeSpan)} {input.DType}, and its "
                    + "gradient must have the same shape and dtype (sum over broadcast axes yourself).");
            }

            inputGrads[i] = grad;
        }
    }

    protected override void ReleaseSaved() => _context.Release();
}
