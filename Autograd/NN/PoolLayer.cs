namespace Autograd.NN;

/// <summary>The argument checks <see cref="MaxPool2d"/> and <see cref="AvgPool2d"/> share (PyTorch's rules).</summary>
internal static class PoolLayer
{
    public static void Validate(int kernelSize, int? stride, int padding)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        if (stride is { } step)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step, nameof(stride));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(padding, kernelSize / 2);
    }
}
