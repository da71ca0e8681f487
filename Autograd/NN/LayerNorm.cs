using System.Globalization;

namespace Autograd.NN;

/// <summary>
/// Layer normalisation, PyTorch's <c>nn.LayerNorm</c>: normalises over the trailing dimensions
/// <see cref="NormalizedShape"/> of its input (any leading dimensions), then scales by <see cref="Weight"/> and shifts
/// by <see cref="Bias"/> elementwise (<see cref="Functional.LayerNorm"/>). The same in training and evaluation mode.
/// </summary>
public sealed class LayerNorm : Module
{
    private readonly int[] _normalizedShape;

    /// <summary>Creates the layer over the last dimension, of size <paramref name="normalizedShape"/>.</summary>
    /// <param name="normalizedShape">The size of the last dimension.</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <param name="elementwiseAffine">Whether to learn a weight (initialised to ones) and a bias (zeros).</param>
    /// <param name="bias">Whether to learn the bias (with <paramref name="elementwiseAffine"/>), as PyTorch's <c>bias</c>.</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public LayerNorm(int normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32)
        : this([normalizedShape], eps, elementwiseAffine, bias, dtype)
    {
    }

    /// <summary>Creates the layer over the trailing dimensions <paramref name="normalizedShape"/>.</summary>
    /// <param name="normalizedShape">The trailing dimensions to normalise over (at least one, each positive).</param>
    /// <param name="eps">Added to the variance for numerical stability.</param>
    /// <param name="elementwiseAffine">Whether to learn a weight (initialised to ones) and a bias (zeros) of that shape.</param>
    /// <param name="bias">Whether to learn the bias (with <paramref name="elementwiseAffine"/>), as PyTorch's <c>bias</c>.</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
        {
            throw new ArgumentException(
                $"LayerNorm: normalizedShape must be one or more positive sizes; got {ShapeText.Format(normalizedShape)}.",
                nameof(normalizedShape));
        }

        _normalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(_normalizedShape, dtype));
            if (bias)
            {
                Bias = RegisterParameter("bias", Tensor.Zeros(_normalizedShape, dtype));
            }
        }
    }

    /// <summary>The trailing dimensions normalised over (a copy).</summary>
    public int[] NormalizedShape => (int[])_normalizedShape.Clone();

    /// <summary>Added to the variance for numerical stability.</summary>
    public double Eps { get; }

    /// <summary>The elementwise scale, shape <see cref="NormalizedShape"/>, or null without elementwise affine; its name is <c>"weight"</c>.</summary>
    public Tensor? Weight { get; }

    /// <summary>The elementwise shift, shape <see cref="NormalizedShape"/>, or null; its name is <c>"bias"</c>.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Functional.LayerNorm(input, _normalizedShape, Weight, Bias, Eps);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"LayerNorm(({string.Join(", ", _normalizedShape)},), eps={Eps.ToString("G", CultureInfo.InvariantCulture)}, "
        + $"elementwise_affine={Weight is not null})";
}
