namespace Autograd.NN;

/// <summary>
/// Inverted dropout, PyTorch's <c>nn.Dropout(p)</c>: in training mode each element is zeroed with
/// probability <see cref="P"/> and the survivors are scaled by 1/(1−p), so the expectation is
/// unchanged; in evaluation mode it is the identity. The mask is a constant, so the gradient flows
/// through the same multiplication.
/// </summary>
/// <remarks>
/// The masks come from <see cref="Generator"/>, registered with the module (<see cref="Module.NamedGenerators"/>) so
/// that a checkpoint can save and restore its state. A forward pass in training mode takes its draws in one atomic
/// step (<see cref="SplitMix64.Reserve"/>), so passes running on several threads at once draw disjoint parts of the
/// stream and never corrupt it; on one thread the masks are the same as ever for the same seed. (Which concurrent
/// pass gets which part depends on the scheduling.)
/// </remarks>
public sealed class Dropout : Module
{
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
        Generator = RegisterGenerator("generator", Init.CreateRandom(seed));
    }

    /// <summary>Probability of zeroing an element.</summary>
    public double P { get; }

    /// <summary>The generator of the masks; its <see cref="SplitMix64.State"/> is the layer's whole random state.</summary>
    public SplitMix64 Generator { get; }

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
        var random = Generator.Reserve(input.Count);   // this pass's draws, taken atomically (thread-safe)
        Tensor mask = Tensor.Empty(input.ShapeArray, input.DType);   // from the buffer pool; every element is written
        DTypeDispatch.Float(input.DType, new MaskAction(mask, random, keep, scale));
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
