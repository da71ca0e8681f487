namespace Autograd.NN;

/// <summary>Softmax along one axis, PyTorch's <c>nn.Softmax(dim)</c>: <c>exp(x) / Σ exp(x)</c>.</summary>
/// <remarks>
/// To train a classifier, give raw logits to <see cref="Loss.CrossEntropy(Tensor, int[])"/> instead, which is
/// the stable log-softmax composition.
/// </remarks>
public sealed class Softmax : Module
{
    /// <summary>Creates the activation.</summary>
    /// <param name="axis">The axis that sums to one; negative counts from the end.</param>
    public Softmax(int axis)
    {
        Axis = axis;
    }

    /// <summary>The axis that sums to one.</summary>
    public int Axis { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Softmax(Axis);

    /// <inheritdoc/>
    public override string ToString() => $"Softmax(dim={Axis})";
}
