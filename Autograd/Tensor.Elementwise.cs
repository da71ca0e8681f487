using Autograd.Ops;

namespace Autograd;

// More elementwise functions and activations (issue 10). Each forwards to its op in Ops/Elementwise/, where the
// forward pass and the VJP (both paths) sit side by side.
public sealed partial class Tensor
{
    /// <summary>sin x, elementwise (radians).</summary>
    public Tensor Sin() => Unary.Apply(this, new SinOp());

    /// <summary>cos x, elementwise (radians).</summary>
    public Tensor Cos() => Unary.Apply(this, new CosOp());

    /// <summary>x², elementwise.</summary>
    public Tensor Square() => Unary.Apply(this, new SquareOp());

    /// <summary>
    /// GELU, elementwise: x · Φ(x), Φ the standard normal CDF (PyTorch's default), or, when
    /// <paramref name="tanhApproximation"/>, ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (PyTorch's approximate='tanh').
    /// </summary>
    public Tensor Gelu(bool tanhApproximation = false) =>
        tanhApproximation ? Unary.Apply(this, new GeluTanhOp()) : Unary.Apply(this, new GeluOp());

    /// <summary>SiLU (swish), elementwise: x · σ(x).</summary>
    public Tensor Silu() => Unary.Apply(this, new SiluOp());

    /// <summary>
    /// Softplus, elementwise: ln(1 + e^{βx}) / β, and x itself where βx &gt; <paramref name="threshold"/> (as PyTorch;
    /// defaults β = 1, threshold = 20). Stable for any x.
    /// </summary>
    public Tensor Softplus(double beta = 1, double threshold = 20) => Unary.Apply(this, new SoftplusOp(beta, threshold));

    /// <summary>ELU, elementwise: x for x &gt; 0, else <paramref name="alpha"/>·(eˣ − 1).</summary>
    public Tensor Elu(double alpha = 1.0) => Unary.Apply(this, new EluOp(alpha));

    /// <summary>
    /// Each element limited to [<paramref name="min"/>, <paramref name="max"/>] (PyTorch's clamp: all elements are
    /// <paramref name="max"/> when min &gt; max). The gradient passes where min ≤ x ≤ max, bounds included.
    /// </summary>
    public Tensor Clamp(double min, double max) => Unary.Apply(this, new ClampOp(min, max));

    /// <summary>
    /// The elementwise maximum with <paramref name="other"/> (NumPy broadcasting; NaN if either is NaN). At a tie the
    /// gradient is split equally between the two, as PyTorch.
    /// </summary>
    public Tensor Maximum(Tensor other) => MaximumMinimum.Maximum(this, other);

    /// <summary>
    /// The elementwise minimum with <paramref name="other"/> (NumPy broadcasting; NaN if either is NaN). At a tie the
    /// gradient is split equally between the two, as PyTorch.
    /// </summary>
    public Tensor Minimum(Tensor other) => MaximumMinimum.Minimum(this, other);

    /// <summary>
    /// x^<paramref name="exponent"/>, elementwise with NumPy broadcasting, differentiable in both. As PyTorch, the
    /// gradient for x is 0 where the exponent is 0, and for the exponent 0 where x = 0 and the exponent ≥ 0.
    /// </summary>
    public Tensor Pow(Tensor exponent) => PowTensor.Forward(this, exponent);
}
