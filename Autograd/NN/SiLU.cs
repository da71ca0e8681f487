namespace Autograd.NN;

/// <summary>Sigmoid linear unit (swish), PyTorch's <c>nn.SiLU</c>: x·σ(x).</summary>
public sealed class SiLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Silu();

    /// <inheritdoc/>
    public override string ToString() => "SiLU()";
}
