namespace Autograd.Kernels;

/// <summary>
/// The sizes of a 2-D pooling over [N,C,H,W] with a square window, PyTorch's defaults (floor mode; padding at most
/// half the kernel, so every window holds at least one input). Validated once by the op, shared with its gradient ops.
/// </summary>
internal sealed class PoolGeometry
{
    public PoolGeometry(int[] inputShape, int kernel, int stride, int padding)
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
}
