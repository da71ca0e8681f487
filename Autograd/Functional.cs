namespace Autograd;

/// <summary>Functional forms of layer computations, as PyTorch's <c>torch.nn.functional</c>.</summary>
public static partial class Functional
{
    /// <summary>
    /// y = x·Wᵀ + b for input [N,in] (or [in]), weight [out,in] and bias [out]. The transpose is taken by the
    /// matrix kernel, never copied.
    /// </summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) => Ops.Linear.Forward(input, weight, bias);
}
