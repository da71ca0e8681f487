namespace Autograd.Optim;

/// <summary>
/// AdamW, PyTorch's <c>torch.optim.AdamW</c>: Adam with decoupled weight decay. Each step first
/// shrinks the parameter, <c>p = p·(1 − lr·weightDecay)</c>, then applies the Adam update to the
/// plain gradient (see <see cref="Adam"/>).
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="beta1">Decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">Decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">Added to the denominator for stability, ≥ 0.</param>
    /// <param name="weightDecay">Decoupled weight decay coefficient, ≥ 0 (PyTorch's default 0.01).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range or NaN.</exception>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay: true)
    {
    }
}
