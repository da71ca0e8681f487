using System.Numerics;
using System.Runtime.InteropServices;

namespace Autograd.Optim;

/// <summary>
/// Base class of the optimizers, PyTorch's <c>torch.optim.Optimizer</c> with one parameter group:
/// <see cref="ZeroGrad"/> clears the gradients, <see cref="Step"/> updates every parameter that has
/// a gradient, in place on its storage and without recording on the tape.
/// </summary>
public abstract class Optimizer
{
    private double _learningRate;
    private float[] _scratchFloat = [];
    private double[] _scratchDouble = [];

    /// <summary>Takes the parameters to optimise.</summary>
    /// <param name="parameters">Leaf tensors, each once (e.g. <c>module.Parameters()</c>).</param>
    /// <param name="learningRate">The initial learning rate, ≥ 0.</param>
    /// <exception cref="ArgumentException">The list is empty, or holds null, a non-leaf tensor or a tensor twice.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameters));
        }

        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"Parameter {i} is null.", nameof(parameters));
            }

            if (!list[i].IsLeaf)
            {
                throw new ArgumentException($"Cannot optimize a non-leaf tensor (parameter {i}).", nameof(parameters));
            }

            if (!seen.Add(list[i]))
            {
                throw new ArgumentException($"Parameter {i} appears more than once.", nameof(parameters));
            }
        }

        Parameters = list;
        LearningRate = learningRate;
    }

    /// <summary>The parameters being optimised, in the order given.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The learning rate used by the next <see cref="Step"/> (schedules set it).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0))
            {
                throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "Invalid learning rate: it must be >= 0.");
            }

            _learningRate = value;
        }
    }

    /// <summary>Sets every parameter's gradient to null, as PyTorch's <c>zero_grad(set_to_none=True)</c>.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters)
        {
            parameter.ZeroGrad();
        }
    }

    /// <summary>Performs one update of every parameter whose gradient is not null.</summary>
    public void Step()
    {
        using (Tape.NoGrad())
        {
            for (var i = 0; i < Parameters.Count; i++)
            {
                var parameter = Parameters[i];
                if (parameter.Grad is not { } gradient)
                {
                    continue;
                }

                if (gradient.Count != parameter.Count || gradient.DType != parameter.DType)
                {
                    throw new InvalidOperationException(
                        $"Parameter {i}: its gradient ({gradient.DType}, {gradient.Count} elements) does not match it ({parameter.DType}, {parameter.Count} elements).");
                }

                DTypeDispatch.Float(parameter.DType, new UpdateAction(this, i, parameter, gradient));

                parameter.BumpVersion();   // a graph that saved the old values must refuse to back-propagate
            }
        }
    }

    /// <summary>Calls <see cref="Update{T}"/> with the parameter's element type.</summary>
    private readonly struct UpdateAction(Optimizer optimizer, int index, Tensor parameter, Tensor gradient) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            optimizer.Update(index, parameter.Span<T>(), gradient.Span<T>());
    }

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient.</summary>
    /// <typeparam name="T">float or double, the parameter's element type.</typeparam>
    /// <param name="index">Position of the parameter in <see cref="Parameters"/>, the key of its state.</param>
    /// <param name="parameter">The parameter's storage.</param>
    /// <param name="gradient">The gradient's storage.</param>
    protected abstract void Update<T>(int index, Span<T> parameter, ReadOnlySpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>A temporary buffer of <paramref name="length"/> elements, shared by all parameters of one element type.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="slot">0 or 1: two distinct buffers are available.</param>
    /// <param name="length">Number of elements.</param>
    /// <returns>The buffer; its contents are undefined.</returns>
    protected Span<T> Scratch<T>(int slot, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            if (_scratchFloat.Length < 2 * length)
            {
                _scratchFloat = new float[2 * length];
            }

            return MemoryMarshal.Cast<float, T>(_scratchFloat.AsSpan(slot * length, length));
        }

        if (_scratchDouble.Length < 2 * length)
        {
            _scratchDouble = new double[2 * length];
        }

        return MemoryMarshal.Cast<double, T>(_scratchDouble.AsSpan(slot * length, length));
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless <paramref name="value"/> ≥ 0.</summary>
    /// <param name="value">The hyper-parameter.</param>
    /// <param name="name">Its parameter name.</param>
    /// <param name="description">What it is, for the message.</param>
    protected static void CheckNonNegative(double value, string name, string description)
    {
        if (!(value >= 0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Invalid {description}: it must be >= 0.");
        }
    }
}
