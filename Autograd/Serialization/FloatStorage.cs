namespace Autograd;

/// <summary>How <see cref="SafeTensors.Save"/> stores floating-point tensors (Int64 and Bool tensors are stored as they are).</summary>
public enum FloatStorage
{
    /// <summary>Each tensor in its own type: F32 for Float32, F64 for Float64. Exact.</summary>
    Native,

    /// <summary>
    /// IEEE half precision (F16, 11 significant bits), half the size of F32, as PyTorch's <c>.half()</c>: rounded to
    /// nearest, ties to even. Magnitudes from 65520 on overflow to ±infinity (65504 is the largest finite value),
    /// those below 2^-25 underflow to ±0, and those below 2^-14 keep fewer bits (subnormals). Float64 tensors are
    /// rounded to float32 first, as PyTorch does, which can round twice.
    /// </summary>
    Float16,

    /// <summary>
    /// bfloat16 (BF16: float32's exponent range, 8 significant bits), as PyTorch's <c>.bfloat16()</c>: rounded to
    /// nearest, ties to even. Nothing overflows but magnitudes within half a BF16 step of float32's largest value,
    /// which become ±infinity; NaN is stored as the quiet NaN 0x7FC0 (sign kept). Float64 tensors are rounded to
    /// float32 first, as PyTorch does.
    /// </summary>
    BFloat16,
}
