using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Autograd.Optim;

/// <summary>
/// Adagrad, PyTorch's <c>torch.optim.Adagrad</c>. Each parameter's sum of squared gradients starts at
/// <c>initialAccumulatorValue</c> (at construction, so the state dict lists it before any step, as PyTorch's).
/// Per step t, with g the gradient (negated when maximising): <c>g = g + weightDecay·p</c>;
/// <c>clr = lr / (1 + (t − 1)·lrDecay)</c>; <c>sum = sum + g²</c>; <c>p = p − clr · g / (√sum + eps)</c>.
/// Every option can be set per <see cref="ParamGroup"/>; a group's own initial accumulator value is used for
/// its parameters (PyTorch 1.13 uses the constructor's for every group).
/// </summary>
public sealed class Adagrad : Optimizer
{
    private static readonly string[] _stateNames = ["sum"];

    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="lrDecay">Learning-rate decay per step, ≥ 0.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient, ≥ 0.</param>
    /// <param name="initialAccumulatorValue">Starting value of the sums of squared gradients, ≥ 0.</param>
    /// <param name="eps">Added to the denominator for stability, ≥ 0.</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative or NaN.</exception>
    [OverloadResolutionPriority(1)]
    public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
        : base(parameters, DefaultOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize))
    {
    }

    /// <summary>Creates the optimizer over parameter groups; the arguments are the defaults of the options a group leaves unset.</summary>
    /// <param name="paramGroups">The parameter groups.</param>
    /// <param name="lr">Default learning rate, ≥ 0.</param>
    /// <param name="lrDecay">Default learning-rate decay, ≥ 0.</param>
    /// <param name="weightDecay">Default L2 penalty, ≥ 0.</param>
    /// <param name="initialAccumulatorValue">Default starting value of the sums, ≥ 0.</param>
    /// <param name="eps">Default stability term, ≥ 0.</param>
    /// <param name="maximize">Default for maximising.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative or NaN.</exception>
    /// <exception cref="ArgumentException">A bad group, or a group option Adagrad does not have.</exception>
    public Adagrad(IEnumerable<ParamGroup> paramGroups, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
        : base(paramGroups, DefaultOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize))
    {
    }

    /// <summary>Default learning-rate decay per step.</summary>
    public double LrDecay => Defaults.LrDecay!.Value;

    /// <summary>Default L2 penalty coefficient.</summary>
    public double WeightDecay => Defaults.WeightDecay!.Value;

    /// <summary>Default starting value of the sums of squared gradients.</summary>
    public double InitialAccumulatorValue => Defaults.InitialAccumulatorValue!.Value;

    /// <summary>Default stability term of the denominator.</summary>
    public double Eps => Defaults.Eps!.Value;

    /// <summary>Whether maximising is the default.</summary>
    public bool Maximize => Defaults.Maximize!.Value;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames => _stateNames;

    /// <inheritdoc/>
    protected override bool CountsSteps => true;

    /// <inheritdoc/>
    protected override void InitializeState(int index, ParamGroup group)
    {
        if (Parameters[index].DType == DType.Float32)
        {
            CreateSum<float>(index, group);
        }
        else
        {
            CreateSum<double>(index, group);
        }
    }

    /// <inheritdoc/>
    protected override void Update<T>(int index, ParamGroup group, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        var step = AdvanceStep(index);
        var n = parameter.Length;
        var weightDecay = group.WeightDecay!.Value;
        if (weightDecay != 0)
        {
            var decayed = Scratch<T>(0, n);
            TensorPrimitives.MultiplyAdd(parameter, T.CreateChecked(weightDecay), gradient, decayed);
            gradient = decayed;
        }

        var clr = group.LearningRate!.Value / (1 + ((step - 1) * group.LrDecay!.Value));

        // sum = sum + g·g;  p = p − clr · g / (√sum + eps)
        var sum = StateBuffer<T>(index, 0) ?? CreateSum<T>(index, group);
        TensorPrimitives.MultiplyAdd(gradient, gradient, sum, sum);
        var work = Scratch<T>(1, n);
        TensorPrimitives.Sqrt<T>(sum, work);
        TensorPrimitives.Add(work, T.CreateChecked(group.Eps!.Value), work);
        TensorPrimitives.Divide(gradient, work, work);
        TensorPrimitives.MultiplyAdd(work, T.CreateChecked(-clr), parameter, parameter);
    }

    private T[] CreateSum<T>(int index, ParamGroup group)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var sum = CreateStateBuffer<T>(index, 0);
        sum.AsSpan().Fill(T.CreateChecked(group.InitialAccumulatorValue!.Value));
        return sum;
    }

    private static ParamGroup DefaultOptions(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
        double eps, bool maximize)
    {
        CheckNonNegative(lr, nameof(lr), "learning rate");
        CheckNonNegative(lrDecay, nameof(lrDecay), "lr_decay value");
        CheckNonNegative(weightDecay, nameof(weightDecay), "weight_decay value");
        CheckNonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue), "initial_accumulator_value value");
        CheckNonNegative(eps, nameof(eps), "epsilon value");
        return new ParamGroup([])
        {
            LearningRate = lr,
            LrDecay = lrDecay,
            Eps = eps,
            WeightDecay = weightDecay,
            InitialAccumulatorValue = initialAccumulatorValue,
            Maximize = maximize,
        };
    }
}
