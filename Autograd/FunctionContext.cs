namespace Autograd;

/// <summary>
/// What one <see cref="Function.Apply"/> call passes from its forward pass to its backward pass (PyTorch's
/// <c>ctx</c>): the tensors saved for the gradient, and which inputs need one.
/// </summary>
public sealed class FunctionContext
{
    private readonly string _functionName;
    private readonly bool[] _forwardNeeds;
    private bool[]? _backwardNeeds;   // set while Backward runs: what the current pass asks for
    private Tensor[] _saved = [];
    private int[] _savedVersions = [];
    private IReadOnlyList<Tensor> _savedView = [];
    private Phase _phase = Phase.Forward;

    internal FunctionContext(string functionName, Tensor[] inputs, bool gradEnabled)
    {
        _functionName = functionName;
        _forwardNeeds = new bool[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            _forwardNeeds[i] = gradEnabled && inputs[i].RequiresGrad;
        }
    }

    private enum Phase
    {
        Forward,
        Recorded,
        Backward,
        Released,
    }

    /// <summary>
    /// The tensors passed to <see cref="SaveForBackward"/>, in order. When one of them is the tensor Forward
    /// returned, Backward sees the recorded output instead (same values), so that a second-order pass flows through it.
    /// </summary>
    /// <exception cref="InvalidOperationException">A Backward without retainGraph already released them.</exception>
    public IReadOnlyList<Tensor> SavedTensors
    {
        get
        {
            if (_phase == Phase.Released)
            {
                throw new InvalidOperationException(
                    $"{_functionName}: the saved tensors were released by an earlier Backward. Call "
                    + "Backward(retainGraph: true) the first time to back-propagate through the function again.");
            }

            return _savedView;
        }
    }

    /// <summary>
    /// Saves tensors for <see cref="Function.Backward"/> (inputs, the output, or intermediates), remembering their
    /// versions: if one is then modified in place, the Backward that would read it throws instead. Call it once,
    /// from Forward.
    /// </summary>
    /// <param name="tensors">The tensors to save; none may be null.</param>
    /// <exception cref="InvalidOperationException">Called outside Forward, or a second time.</exception>
    public void SaveForBackward(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (_phase != Phase.Forward)
        {
            throw new InvalidOperationException(
                $"{_functionName}: SaveForBackward can only be called from Forward (the backward pass reads what "
                + "Forward saved).");
        }

        if (_saved.Length != 0)
        {
            throw new InvalidOperationException(
                $"{_functionName}: SaveForBackward was already called in this Forward; pass every tensor in one call.");
        }

        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i] is null)
            {
                throw new ArgumentNullException(nameof(tensors), $"{_functionName}.SaveForBackward: tensors[{i}] is null.");
            }
        }

        _saved = (Tensor[])tensors.Clone();
        _savedVersions = new int[_saved.Length];
        for (int i = 0; i < _saved.Length; i++)
        {
            _savedVersions[i] = _saved[i].Version;
        }

        _savedView = Array.AsReadOnly(_saved);
    }

    /// <summary>
    /// Whether input <paramref name="index"/> needs a gradient: during Backward, whether the current pass wants it
    /// (the input requires a gradient and still wants one); otherwise, whether it required one when
    /// <see cref="Function.Apply"/> ran with recording on. Lets Forward skip saving, and Backward skip computing,
    /// what no gradient will use.
    /// </summary>
    /// <param name="index">The input's position in the arguments of <see cref="Function.Apply"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not an input's position.</exception>
    public bool NeedsInputGrad(int index)
    {
        if ((uint)index >= (uint)_forwardNeeds.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index,
                $"{_functionName}: NeedsInputGrad({index}), but the function was applied to {_forwardNeeds.Length} input(s).");
        }

        return (_backwardNeeds ?? _forwardNeeds)[index];
    }

    /// <summary>The number of inputs the function was applied to.</summary>
    internal int InputCount => _forwardNeeds.Length;

    /// <summary>Forward has returned: nothing more can be saved.</summary>
    internal void EndForward() => _phase = Phase.Recorded;

    /// <summary>Replaces saved references to Forward's result with the output that Apply recorded.</summary>
    internal void ReplaceSaved(Tensor result, Tensor output)
    {
        for (int i = 0; i < _saved.Length; i++)
        {
            if (ReferenceEquals(_saved[i], result))
            {
                _saved[i] = output;   // same storage and version counter: the remembered version still holds
            }
        }
    }

    /// <summary>Throws the standard in-place error when a saved tensor changed since it was saved.</summary>
    internal void CheckSavedVersions()
    {
        for (int i = 0; i < _saved.Length; i++)
        {
            if (_saved[i].Version != _savedVersions[i])
            {
                throw SavedTensor.SavedTensorModified(_functionName, i, _saved[i], _savedVersions[i]);
            }
        }
    }

    /// <summary>Starts a Backward call, with the inputs the current pass asks gradients for.</summary>
    internal void BeginBackward(bool[] needsInputGrad)
    {
        _backwardNeeds = needsInputGrad;
        _phase = Phase.Backward;
    }

    /// <summary>Ends the Backward call begun by <see cref="BeginBackward"/>.</summary>
    internal void EndBackward()
    {
        _backwardNeeds = null;
        if (_phase == Phase.Backward)
        {
            _phase = Phase.Recorded;
        }
    }

    /// <summary>Drops the saved tensors, so that the graph's buffers can be collected.</summary>
    internal void Release()
    {
        _phase = Phase.Released;
        _saved = [];
        _savedVersions = [];
        _savedView = [];
        _backwardNeeds = null;
    }
}
