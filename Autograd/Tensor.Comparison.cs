using Autograd.Ops;

namespace Autograd;

// Elementwise comparisons into Bool tensors (PyTorch's eq, ne, lt, le, gt, ge); the op is in Ops/Comparison/.
// Operands must have the same dtype (Float32, Float64 or Int64; Bool for Eq and Ne) and broadcast; NaN is unequal to
// everything. The results carry no gradient. A constant is compared in the tensor's type for floating point (as
// PyTorch), exactly for Int64 and Bool.
public sealed partial class Tensor
{
    /// <summary>this == <paramref name="other"/>, elementwise with broadcasting, as a Bool tensor.</summary>
    /// <param name="other">A tensor of the same dtype whose shape broadcasts with this one's.</param>
    public Tensor Eq(Tensor other) => Compare.Tensors(ComparisonKind.Eq, this, other);

    /// <summary>this == <paramref name="other"/>, elementwise, as a Bool tensor.</summary>
    /// <param name="other">The constant compared with.</param>
    public Tensor Eq(double other) => Compare.Scalar(ComparisonKind.Eq, this, other);

    /// <summary>this != <paramref name="other"/>, elementwise with broadcasting, as a Bool tensor (true where either is NaN).</summary>
    /// <param name="other">A tensor of the same dtype whose shape broadcasts with this one's.</param>
    public Tensor Ne(Tensor other) => Compare.Tensors(ComparisonKind.Ne, this, other);

    /// <summary>this != <paramref name="other"/>, elementwise, as a Bool tensor (true where this is NaN).</summary>
    /// <param name="other">The constant compared with.</param>
    public Tensor Ne(double other) => Compare.Scalar(ComparisonKind.Ne, this, other);

    /// <summary>this &lt; <paramref name="other"/>, elementwise with broadcasting, as a Bool tensor.</summary>
    /// <param name="other">A tensor of the same dtype whose shape broadcasts with this one's.</param>
    public Tensor Lt(Tensor other) => Compare.Tensors(ComparisonKind.Lt, this, other);

    /// <summary>this &lt; <paramref name="other"/>, elementwise, as a Bool tensor.</summary>
    /// <param name="other">The constant compared with.</param>
    public Tensor Lt(double other) => Compare.Scalar(ComparisonKind.Lt, this, other);

    /// <summary>this &lt;= <paramref name="other"/>, elementwise with broadcasting, as a Bool tensor.</summary>
    /// <param name="other">A tensor of the same dtype whose shape broadcasts with this one's.</param>
    public Tensor Le(Tensor other) => Compare.Tensors(ComparisonKind.Le, this, other);

    /// <summary>this &lt;= <paramref name="other"/>, elementwise, as a Bool tensor.</summary>
    /// <param name="other">The constant compared with.</param>
    public Tensor Le(double other) => Compare.Scalar(ComparisonKind.Le, this, other);

    /// <summary>this &gt; <paramref name="other"/>, elementwise with broadcasting, as a Bool tensor.</summary>
    /// <param name="other">A tensor of the same dtype whose shape broadcasts with this one's.</param>
    public Tensor Gt(Tensor other) => Compare.Tensors(ComparisonKind.Gt, this, other);

    /// <summary>this &gt; <paramref name="other"/>, elementwise, as a Bool tensor.</summary>
    /// <param name="other">The constant compared with.</param>
    public Tensor Gt(double other) => Compare.Scalar(ComparisonKind.Gt, this, other);

    /// <summary>this &gt;= <paramref name="other"/>, elementwise with broadcasting, as a Bool tensor.</summary>
    /// <param name="other">A tensor of the same dtype whose shape broadcasts with this one's.</param>
    public Tensor Ge(Tensor other) => Compare.Tensors(ComparisonKind.Ge, this, other);

    /// <summary>this &gt;= <paramref name="other"/>, elementwise, as a Bool tensor.</summary>
    /// <param name="other">The constant compared with.</param>
    public Tensor Ge(double other) => Compare.Scalar(ComparisonKind.Ge, this, other);
}
