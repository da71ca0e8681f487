namespace Autograd.NN;

/// <summary>2-D max pooling, PyTorch's <c>nn.MaxPool2d(kernel_size, stride, padding)</c> (<see cref="Functional.MaxPool2d"/>); no parameters.</summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; null means <paramref name="kernelSize"/>, as PyTorch.</param>
    /// <param name="padding">Padding on every side (counts as −∞), at most kernelSize / 2.</param>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
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
        return Functional.MaxPool2d(input, KernelSize, Stride, Padding);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"MaxPool2d(kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation=1, ceil_mode=False)";
}
