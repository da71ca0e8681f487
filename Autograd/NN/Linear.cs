namespace Autograd.NN;

/// <summary>
/// Fully connected layer, PyTorch's <c>nn.Linear</c>: <c>y = x·Wᵀ + b</c> with <see cref="Weight"/>
/// [out, in] and <see cref="Bias"/> [out]. Input [in], [N, in] or [d1, ..., in]; output has the
/// same leading axes and <c>out</c> last.
/// </summary>
public sealed class Linear : Module
{
    /// <summary>
    /// Creates the layer with PyTorch's default initialisation: the weight Kaiming-uniform with
    /// a = √5, which is U(−1/√in, 1/√in), and the bias U(−1/√in, 1/√in).
    /// </summary>
    /// <param name="inFeatures">Size of each input sample.</param>
    /// <param name="outFeatures">Size of each output sample.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    /// <param name="seed">Seed of the initialisation; null draws one at random.</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public Linear(int inFeatures, int outFeatures, bool bias = true, int? seed = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var random = Init.CreateRandom(seed);
        Weight = RegisterParameter("weight", Tensor.Zeros([outFeatures, inFeatures], dtype));
        Init.KaimingUniform(Weight, random, a: Math.Sqrt(5));
        if (bias)
        {
            Bias = RegisterParameter("bias", Tensor.Zeros([outFeatures], dtype));
            var bound = 1 / Math.Sqrt(inFeatures);
            Init.Uniform(Bias, random, -bound, bound);
        }
    }

    /// <summary>Number of input features.</summary>
    public int InFeatures { get; }

    /// <summary>Number of output features.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight, shape [out, in]; its name is <c>"weight"</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, shape [out], or null when created without one; its name is <c>"bias"</c>.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank <= 2)
        {
            return Functional.Linear(input, Weight, Bias);
        }

        // Leading axes are batch axes, as in PyTorch: fold them into one and unfold the result.
        var shape = input.Shape;
        shape[^1] = OutFeatures;
        return Functional.Linear(input.Reshape(-1, input.Shape[^1]), Weight, Bias).Reshape(shape);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Linear(in_features={InFeatures}, out_features={OutFeatures}, bias={Bias is not null})";
}
