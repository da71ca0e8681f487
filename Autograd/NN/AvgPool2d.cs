namespace Autograd.NN;

/// <summary>
/// 2-D average pooling, PyTorch's <c>nn.AvgPool2d(kernel_size, stride, padding)</c> with its defaults
/// (count_include_pad, floor mode; <see cref="Functional.AvgPool2d"/>); no parameters.
/// </summary>
public sealed class AvgPool2d : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; null means <paramref name="kernelSize"/>, as PyTorch.</param>
    /// <param name="padding">Zero padding on every side (counted in the average), at most kernelSize / 2.</param>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0)
    {
        PoolLayer.Validate(kernelSize, stride, padding);
        (KernelSize, Stride, Padding) = (kernelSize, stride ?? kernelSize, padding);
    }

    /// <summary>Window side.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Padding on every side.</summary>
    public int Padding { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Functional.AvgPool2d(input, KernelSize, Stride, Padding);
    }

    /// <inheritdoc/>
    public override string ToString() => $"AvgPool2d(kernel_size={KernelSize}, stride={Stride}, padding={Padding})";
}
