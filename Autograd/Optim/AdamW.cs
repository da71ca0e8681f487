using System.Runtime.CompilerServices;

namespace Autograd.Optim;

/// <summary>
/// AdamW, PyTorch's <c>torch.optim.AdamW</c>: Adam with decoupled weight decay. Each step first
/// shrinks the parameter, <c>p = p·(1 − lr·weightDecay)</c>, then applies the Adam update to the
/// plain gradient (see <see cref="Adam"/>; AMSGrad and maximising as there).
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to optimise.</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="beta1">Decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">Decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">Added to the denominator for stability, ≥ 0.</param>
    /// <param name="weightDecay">Decoupled weight decay coefficient, ≥ 0 (PyTorch's default 0.01).</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range or NaN.</exception>
    [OverloadResolutionPriority(1)]
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(parameters, DefaultOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize), decoupledWeightDecay: true)
    {
    }

    /// <summary>Creates the optimizer over parameter groups; the arguments are the defaults of the options a group
    /// leaves unset (a group of biases and norm weights with <c>WeightDecay = 0</c>, typically).</summary>
    /// <param name="paramGroups">The parameter groups.</param>
    /// <param name="lr">Default learning rate, ≥ 0.</param>
    /// <param name="beta1">Default decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">Default decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">Default stability term, ≥ 0.</param>
    /// <param name="weightDecay">Default decoupled weight decay, ≥ 0.</param>
    /// <param name="amsgrad">Default for AMSGrad.</param>
    /// <param name="maximize">Default for maximising.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range or NaN.</exception>
    /// <exception cref="ArgumentException">A bad group, or a group option AdamW does not have.</exception>
    public AdamW(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(paramGroups, DefaultOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize), decoupledWeightDecay: true)
    {
    }
}
