using Autograd.Ops;

namespace Autograd;

// The differentiable operations, as methods and operators. Each forwards to its op in Ops/, where the
// forward pass and the VJP sit side by side. Tensor-constant arithmetic is a unary op with the constant as a
// field (Ops/Elementwise/ScalarArithmetic.cs), not a broadcast against a 1-element tensor; x − c is x + (−c).
public sealed partial class Tensor
{
    /// <summary>Elementwise sum with NumPy broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Arithmetic.Add(a, b);

    /// <summary>Adds a constant to every element.</summary>
    public static Tensor operator +(Tensor a, double b) => Unary.Apply(a, new AddScalarOp(b));

    /// <summary>Adds a constant to every element.</summary>
    public static Tensor operator +(double a, Tensor b) => Unary.Apply(b, new AddScalarOp(a));

    /// <summary>Elementwise difference with NumPy broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Arithmetic.Subtract(a, b);

    /// <summary>Subtracts a constant from every element.</summary>
    public static Tensor operator -(Tensor a, double b) => Unary.Apply(a, new AddScalarOp(-b));

    /// <summary>Subtracts every element from a constant.</summary>
    public static Tensor operator -(double a, Tensor b) => Unary.Apply(b, new SubtractFromScalarOp(a));

    /// <summary>Elementwise negation.</summary>
    public static Tensor operator -(Tensor a) => Unary.Apply(a, new NegateOp());

    /// <summary>Elementwise product with NumPy broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Arithmetic.Multiply(a, b);

    /// <summary>Multiplies every element by a constant.</summary>
    public static Tensor operator *(Tensor a, double b) => Unary.Apply(a, new MultiplyScalarOp(b));

    /// <summary>Multiplies every element by a constant.</summary>
    public static Tensor operator *(double a, Tensor b) => Unary.Apply(b, new MultiplyScalarOp(a));

    /// <summary>Elementwise quotient with NumPy broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Arithmetic.Divide(a, b);

    /// <summary>Divides every element by a constant.</summary>
    public static Tensor operator /(Tensor a, double b) => Unary.Apply(a, new DivideByScalarOp(b));

    /// <summary>Divides a constant by every element.</summary>
    public static Tensor operator /(double a, Tensor b) => Unary.Apply(b, new DivideScalarByOp(a));

    /// <summary>e^x, elementwise.</summary>
    public Tensor Exp() => Unary.Apply(this, new ExpOp());

    /// <summary>Natural logarithm, elementwise.</summary>
    public Tensor Log() => Unary.Apply(this, new LogOp());

    /// <summary>Square root, elementwise.</summary>
    public Tensor Sqrt() => Unary.Apply(this, new SqrtOp());

    /// <summary>x^<paramref name="exponent"/>, elementwise, for a constant exponent.</summary>
    public Tensor Pow(double exponent) => Unary.Apply(this, new PowOp(exponent));

    /// <summary>|x|, elementwise (gradient sign(x), 0 at 0).</summary>
    public Tensor Abs() => Unary.Apply(this, new AbsOp());

    /// <summary>max(0, x), elementwise (gradient 0 at 0, as PyTorch).</summary>
    public Tensor Relu() => Unary.Apply(this, new ReluOp());

    /// <summary>x for x &gt; 0, else <paramref name="slope"/>·x.</summary>
    public Tensor LeakyRelu(double slope = 0.01) => Unary.Apply(this, new LeakyReluOp(slope));

    /// <summary>1 / (1 + e^−x), elementwise.</summary>
    public Tensor Sigmoid() => Unary.Apply(this, new SigmoidOp());

    /// <summary>Hyperbolic tangent, elementwise.</summary>
    public Tensor Tanh() => Unary.Apply(this, new TanhOp());

    /// <summary>
    /// Matrix product as torch.matmul: [m,k]·[k,n] → [m,n]; a vector operand is a row ([k]·[k,n] → [n]) or a
    /// column ([m,k]·[k] → [m]; [k]·[k] → the scalar dot product); dimensions before the last two are batch
    /// dimensions and broadcast ([b,m,k]·[k,n] → [b,m,n], [b,1,m,k]·[c,k,n] → [b,c,m,n]).
    /// </summary>
    public Tensor MatMul(Tensor other) => Ops.MatMul.Forward(this, other);

    /// <summary>The transpose of a 2-D tensor (a copy).</summary>
    public Tensor Transpose() => Ops.Transpose.Forward(this);

    /// <summary>The same elements viewed with another shape; one dimension may be −1 (inferred).</summary>
    public Tensor Reshape(params int[] shape) => Ops.Reshape.Forward(this, shape);

    /// <summary>The sum of all elements, as a scalar.</summary>
    public Tensor Sum() => Ops.Sum.All(this);

    /// <summary>The sum along <paramref name="axis"/> (negative counts from the end).</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Ops.Sum.Axis(this, axis, keepDim);

    /// <summary>The mean of all elements, as a scalar.</summary>
    public Tensor Mean() => Ops.Sum.Mean(this);

    /// <summary>The mean along <paramref name="axis"/>.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Ops.Sum.Mean(this, axis, keepDim);

    /// <summary>The maximum along <paramref name="axis"/>; the gradient flows to the first arg-max.</summary>
    public Tensor Max(int axis, bool keepDim = false) => Ops.Max.Axis(this, axis, keepDim);

    /// <summary>Softmax along <paramref name="axis"/>, stable for large logits.</summary>
    public Tensor Softmax(int axis) => Ops.Softmax.Forward(this, axis, log: false);

    /// <summary>Log-softmax along <paramref name="axis"/>, stable for large logits.</summary>
    public Tensor LogSoftmax(int axis) => Ops.Softmax.Forward(this, axis, log: true);

    /// <summary>A copy in new storage (PyTorch's clone): recorded, so the gradient flows back through it unchanged.</summary>
    public Tensor Clone() => Unary.Apply(this, new CloneOp());

    /// <summary>This tensor converted to <paramref name="dtype"/> (differentiable); itself when already of that type.</summary>
    public Tensor To(DType dtype) => Cast.Forward(this, dtype);
}
