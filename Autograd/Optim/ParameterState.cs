namespace Autograd.Optim;

/// <summary>
/// One parameter's entry in <see cref="OptimizerStateDict.State"/>, PyTorch's <c>state[i]</c>: the buffers under
/// PyTorch's names (<c>momentum_buffer</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c>,
/// <c>square_avg</c>, <c>grad_avg</c>, <c>sum</c>), each of the parameter's shape and dtype, and the scalars
/// (<c>step</c>).
/// </summary>
public sealed class ParameterState
{
    /// <summary>Wraps the buffers and scalars of one parameter.</summary>
    /// <param name="tensors">Buffers by name.</param>
    /// <param name="scalars">Scalars by name.</param>
    public ParameterState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(scalars);
        Tensors = tensors;
        Scalars = scalars;
    }

    /// <summary>The buffers, by PyTorch's names.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The scalars, by PyTorch's names (<c>step</c>, for the optimizers that count steps).</summary>
    public IReadOnlyDictionary<string, double> Scalars { get; }
}
