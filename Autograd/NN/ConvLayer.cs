namespace Autograd.NN;

/// <summary>What <see cref="Conv1d"/> and <see cref="Conv2d"/> share: argument checks, PyTorch's initialisation, ToString.</summary>
internal static class ConvLayer
{
    public static void Validate(string layer, int inChannels, int outChannels, int kernelSize, int stride, int padding,
        int dilation, int groups)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dilation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException(
                $"{layer}: groups {groups} must divide both inChannels ({inChannels}) and outChannels ({outChannels}).",
                nameof(groups));
        }
    }

    /// <summary>
    /// The weight (Kaiming-uniform, a = √5: U(−1/√fan_in, 1/√fan_in)) and, when asked, the bias
    /// (U(−1/√fan_in, 1/√fan_in)), drawn in that order from one seeded generator, as <see cref="Linear"/> does.
    /// </summary>
    public static (Tensor Weight, Tensor? Bias) CreateParameters(int[] weightShape, bool bias, int? seed, DType dtype)
    {
        var random = Init.CreateRandom(seed);
        var weight = Tensor.Zeros(weightShape, dtype);
        Init.KaimingUniform(weight, random, a: Math.Sqrt(5));
        Tensor? biasTensor = null;
        if (bias)
        {
            biasTensor = Tensor.Zeros([weightShape[0]], dtype);
            var bound = 1 / Math.Sqrt(Init.Fans(weight).FanIn);
            Init.Uniform(biasTensor, random, -bound, bound);
        }

        return (weight, biasTensor);
    }

    /// <summary>PyTorch's repr: only the arguments that differ from the defaults beyond kernel size and stride.</summary>
    public static string Describe(string layer, int inChannels, int outChannels, string kernel, string stride,
        string padding, string dilation, bool dilated, int groups, bool bias)
    {
        var text = $"{layer}({inChannels}, {outChannels}, kernel_size={kernel}, stride={stride}";
        if (!padding.StartsWith("(0", StringComparison.Ordinal))
        {
            text += $", padding={padding}";
        }

        if (dilated)
        {
            text += $", dilation={dilation}";
        }

        if (groups != 1)
        {
            text += $", groups={groups}";
        }

        if (!bias)
        {
            text += ", bias=False";
        }

        return text + ")";
    }
}
