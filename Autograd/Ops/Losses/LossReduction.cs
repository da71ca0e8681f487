namespace Autograd.Ops;

/// <summary>Applies a <see cref="Reduction"/> to the per-element losses of the composed losses (Mse, L1, Huber).</summary>
internal static class LossReduction
{
    /// <summary>Throws when <paramref name="reduction"/> is not one of the enum's members.</summary>
    public static void Check(string op, Reduction reduction)
    {
        if (reduction is not (Reduction.Mean or Reduction.Sum or Reduction.None))
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction,
                $"{op}: reduction must be Reduction.Mean, Sum or None.");
        }
    }

    /// <summary>The mean (NaN when there are no elements, as PyTorch), the sum, or the losses themselves.</summary>
    public static Tensor Apply(Tensor losses, Reduction reduction) => reduction switch
    {
        Reduction.Mean => losses.Mean(),
        Reduction.Sum => losses.Sum(),
        _ => losses,
    };
}
