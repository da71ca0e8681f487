using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Autograd.Optim;

/// <summary>
/// RMSprop, PyTorch's <c>torch.optim.RMSprop</c>. Per step, with g the gradient (negated when maximising):
/// <c>g = g + weightDecay·p</c>; <c>s = α·s + (1−α)·g²</c>; centered: <c>ḡ = α·ḡ + (1−α)·g</c> and
/// <c>avg = √(s − ḡ²) + eps</c>, else <c>avg = √s + eps</c>; with momentum <c>buf = momentum·buf + g/avg</c> and
/// <c>p = p − lr·buf</c>, else <c>p = p − lr·g/avg</c>. Every option can be set per <see cref="ParamGroup"/>.
/// </summary>
public sealed class RMSprop : Optimizer
{
    private const int SquareAverage = 0;
    private const int MomentumBuffer = 1;
    private const int GradientAverage = 2;
    private static readonly string[] _stateNames = ["square_avg", "momentum_buffer", "grad_avg"];

    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="alpha">Smoothing constant of the squared-gradient average, ≥ 0.</param>
    /// <param name="eps">Added to the denominator for stability, ≥ 0.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient, ≥ 0.</param>
    /// <param name="momentum">Momentum factor, ≥ 0.</param>
    /// <param name="centered">Normalise by the estimated variance of the gradient instead of its second moment.</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative or NaN.</exception>
    [OverloadResolutionPriority(1)]
    public RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false, bool maximize = false)
        : base(parameters, DefaultOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize))
    {
    }

    /// <summary>Creates the optimizer over parameter groups; the arguments are the defaults of the options a group leaves unset.</summary>
    /// <param name="paramGroups">The parameter groups.</param>
    /// <param name="lr">Default learning rate, ≥ 0.</param>
    /// <param name="alpha">Default smoothing constant, ≥ 0.</param>
    /// <param name="eps">Default stability term, ≥ 0.</param>
    /// <param name="weightDecay">Default L2 penalty, ≥ 0.</param>
    /// <param name="momentum">Default momentum factor, ≥ 0.</param>
    /// <param name="centered">Default for centring.</param>
    /// <param name="maximize">Default for maximising.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative or NaN.</exception>
    /// <exception cref="ArgumentException">A bad group, or a group option RMSprop does not have.</exception>
    public RMSprop(IEnumerable<ParamGroup> paramGroups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false, bool maximize = false)
        : base(paramGroups, DefaultOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize))
    {
    }

    /// <summary>Default smoothing constant of the squared-gradient average.</summary>
    public double Alpha => Defaults.Alpha!.Value;

    /// <summary>Default stability term of the denominator.</summary>
    public double Eps => Defaults.Eps!.Value;

    /// <summary>Default L2 penalty coefficient.</summary>
    public double WeightDecay => Defaults.WeightDecay!.Value;

    /// <summary>Default momentum factor.</summary>
    public double Momentum => Defaults.Momentum!.Value;

    /// <summary>Whether centring is the default.</summary>
    public bool Centered => Defaults.Centered!.Value;

    /// <summary>Whether maximising is the default.</summary>
    public bool Maximize => Defaults.Maximize!.Value;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames => _stateNames;

    /// <inheritdoc/>
    protected override bool CountsSteps => true;

    /// <inheritdoc/>
    protected override void Update<T>(int index, ParamGroup group, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        AdvanceStep(index);
        var n = parameter.Length;
        var alpha = group.Alpha!.Value;
        var weightDecay = group.WeightDecay!.Value;
        var momentum = group.Momentum!.Value;
        if (weightDecay != 0)
        {
            var decayed = Scratch<T>(0, n);
            TensorPrimitives.MultiplyAdd(parameter, T.CreateChecked(weightDecay), gradient, decayed);
            gradient = decayed;
        }

        // s = α·s + (1−α)·g·g, as PyTorch's square_avg.mul_(alpha).addcmul_(g, g, value=1-alpha)
        var squareAverage = StateBuffer<T>(index, SquareAverage) ?? CreateStateBuffer<T>(index, SquareAverage);
        var average = Scratch<T>(1, n);
        TensorPrimitives.Multiply(squareAverage, T.CreateChecked(alpha), squareAverage);
        TensorPrimitives.Multiply(gradient, T.CreateChecked(1 - alpha), average);
        TensorPrimitives.MultiplyAdd(average, gradient, squareAverage, squareAverage);

        if (group.Centered == true)
        {
            // ḡ = α·ḡ + (1−α)·g;  avg = √(s − ḡ·ḡ)
            var gradientAverage = StateBuffer<T>(index, GradientAverage) ?? CreateStateBuffer<T>(index, GradientAverage);
            TensorPrimitives.Multiply(gradientAverage, T.CreateChecked(alpha), gradientAverage);
            TensorPrimitives.MultiplyAdd(gradient, T.CreateChecked(1 - alpha), gradientAverage, gradientAverage);
            TensorPrimitives.Multiply(gradientAverage, gradientAverage, average);
            TensorPrimitives.Subtract(squareAverage, average, average);
            TensorPrimitives.Sqrt<T>(average, average);
        }
        else
        {
            TensorPrimitives.Sqrt<T>(squareAverage, average);
        }

        TensorPrimitives.Add(average, T.CreateChecked(group.Eps!.Value), average);
        TensorPrimitives.Divide(gradient, average, average);   // g / avg
        var learningRate = T.CreateChecked(-group.LearningRate!.Value);
        if (momentum > 0)
        {
            var buffer = StateBuffer<T>(index, MomentumBuffer) ?? CreateStateBuffer<T>(index, MomentumBuffer);
            TensorPrimitives.MultiplyAdd(buffer, T.CreateChecked(momentum), average, buffer);
            TensorPrimitives.MultiplyAdd(buffer, learningRate, parameter, parameter);
        }
        else
        {
            TensorPrimitives.MultiplyAdd(average, learningRate, parameter, parameter);
        }
    }

    private static ParamGroup DefaultOptions(double lr, double alpha, double eps, double weightDecay, double momentum,
        bool centered, bool maximize)
    {
        CheckNonNegative(lr, nameof(lr), "learning rate");
        CheckNonNegative(eps, nameof(eps), "epsilon value");
        CheckNonNegative(momentum, nameof(momentum), "momentum value");
        CheckNonNegative(weightDecay, nameof(weightDecay), "weight_decay value");
        CheckNonNegative(alpha, nameof(alpha), "alpha value");
        return new ParamGroup([])
        {
            LearningRate = lr,
            Momentum = momentum,
            Alpha = alpha,
            Eps = eps,
            Centered = centered,
            WeightDecay = weightDecay,
            Maximize = maximize,
        };
    }
}
