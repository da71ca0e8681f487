using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>Validates a pooling's arguments (PyTorch's rules) and works out its <see cref="PoolGeometry"/>.</summary>
internal static class PoolChecks
{
    public static PoolGeometry Geometry(string op, Tensor input, int kernelSize, int? stride, int padding)
    {
        OpChecks.NotNull(input, op, "input");
        OpChecks.FloatingPoint(op, input);
        if (input.Rank != 4)
        {
            throw new ArgumentException($"{op}: input must be [N,C,H,W]; got {ShapeText.Format(input.ShapeSpan)}.");
        }

        if (kernelSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"{op}: kernelSize must be at least 1; got {kernelSize}.");
        }

        int step = stride ?? kernelSize;
        if (step < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), $"{op}: stride must be at least 1; got {step}.");
        }

        if (padding < 0 || padding > kernelSize / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(padding),
                $"{op}: padding must be between 0 and half the kernel size ({kernelSize / 2} for kernel {kernelSize}); got {padding}.");
        }

        ReadOnlySpan<int> shape = input.ShapeSpan;
        if (shape[2] + (2 * padding) < kernelSize || shape[3] + (2 * padding) < kernelSize)
        {
            throw new ArgumentException(
                $"{op}: the kernel ({kernelSize}x{kernelSize}) is larger than the padded input "
                + $"({shape[2] + (2 * padding)}x{shape[3] + (2 * padding)} with padding {padding}); input {ShapeText.Format(shape)}.");
        }

        return new PoolGeometry(input.ShapeArray, kernelSize, step, padding);
    }
}
