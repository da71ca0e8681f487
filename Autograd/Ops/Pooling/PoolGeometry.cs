namespace Autograd.Ops;

/// <summary>
/// The sizes of a 2-D pooling over [N,C,H,W] with a square window, PyTorch's defaults (floor mode; the stride
/// defaults to the kernel size; padding at most half the kernel). Validated once, shared by the op and its
/// gradient ops.
/// </summary>
internal sealed class PoolGeometry
{
    private PoolGeometry(int[] inputShape, int kernel, int stride, int padding)
    {
        InputShape = inputShape;
        (Kernel, Stride, Padding) = (kernel, stride, padding);
        (Planes, H, W) = (inputShape[0] * inputShape[1], inputShape[2], inputShape[3]);
        OH = ((H + (2 * padding) - kernel) / stride) + 1;
        OW = ((W + (2 * padding) - kernel) / stride) + 1;
        OutputShape = [inputShape[0], inputShape[1], OH, OW];
    }

    public int[] InputShape { get; }

    public int[] OutputShape { get; }

    /// <summary>N·C: pooling treats every channel of every item alike.</summary>
    public int Planes { get; }

    public int H { get; }

    public int W { get; }

    public int OH { get; }

    public int OW { get; }

    public int Kernel { get; }

    public int Stride { get; }

    public int Padding { get; }

    /// <summary>Window rows (or columns) [start, end) of output row (or column) <paramref name="o"/>, clipped to the input.</summary>
    public (int Start, int End) Window(int o, int size)
    {
        int start = (o * Stride) - Padding;
        return (Math.Max(start, 0), Math.Min(start + Kernel, size));
    }

    public static PoolGeometry Create(string op, Tensor input, int kernelSize, int? stride, int padding)
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
