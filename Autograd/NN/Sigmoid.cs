namespace Autograd.NN;

/// <summary>Logistic sigmoid, PyTorch's <c>nn.Sigmoid</c>: <c>1 / (1 + e^−x)</c> elementwise.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Sigmoid();

    /// <inheritdoc/>
    public override string ToString() => "Sigmoid()";
}
