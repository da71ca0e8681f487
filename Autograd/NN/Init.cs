namespace Autograd.NN;

/// <summary>Which fan the Kaiming initialisers preserve the variance of, as PyTorch's <c>mode</c>.</summary>
public enum FanMode
{
    /// <summary>Preserve the variance in the forward pass (PyTorch's <c>'fan_in'</c>, the default).</summary>
    FanIn,

    /// <summary>Preserve the variance in the backward pass (PyTorch's <c>'fan_out'</c>).</summary>
    FanOut,
}

/// <summary>The nonlinearity a gain is computed for, as in PyTorch's <c>nn.init.calculate_gain</c>.</summary>
public enum Nonlinearity
{
    /// <summary>Linear or convolution: gain 1.</summary>
    Linear,

    /// <summary>Sigmoid: gain 1.</summary>
    Sigmoid,

    /// <summary>Tanh: gain 5/3.</summary>
    Tanh,

    /// <summary>ReLU: gain √2.</summary>
    Relu,

    /// <summary>Leaky ReLU with negative slope a: gain √(2 / (1 + a²)).</summary>
    LeakyRelu,

    /// <summary>SELU: gain 3/4.</summary>
    Selu,
}

/// <summary>
/// Initialisers that overwrite a tensor's values in place, PyTorch's <c>torch.nn.init</c>
/// (<c>kaiming_uniform_</c> → <see cref="KaimingUniform(Tensor, double, FanMode, Nonlinearity, int?)"/>, ...).
/// Each takes an optional seed: the same seed gives the same values. Fans follow PyTorch: for a
/// weight [out, in, k...], fan_in = in·Πk and fan_out = out·Πk. Each returns the tensor.
/// </summary>
public static class Init
{
    /// <summary>The recommended gain for <paramref name="nonlinearity"/>, as PyTorch's <c>calculate_gain</c>.</summary>
    /// <param name="nonlinearity">The nonlinearity that follows the layer.</param>
    /// <param name="negativeSlope">The negative slope, for <see cref="Nonlinearity.LeakyRelu"/> only.</param>
    /// <returns>The gain.</returns>
    public static double CalculateGain(Nonlinearity nonlinearity, double negativeSlope = 0.01) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Sigmoid => 1.0,
        Nonlinearity.Tanh => 5.0 / 3,
        Nonlinearity.Relu => Math.Sqrt(2.0),
        Nonlinearity.LeakyRelu => Math.Sqrt(2.0 / (1 + (negativeSlope * negativeSlope))),
        Nonlinearity.Selu => 3.0 / 4,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "Unknown nonlinearity."),
    };

    /// <summary>The fan-in and fan-out of a weight of rank ≥ 2, as PyTorch computes them.</summary>
    /// <param name="tensor">A weight, shape [out, in, k...].</param>
    /// <returns>(in·Πk, out·Πk).</returns>
    /// <exception cref="ArgumentException">The tensor has fewer than two axes.</exception>
    public static (int FanIn, int FanOut) Fans(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = tensor.Shape;
        if (shape.Length < 2)
        {
            throw new ArgumentException(
                $"Fan in and fan out cannot be computed for a tensor with fewer than 2 axes (shape {ShapeText.Format(shape)}).",
                nameof(tensor));
        }

        var receptive = 1;
        for (var i = 2; i < shape.Length; i++)
        {
            receptive *= shape[i];
        }

        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>Fills with zeros.</summary>
    /// <param name="tensor">The tensor to overwrite.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    /// <summary>Fills with <paramref name="value"/>.</summary>
    /// <param name="tensor">The tensor to overwrite.</param>
    /// <param name="value">The value.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor Constant(Tensor tensor, double value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using (Tape.NoGrad())
        {
            return tensor.Fill(value);   // bumps the version: a graph that saved the old values refuses to back-propagate
        }
    }

    /// <summary>Fills with samples of U(<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <param name="tensor">The tensor to overwrite.</param>
    /// <param name="low">Lower bound.</param>
    /// <param name="high">Upper bound.</param>
    /// <param name="seed">Seed; null draws one at random.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor Uniform(Tensor tensor, double low = 0, double high = 1, int? seed = null) =>
        Uniform(tensor, CreateRandom(seed), low, high);

    /// <summary>Fills with samples of N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    /// <param name="tensor">The tensor to overwrite.</param>
    /// <param name="mean">Mean.</param>
    /// <param name="std">Standard deviation.</param>
    /// <param name="seed">Seed; null draws one at random.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1, int? seed = null) =>
        Normal(tensor, CreateRandom(seed), mean, std);

    /// <summary>
    /// Kaiming (He) uniform: U(−b, b) with b = gain·√(3 / fan), gain from
    /// <see cref="CalculateGain"/>. With a = √5 this is nn.Linear's default weight init, b = 1/√fan_in.
    /// </summary>
    /// <param name="tensor">A weight of rank ≥ 2.</param>
    /// <param name="a">Negative slope of the leaky ReLU that follows (0: ReLU).</param>
    /// <param name="mode">Which fan to use.</param>
    /// <param name="nonlinearity">The nonlinearity the gain is for.</param>
    /// <param name="seed">Seed; null draws one at random.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor KaimingUniform(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, int? seed = null) =>
        KaimingUniform(tensor, CreateRandom(seed), a, mode, nonlinearity);

    /// <summary>Kaiming (He) normal: N(0, σ²) with σ = gain / √fan.</summary>
    /// <param name="tensor">A weight of rank ≥ 2.</param>
    /// <param name="a">Negative slope of the leaky ReLU that follows (0: ReLU).</param>
    /// <param name="mode">Which fan to use.</param>
    /// <param name="nonlinearity">The nonlinearity the gain is for.</param>
    /// <param name="seed">Seed; null draws one at random.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor KaimingNormal(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, int? seed = null)
    {
        var std = CalculateGain(nonlinearity, a) / Math.Sqrt(Fan(tensor, mode));
        return Normal(tensor, CreateRandom(seed), 0, std);
    }

    /// <summary>Xavier (Glorot) uniform: U(−b, b) with b = gain·√(6 / (fan_in + fan_out)).</summary>
    /// <param name="tensor">A weight of rank ≥ 2.</param>
    /// <param name="gain">Scale factor.</param>
    /// <param name="seed">Seed; null draws one at random.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1, int? seed = null)
    {
        var (fanIn, fanOut) = Fans(tensor);
        var bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(tensor, CreateRandom(seed), -bound, bound);
    }

    /// <summary>Xavier (Glorot) normal: N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)).</summary>
    /// <param name="tensor">A weight of rank ≥ 2.</param>
    /// <param name="gain">Scale factor.</param>
    /// <param name="seed">Seed; null draws one at random.</param>
    /// <returns><paramref name="tensor"/>.</returns>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1, int? seed = null)
    {
        var (fanIn, fanOut) = Fans(tensor);
        var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
        return Normal(tensor, CreateRandom(seed), 0, std);
    }

    internal static SplitMix64 CreateRandom(int? seed) =>
        new(seed is { } s ? unchecked((ulong)s) : unchecked((ulong)Random.Shared.NextInt64()));

    internal static Tensor KaimingUniform(Tensor tensor, SplitMix64 random, double a,
        FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu)
    {
        var std = CalculateGain(nonlinearity, a) / Math.Sqrt(Fan(tensor, mode));
        var bound = Math.Sqrt(3.0) * std;
        return Uniform(tensor, random, -bound, bound);
    }

    internal static Tensor Uniform(Tensor tensor, SplitMix64 random, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!(low <= high))
        {
            throw new ArgumentException($"Uniform needs low <= high (got {low} and {high}).", nameof(low));
        }

        var width = high - low;
        return Fill(tensor, () => low + (width * random.NextDouble()));
    }

    internal static Tensor Normal(Tensor tensor, SplitMix64 random, double mean, double std)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentOutOfRangeException.ThrowIfNegative(std);
        return Fill(tensor, () => mean + (std * random.NextNormal()));
    }

    private static Tensor Fill(Tensor tensor, Func<double> sample)
    {
        var values = new double[tensor.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = sample();
        }

        Array.Copy(Tensor.FromValues(values, tensor.ShapeArray, tensor.DType).Storage, tensor.Storage, values.Length);
        tensor.BumpVersion();   // a graph that saved the old values must refuse to back-propagate
        return tensor;
    }

    private static int Fan(Tensor tensor, FanMode mode)
    {
        var (fanIn, fanOut) = Fans(tensor);
        var fan = mode == FanMode.FanIn ? fanIn : fanOut;
        if (fan <= 0)
        {
            throw new ArgumentException("Cannot initialise a tensor with a zero fan.", nameof(tensor));
        }

        return fan;
    }
}
