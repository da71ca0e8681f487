namespace Autograd.NN;

/// <summary>Hyperbolic tangent, PyTorch's <c>nn.Tanh</c>, elementwise.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Tanh();

    /// <inheritdoc/>
    public override string ToString() => "Tanh()";
}
