using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Autograd.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay, PyTorch's
/// <c>torch.optim.SGD</c>. Per step, with g the gradient (negated when maximising): <c>d = g + weightDecay·p</c>;
/// with momentum, <c>buf = d</c> on the first step and <c>buf = momentum·buf + (1 − dampening)·d</c> after, then
/// <c>d = d + momentum·buf</c> (Nesterov) or <c>d = buf</c>; finally <c>p = p − lr·d</c>. Every option can be set
/// per <see cref="ParamGroup"/>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private static readonly string[] _stateNames = ["momentum_buffer"];

    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="momentum">Momentum factor, ≥ 0.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient, ≥ 0.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs momentum &gt; 0 and dampening 0).</param>
    /// <param name="dampening">Dampening of the momentum: the gradient enters the buffer scaled by 1 − dampening.</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative or NaN.</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum or with dampening, or a bad parameter list.</exception>
    [OverloadResolutionPriority(1)]
    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double weightDecay = 0, bool nesterov = false,
        double dampening = 0, bool maximize = false)
        : base(parameters, DefaultOptions(lr, momentum, weightDecay, nesterov, dampening, maximize))
    {
    }

    /// <summary>Creates the optimizer over parameter groups; the arguments are the defaults of the options a group leaves unset.</summary>
    /// <param name="paramGroups">The parameter groups.</param>
    /// <param name="lr">Default learning rate, ≥ 0.</param>
    /// <param name="momentum">Default momentum factor, ≥ 0.</param>
    /// <param name="weightDecay">Default L2 penalty, ≥ 0.</param>
    /// <param name="nesterov">Default for Nesterov momentum.</param>
    /// <param name="dampening">Default dampening of the momentum.</param>
    /// <param name="maximize">Default for maximising.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative or NaN.</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum or with dampening (in the defaults or a group),
    /// a bad group, or a group option SGD does not have.</exception>
    public Sgd(IEnumerable<ParamGroup> paramGroups, double lr, double momentum = 0, double weightDecay = 0,
        bool nesterov = false, double dampening = 0, bool maximize = false)
        : base(paramGroups, DefaultOptions(lr, momentum, weightDecay, nesterov, dampening, maximize))
    {
    }

    /// <summary>Default momentum factor.</summary>
    public double Momentum => Defaults.Momentum!.Value;

    /// <summary>Default L2 penalty coefficient.</summary>
    public double WeightDecay => Defaults.WeightDecay!.Value;

    /// <summary>Whether Nesterov momentum is the default.</summary>
    public bool Nesterov => Defaults.Nesterov!.Value;

    /// <summary>Default dampening of the momentum.</summary>
    public double Dampening => Defaults.Dampening!.Value;

    /// <summary>Whether maximising is the default.</summary>
    public bool Maximize => Defaults.Maximize!.Value;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames => _stateNames;

    /// <inheritdoc/>
    protected override void CheckParamGroup(ParamGroup group, int groupIndex)
    {
        if (group.Nesterov == true && (group.Momentum <= 0 || group.Dampening != 0))
        {
            throw new ArgumentException(
                $"Nesterov momentum requires a momentum and zero dampening (parameter group {groupIndex}: momentum {group.Momentum}, dampening {group.Dampening}).");
        }
    }

    /// <inheritdoc/>
    protected override void Update<T>(int index, ParamGroup group, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        var weightDecay = group.WeightDecay!.Value;
        var momentum = group.Momentum!.Value;
        ReadOnlySpan<T> direction = gradient;
        if (weightDecay != 0)
        {
            var decayed = Scratch<T>(0, parameter.Length);
            TensorPrimitives.MultiplyAdd(parameter, T.CreateChecked(weightDecay), gradient, decayed);
            direction = decayed;
        }

        if (momentum != 0)
        {
            var momentumT = T.CreateChecked(momentum);
            var dampening = group.Dampening!.Value;
            if (StateBuffer<T>(index, 0) is not { } buffer)
            {
                buffer = CreateStateBuffer<T>(index, 0);
                direction.CopyTo(buffer);
            }
            else if (dampening == 0)
            {
                TensorPrimitives.MultiplyAdd(buffer, momentumT, direction, buffer);
            }
            else
            {
                // PyTorch's buf.mul_(momentum).add_(d, alpha=1 - dampening): two roundings
                TensorPrimitives.Multiply(buffer, momentumT, buffer);
                TensorPrimitives.MultiplyAdd(direction, T.CreateChecked(1 - dampening), buffer, buffer);
            }

            if (group.Nesterov == true)
            {
                var look = Scratch<T>(0, parameter.Length);
                TensorPrimitives.MultiplyAdd(buffer, momentumT, direction, look);
                direction = look;
            }
            else
            {
                direction = buffer;
            }
        }

        TensorPrimitives.MultiplyAdd(direction, T.CreateChecked(-group.LearningRate!.Value), parameter, parameter);
    }

    private static ParamGroup DefaultOptions(double lr, double momentum, double weightDecay, bool nesterov, double dampening, bool maximize)
    {
        CheckNonNegative(lr, nameof(lr), "learning rate");
        CheckNonNegative(momentum, nameof(momentum), "momentum value");
        CheckNonNegative(weightDecay, nameof(weightDecay), "weight_decay value");
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException(
                $"Nesterov momentum requires a momentum and zero dampening (momentum {momentum}, dampening {dampening}).", nameof(nesterov));
        }

        return new ParamGroup([])
        {
            LearningRate = lr,
            Momentum = momentum,
            Dampening = dampening,
            WeightDecay = weightDecay,
            Nesterov = nesterov,
            Maximize = maximize,
        };
    }
}
