namespace Autograd.NN;

/// <summary>
/// Gaussian error linear unit, PyTorch's <c>nn.GELU</c>: x·Φ(x), or its tanh approximation with
/// <c>approximate: "tanh"</c>.
/// </summary>
public sealed class GELU : Module
{
    /// <summary>Creates the activation.</summary>
    /// <param name="approximate"><c>"none"</c> (the exact erf form) or <c>"tanh"</c>, as PyTorch.</param>
    public GELU(string approximate = "none")
    {
        if (approximate is not ("none" or "tanh"))
        {
            throw new ArgumentException($"GELU: approximate must be \"none\" or \"tanh\"; got \"{approximate}\".", nameof(approximate));
        }

        Approximate = approximate;
    }

    /// <summary><c>"none"</c> or <c>"tanh"</c>.</summary>
    public string Approximate { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Gelu(tanhApproximation: Approximate == "tanh");

    /// <inheritdoc/>
    public override string ToString() => Approximate == "none" ? "GELU()" : "GELU(approximate='tanh')";
}
