using System.Numerics.Tensors;

namespace Autograd.Optim;

/// <summary>
/// Adam, PyTorch's <c>torch.optim.Adam</c> (weight decay as an L2 term added to the gradient).
/// Per step t, with g the gradient: <c>g = g + weightDecay·p</c>; <c>m = β1·m + (1−β1)·g</c>;
/// <c>v = β2·v + (1−β2)·g²</c>; <c>denom = √v / √(1−β2ᵗ) + eps</c>;
/// <c>p = p − lr/(1−β1ᵗ) · m / denom</c>.
/// </summary>
public class Adam : Optimizer
{
    private readonly Array?[] _firstMoments;
    private readonly Array?[] _secondMoments;
    private readonly int[] _steps;
    private readonly bool _decoupledWeightDecay;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="beta1">Decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">Decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">Added to the denominator for stability, ≥ 0.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient, ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range or NaN.</exception>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0)
        : this(parameters, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay: false)
    {
    }

    /// <summary>Creates the optimizer with L2 (false) or decoupled (true, AdamW) weight decay.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="beta1">Decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">Decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">Added to the denominator for stability, ≥ 0.</param>
    /// <param name="weightDecay">Weight decay coefficient, ≥ 0.</param>
    /// <param name="decoupledWeightDecay">Decay the parameter directly (<c>p *= 1 − lr·weightDecay</c>) instead of adding to the gradient.</param>
    private protected Adam(IEnumerable<Tensor> parameters, double lr, double beta1, double beta2, double eps,
        double weightDecay, bool decoupledWeightDecay)
        : base(parameters, CheckedLearningRate(lr))
    {
        CheckNonNegative(eps, nameof(eps), "epsilon value");
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        CheckNonNegative(weightDecay, nameof(weightDecay), "weight decay value");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        _decoupledWeightDecay = decoupledWeightDecay;
        _firstMoments = new Array?[Parameters.Count];
        _secondMoments = new Array?[Parameters.Count];
        _steps = new int[Parameters.Count];
    }

    /// <summary>Decay of the first-moment average.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second-moment average.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator for stability.</summary>
    public double Eps { get; }

    /// <summary>Weight decay coefficient.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update<T>(int index, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        var step = ++_steps[index];
        var n = parameter.Length;
        if (_firstMoments[index] is not T[] m || _secondMoments[index] is not T[] v)
        {
            m = new T[n];
            v = new T[n];
            _firstMoments[index] = m;
            _secondMoments[index] = v;
        }

        if (_decoupledWeightDecay)
        {
            TensorPrimitives.Multiply(parameter, T.CreateChecked(1 - (LearningRate * WeightDecay)), parameter);
        }
        else if (WeightDecay != 0)
        {
            var decayed = Scratch<T>(0, n);
            TensorPrimitives.MultiplyAdd(parameter, T.CreateChecked(WeightDecay), gradient, decayed);
            gradient = decayed;
        }

        // m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g·g
        var work = Scratch<T>(1, n);
        TensorPrimitives.Multiply(m, T.CreateChecked(Beta1), m);
        TensorPrimitives.MultiplyAdd(gradient, T.CreateChecked(1 - Beta1), m, m);
        TensorPrimitives.Multiply(v, T.CreateChecked(Beta2), v);
        TensorPrimitives.Multiply(gradient, T.CreateChecked(1 - Beta2), work);
        TensorPrimitives.MultiplyAdd(work, gradient, v, v);

        var biasCorrection1 = 1 - Math.Pow(Beta1, step);
        var biasCorrection2 = 1 - Math.Pow(Beta2, step);
        var stepSize = LearningRate / biasCorrection1;

        // p = p − stepSize · m / (√v / √bc2 + eps)
        TensorPrimitives.Sqrt<T>(v, work);
        TensorPrimitives.Divide(work, T.CreateChecked(Math.Sqrt(biasCorrection2)), work);
        TensorPrimitives.Add(work, T.CreateChecked(Eps), work);
        TensorPrimitives.Divide(m, work, work);
        TensorPrimitives.MultiplyAdd(work, T.CreateChecked(-stepSize), parameter, parameter);
    }

    private static void CheckBeta(double beta, string name)
    {
        if (!(beta >= 0 && beta < 1))
        {
            throw new ArgumentOutOfRangeException(name, beta, $"Invalid {name} parameter: it must be in [0, 1).");
        }
    }

    private static double CheckedLearningRate(double lr)
    {
        CheckNonNegative(lr, nameof(lr), "learning rate");
        return lr;
    }
}
