namespace Autograd.Tests.TestSupport;

/// <summary>Seeded random inputs for gradient checks, in float64 unless a test converts them.</summary>
internal static class Inputs
{
    /// <summary>Standard normal samples of <paramref name="shape"/> (float64, a leaf that requires a gradient).</summary>
    public static Tensor Normal(int seed, params int[] shape) => Leaf(Tensor.Randn(shape, seed, DType.Float64));

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>) (float64, requires a gradient).</summary>
    public static Tensor Uniform(int seed, double low, double high, params int[] shape) =>
        Leaf(Tensor.Rand(shape, seed, low, high, DType.Float64));

    /// <summary>
    /// Normal samples pushed at least 0.2 away from 0, for ops with a kink there (Abs, Relu, LeakyRelu), so
    /// that central differences never straddle the non-differentiable point.
    /// </summary>
    public static Tensor AwayFromZero(int seed, params int[] shape)
    {
        double[] values = Tensor.Randn(shape, seed, DType.Float64).ToArray<double>();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Math.CopySign(0.2 + Math.Abs(values[i]), values[i]);
        }

        return Leaf(Tensor.FromArray(values, shape));
    }

    /// <summary>A float64 leaf holding <paramref name="values"/>, requiring a gradient.</summary>
    public static Tensor Of(double[] values, params int[] shape) => Leaf(Tensor.FromArray(values, shape));

    /// <summary>A copy of <paramref name="x"/> in <paramref name="dtype"/> as a new leaf with the same RequiresGrad.</summary>
    public static Tensor CopyAs(Tensor x, DType dtype)
    {
        Tensor copy = dtype == DType.Float32
            ? Tensor.FromArray(x.ToArray<float>(), x.Shape)
            : Tensor.FromArray(x.ToArray<double>(), x.Shape);
        copy.RequiresGrad = x.RequiresGrad;
        return copy;
    }

    private static Tensor Leaf(Tensor x)
    {
        x.RequiresGrad = true;
        return x;
    }
}
