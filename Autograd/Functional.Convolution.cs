namespace Autograd;

/// <summary>Convolution and pooling, as PyTorch's <c>torch.nn.functional</c>.</summary>
public static partial class Functional
{
    /// <summary>
    /// 1-D convolution (cross-correlation, as PyTorch's <c>F.conv1d</c>): input [N,C,L], weight [O,C/groups,k],
    /// bias [O]; output [N,O,Lout] with Lout = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1.
    /// Computed by im2col onto the matrix-multiply kernels; differentiable to any order.
    /// </summary>
    /// <param name="input">[N,C,L].</param>
    /// <param name="weight">[O,C/groups,k].</param>
    /// <param name="bias">[O], or null.</param>
    /// <param name="stride">Step between output positions (at least 1).</param>
    /// <param name="padding">Zeros added at both ends (at least 0).</param>
    /// <param name="dilation">Spacing between kernel taps (at least 1).</param>
    /// <param name="groups">Channel groups: each sees C/groups input and produces O/groups output channels.</param>
    /// <returns>[N,O,Lout].</returns>
    /// <exception cref="ArgumentException">A shape does not fit the layout, the channels do not match, or the kernel is larger than the padded input.</exception>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0,
        int dilation = 1, int groups = 1) =>
        Ops.Convolution.Forward(oneD: true, input, weight, bias, stride, padding, dilation, groups);

    /// <summary>
    /// 2-D convolution (cross-correlation, as PyTorch's <c>F.conv2d</c>): input [N,C,H,W], weight
    /// [O,C/groups,kh,kw], bias [O]; output [N,O,Hout,Wout] with Hout = ⌊(H + 2·padding − dilation·(kh − 1) − 1) /
    /// stride⌋ + 1 (likewise Wout). Computed by im2col onto the matrix-multiply kernels, batch items in parallel;
    /// differentiable to any order.
    /// </summary>
    /// <param name="input">[N,C,H,W].</param>
    /// <param name="weight">[O,C/groups,kh,kw].</param>
    /// <param name="bias">[O], or null.</param>
    /// <param name="stride">Step between output positions along H and W (at least 1).</param>
    /// <param name="padding">Zeros added on every side (at least 0).</param>
    /// <param name="dilation">Spacing between kernel taps (at least 1).</param>
    /// <param name="groups">Channel groups: each sees C/groups input and produces O/groups output channels (groups = C: depthwise).</param>
    /// <returns>[N,O,Hout,Wout].</returns>
    /// <exception cref="ArgumentException">A shape does not fit the layout, the channels do not match, or the kernel is larger than the padded input.</exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0,
        int dilation = 1, int groups = 1) =>
        Ops.Convolution.Forward(oneD: false, input, weight, bias, stride, padding, dilation, groups);

    /// <summary>
    /// 2-D max pooling over square windows, as PyTorch's <c>F.max_pool2d</c> (padding counts as −∞, floor mode):
    /// [N,C,H,W] → [N,C,Hout,Wout], Hout = ⌊(H + 2·padding − kernelSize) / stride⌋ + 1. The gradient goes to the first
    /// maximum of each window.
    /// </summary>
    /// <param name="input">[N,C,H,W].</param>
    /// <param name="kernelSize">Window side (at least 1).</param>
    /// <param name="stride">Step between windows; null means <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Padding on every side, at most kernelSize / 2.</param>
    /// <returns>[N,C,Hout,Wout].</returns>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) =>
        Ops.MaxPool2d.Forward(input, kernelSize, stride, padding);

    /// <summary>
    /// 2-D average pooling over square windows, as PyTorch's <c>F.avg_pool2d</c> with its defaults (padding counts as
    /// zeros in the average, floor mode): each output is the window's sum divided by kernelSize².
    /// </summary>
    /// <param name="input">[N,C,H,W].</param>
    /// <param name="kernelSize">Window side (at least 1).</param>
    /// <param name="stride">Step between windows; null means <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Zero padding on every side, at most kernelSize / 2.</param>
    /// <returns>[N,C,Hout,Wout].</returns>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) =>
        Ops.AvgPool2d.Forward(input, kernelSize, stride, padding);
}
