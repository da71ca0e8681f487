namespace Autograd.NN;

/// <summary>Leaky ReLU, PyTorch's <c>nn.LeakyReLU</c>: <c>x</c> for x ≥ 0, <c>negativeSlope·x</c> otherwise.</summary>
public sealed class LeakyReLU : Module
{
    /// <summary>Creates the activation.</summary>
    /// <param name="negativeSlope">Slope for negative inputs (PyTorch's default 0.01).</param>
    public LeakyReLU(double negativeSlope = 0.01)
    {
        NegativeSlope = negativeSlope;
    }

    /// <summary>Slope for negative inputs.</summary>
    public double NegativeSlope { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.LeakyRelu(NegativeSlope);

    /// <inheritdoc/>
    public override string ToString() => $"LeakyReLU(negative_slope={NegativeSlope})";
}
