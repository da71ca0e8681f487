namespace Autograd.NN;

/// <summary>
/// 1-D convolution layer, PyTorch's <c>nn.Conv1d</c>: input [N,C,L] → [N,O,Lout] (<see cref="Functional.Conv1d"/>).
/// Parameters <see cref="Weight"/> [O,C/groups,k] (<c>"weight"</c>) and <see cref="Bias"/> [O] (<c>"bias"</c>), as in
/// PyTorch's state dict.
/// </summary>
public sealed class Conv1d : Module
{
    /// <summary>
    /// Creates the layer with PyTorch's default initialisation: the weight Kaiming-uniform with a = √5, which is
    /// U(−1/√fan_in, 1/√fan_in) with fan_in = C/groups·k, and the bias U(−1/√fan_in, 1/√fan_in).
    /// </summary>
    /// <param name="inChannels">Input channels C.</param>
    /// <param name="outChannels">Output channels O.</param>
    /// <param name="kernelSize">Kernel length k.</param>
    /// <param name="stride">Step between output positions.</param>
    /// <param name="padding">Zeros added at both ends.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    /// <param name="seed">Seed of the initialisation; null draws one at random.</param>
    /// <param name="dilation">Spacing between kernel taps.</param>
    /// <param name="groups">Channel groups; must divide both channel counts.</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true,
        int? seed = null, int dilation = 1, int groups = 1, DType dtype = DType.Float32)
    {
        ConvLayer.Validate("Conv1d", inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) =
            (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        var (weight, biasTensor) = ConvLayer.CreateParameters(
            [outChannels, inChannels / groups, kernelSize], bias, seed, dtype);
        Weight = RegisterParameter("weight", weight);
        Bias = biasTensor is null ? null : RegisterParameter("bias", biasTensor);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel length.</summary>
    public int KernelSize { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding at both ends.</summary>
    public int Padding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>The weight [O,C/groups,k]; its name is <c>"weight"</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>The bias [O], or null when created without one; its name is <c>"bias"</c>.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Functional.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        ConvLayer.Describe("Conv1d", InChannels, OutChannels, $"({KernelSize},)", $"({Stride},)", $"({Padding},)",
            $"({Dilation},)", Dilation != 1, Groups, Bias is not null);
}
