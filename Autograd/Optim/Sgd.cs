using System.Numerics.Tensors;

namespace Autograd.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// PyTorch's <c>torch.optim.SGD</c> with dampening 0. Per step, with g the gradient:
/// <c>d = g + weightDecay·p</c>; with momentum, <c>buf = d</c> on the first step and
/// <c>buf = momentum·buf + d</c> after, then <c>d = d + momentum·buf</c> (Nesterov) or
/// <c>d = buf</c>; finally <c>p = p − lr·d</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly Array?[] _momentumBuffers;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="momentum">Momentum factor, ≥ 0.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient, ≥ 0.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs momentum &gt; 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative or NaN.</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum, or a bad parameter list.</exception>
    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, CheckedLearningRate(lr))
    {
        CheckNonNegative(momentum, nameof(momentum), "momentum value");
        CheckNonNegative(weightDecay, nameof(weightDecay), "weight decay value");
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException("Nesterov momentum requires a momentum (and zero dampening).", nameof(nesterov));
        }

        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        _momentumBuffers = new Array?[Parameters.Count];
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>L2 penalty coefficient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update<T>(int index, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        ReadOnlySpan<T> direction = gradient;
        if (WeightDecay != 0)
        {
            var decayed = Scratch<T>(0, parameter.Length);
            TensorPrimitives.MultiplyAdd(parameter, T.CreateChecked(WeightDecay), gradient, decayed);
            direction = decayed;
        }

        if (Momentum != 0)
        {
            var momentum = T.CreateChecked(Momentum);
            if (_momentumBuffers[index] is not T[] buffer)
            {
                buffer = direction.ToArray();
                _momentumBuffers[index] = buffer;
            }
            else
            {
                TensorPrimitives.MultiplyAdd(buffer, momentum, direction, buffer);
            }

            if (Nesterov)
            {
                var look = Scratch<T>(0, parameter.Length);
                TensorPrimitives.MultiplyAdd(buffer, momentum, direction, look);
                direction = look;
            }
            else
            {
                direction = buffer;
            }
        }

        TensorPrimitives.MultiplyAdd(direction, T.CreateChecked(-LearningRate), parameter, parameter);
    }

    private static double CheckedLearningRate(double lr)
    {
        CheckNonNegative(lr, nameof(lr), "learning rate");
        return lr;
    }
}
