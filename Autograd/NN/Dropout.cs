namespace Autograd.NN;

/// <summary>
/// Inverted dropout, PyTorch's <c>nn.Dropout(p)</c>: in training mode each element is zeroed with
/// probability <see cref="P"/> and the survivors are scaled by 1/(1−p), so the expectation is
/// unchanged; in evaluation mode it is the identity. The mask is a constant, so the gradient flows
/// through the same multiplication.
/// </summary>
public sealed class Dropout : Module
{
    private readonly SplitMix64 _random;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">Probability of zeroing an element, in [0, 1].</param>
    /// <param name="seed">Seed of the masks (successive calls draw successive masks); null draws one at random.</param>
    public Dropout(double p = 0.5, int? seed = null)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability has to be between 0 and 1.");
        }

        P = p;
        _random = Init.CreateRandom(seed);
    }

    /// <summary>Probability of zeroing an element.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsTraining || P == 0)
        {
            return input;
        }

        var keep = 1 - P;
        var scale = keep > 0 ? 1 / keep : 0;
        Tensor mask = Tensor.Empty(input.ShapeArray, input.DType);   // from the buffer pool; every element is written
        DTypeDispatch.Float(input.DType, new MaskAction(mask, _random, keep, scale));
        return input * mask;
    }

    /// <summary>Each element scale with probability keep, else 0, drawn in order from the layer's stream.</summary>
    private readonly struct MaskAction(Tensor mask, SplitMix64 random, double keep, double scale) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            Span<T> values = mask.Span<T>();
            T kept = T.CreateChecked(scale);
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = random.NextDouble() < keep ? kept : T.Zero;
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Dropout(p={P})";
}
