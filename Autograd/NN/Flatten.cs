namespace Autograd.NN;

/// <summary>Flattens every axis but the first, PyTorch's <c>nn.Flatten()</c>: [N, d1, d2, ...] → [N, d1·d2·...].</summary>
public sealed class Flatten : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1)
        {
            throw new ArgumentException("Flatten needs a tensor of rank at least 1 (a batch axis).", nameof(input));
        }

        return input.Reshape(input.Shape[0], -1);
    }

    /// <inheritdoc/>
    public override string ToString() => "Flatten()";
}
