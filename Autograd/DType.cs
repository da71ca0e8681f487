namespace Autograd;

/// <summary>The element type of a <see cref="Tensor"/>.</summary>
public enum DType
{
    /// <summary>32-bit IEEE 754 floating point (<see cref="float"/>), the default.</summary>
    Float32,

    /// <summary>64-bit IEEE 754 floating point (<see cref="double"/>), used for gradient checking.</summary>
    Float64,

    /// <summary>64-bit signed integer (<see cref="long"/>): class labels and indices. Carries data only: no gradient,
    /// and ops without a meaning for integers (Exp, MatMul, ...) reject it.</summary>
    Int64,

    /// <summary>Boolean (<see cref="bool"/>): masks and the results of comparisons. Carries data only, like Int64.</summary>
    Bool,
}
