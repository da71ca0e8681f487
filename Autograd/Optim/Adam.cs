using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Autograd.Optim;

/// <summary>
/// Adam, PyTorch's <c>torch.optim.Adam</c> (weight decay as an L2 term added to the gradient).
/// Per step t, with g the gradient (negated when maximising): <c>g = g + weightDecay·p</c>;
/// <c>m = β1·m + (1−β1)·g</c>; <c>v = β2·v + (1−β2)·g²</c>; with AMSGrad <c>v̂ = max(v̂, v)</c> replaces v below;
/// <c>denom = √v / √(1−β2ᵗ) + eps</c>; <c>p = p − lr/(1−β1ᵗ) · m / denom</c>. Every option can be set per
/// <see cref="ParamGroup"/>.
/// </summary>
public class Adam : Optimizer
{
    private static readonly string[] _stateNames = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];
    private readonly bool _decoupledWeightDecay;

    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="beta1">Decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">Decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">Added to the denominator for stability, ≥ 0.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient, ≥ 0.</param>
    /// <param name="amsgrad">Use the AMSGrad variant (the running maximum of the second moment).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range or NaN.</exception>
    [OverloadResolutionPriority(1)]
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(parameters, DefaultOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize), decoupledWeightDecay: false)
    {
    }

    /// <summary>Creates the optimizer over parameter groups; the arguments are the defaults of the options a group leaves unset.</summary>
    /// <param name="paramGroups">The parameter groups.</param>
    /// <param name="lr">Default learning rate, ≥ 0.</param>
    /// <param name="beta1">Default decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">Default decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">Default stability term, ≥ 0.</param>
    /// <param name="weightDecay">Default L2 penalty, ≥ 0.</param>
    /// <param name="amsgrad">Default for AMSGrad.</param>
    /// <param name="maximize">Default for maximising.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range or NaN.</exception>
    /// <exception cref="ArgumentException">A bad group, or a group option Adam does not have.</exception>
    public Adam(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(paramGroups, DefaultOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize), decoupledWeightDecay: false)
    {
    }

    /// <summary>Creates the optimizer with L2 (false) or decoupled (true, AdamW) weight decay.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="defaults">The default options.</param>
    /// <param name="decoupledWeightDecay">Decay the parameter directly (<c>p *= 1 − lr·weightDecay</c>) instead of adding to the gradient.</param>
    private protected Adam(IEnumerable<Tensor> parameters, ParamGroup defaults, bool decoupledWeightDecay)
        : base(parameters, defaults)
    {
        _decoupledWeightDecay = decoupledWeightDecay;
    }

    /// <summary>Creates the optimizer over groups with L2 (false) or decoupled (true, AdamW) weight decay.</summary>
    /// <param name="paramGroups">The parameter groups.</param>
    /// <param name="defaults">The default options.</param>
    /// <param name="decoupledWeightDecay">Decay the parameter directly instead of adding to the gradient.</param>
    private protected Adam(IEnumerable<ParamGroup> paramGroups, ParamGroup defaults, bool decoupledWeightDecay)
        : base(paramGroups, defaults)
    {
        _decoupledWeightDecay = decoupledWeightDecay;
    }

    /// <summary>Default decay of the first-moment average.</summary>
    public double Beta1 => Defaults.Betas!.Value.Beta1;

    /// <summary>Default decay of the second-moment average.</summary>
    public double Beta2 => Defaults.Betas!.Value.Beta2;

    /// <summary>Default stability term of the denominator.</summary>
    public double Eps => Defaults.Eps!.Value;

    /// <summary>Default weight decay coefficient.</summary>
    public double WeightDecay => Defaults.WeightDecay!.Value;

    /// <summary>Whether AMSGrad is the default.</summary>
    public bool Amsgrad => Defaults.Amsgrad!.Value;

    /// <summary>Whether maximising is the default.</summary>
    public bool Maximize => Defaults.Maximize!.Value;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames => _stateNames;

    /// <inheritdoc/>
    protected override bool CountsSteps => true;

    /// <summary>The default options, checked in PyTorch's order.</summary>
    private protected static ParamGroup DefaultOptions(double lr, double beta1, double beta2, double eps, double weightDecay,
        bool amsgrad, bool maximize)
    {
        CheckNonNegative(lr, nameof(lr), "learning rate");
        CheckNonNegative(eps, nameof(eps), "epsilon value");
        HyperParameter.Beta(beta1, nameof(beta1));
        HyperParameter.Beta(beta2, nameof(beta2));
        CheckNonNegative(weightDecay, nameof(weightDecay), "weight_decay value");
        return new ParamGroup([])
        {
            LearningRate = lr,
            Betas = (beta1, beta2),
            Eps = eps,
            WeightDecay = weightDecay,
            Amsgrad = amsgrad,
            Maximize = maximize,
        };
    }

    /// <inheritdoc/>
    protected override void Update<T>(int index, ParamGroup group, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        var step = AdvanceStep(index);
        var n = parameter.Length;
        var m = StateBuffer<T>(index, 0) ?? CreateStateBuffer<T>(index, 0);
        var v = StateBuffer<T>(index, 1) ?? CreateStateBuffer<T>(index, 1);
        var learningRate = group.LearningRate!.Value;
        var (beta1, beta2) = group.Betas!.Value;
        var weightDecay = group.WeightDecay!.Value;

        if (_decoupledWeightDecay)
        {
            if (weightDecay != 0)
            {
                TensorPrimitives.Multiply(parameter, T.CreateChecked(1 - (learningRate * weightDecay)), parameter);
            }
        }
        else if (weightDecay != 0)
        {
            var decayed = Scratch<T>(0, n);
            TensorPrimitives.MultiplyAdd(parameter, T.CreateChecked(weightDecay), gradient, decayed);
            gradient = decayed;
        }

        // m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g·g
        var work = Scratch<T>(1, n);
        TensorPrimitives.Multiply(m, T.CreateChecked(beta1), m);
        TensorPrimitives.MultiplyAdd(gradient, T.CreateChecked(1 - beta1), m, m);
        TensorPrimitives.Multiply(v, T.CreateChecked(beta2), v);
        TensorPrimitives.Multiply(gradient, T.CreateChecked(1 - beta2), work);
        TensorPrimitives.MultiplyAdd(work, gradient, v, v);

        ReadOnlySpan<T> second = v;
        if (group.Amsgrad == true)
        {
            var maximum = StateBuffer<T>(index, 2) ?? CreateStateBuffer<T>(index, 2);
            TensorPrimitives.Max(maximum, v, maximum);
            second = maximum;
        }

        var biasCorrection1 = 1 - Math.Pow(beta1, step);
        var biasCorrection2 = 1 - Math.Pow(beta2, step);
        var stepSize = learningRate / biasCorrection1;

        // p = p − stepSize · m / (√v / √bc2 + eps)
        TensorPrimitives.Sqrt(second, work);
        TensorPrimitives.Divide(work, T.CreateChecked(Math.Sqrt(biasCorrection2)), work);
        TensorPrimitives.Add(work, T.CreateChecked(group.Eps!.Value), work);
        TensorPrimitives.Divide(m, work, work);
        TensorPrimitives.MultiplyAdd(work, T.CreateChecked(-stepSize), parameter, parameter);
    }
}
