namespace Autograd.NN;

/// <summary>Rectified linear unit, PyTorch's <c>nn.ReLU</c>: <c>max(0, x)</c> elementwise.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Relu();

    /// <inheritdoc/>
    public override string ToString() => "ReLU()";
}
