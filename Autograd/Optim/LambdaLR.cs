namespace Autograd.Optim;

/// <summary>
/// A schedule given by functions, PyTorch's <c>LambdaLR</c>: after <c>e</c> calls of <see cref="LRScheduler.Step"/>
/// group g's learning rate is <c>base_g · lrLambda_g(e)</c>. Construction sets it to <c>base_g · lrLambda_g(0)</c>,
/// as PyTorch's does. Warmup followed by cosine decay, for example:
/// <code>new LambdaLR(opt, s => s &lt; warmup ? (s + 1.0) / warmup : 0.5 * (1 + Math.Cos(Math.PI * (s - warmup) / (total - warmup))))</code>
/// The functions are not state: a state dict restores the epoch, and the schedule built again supplies them.
/// </summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<int, double>[] _lrLambdas;

    /// <summary>Creates the schedule with one function for every group and applies factor <c>lrLambda(0)</c>.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="lrLambda">The factor of the base learning rate at each epoch (step) count.</param>
    public LambdaLR(Optimizer optimizer, Func<int, double> lrLambda)
        : this(optimizer, Repeat(optimizer, lrLambda))
    {
    }

    /// <summary>Creates the schedule with one function per group and applies each at epoch 0.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="lrLambdas">One factor function per parameter group, in order.</param>
    /// <exception cref="ArgumentException">The number of functions differs from the number of groups.</exception>
    public LambdaLR(Optimizer optimizer, IReadOnlyList<Func<int, double>> lrLambdas)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(lrLambdas);
        if (lrLambdas.Count != optimizer.ParamGroups.Count)
        {
            throw new ArgumentException($"Expected {optimizer.ParamGroups.Count} lr_lambdas, but got {lrLambdas.Count}.", nameof(lrLambdas));
        }

        _lrLambdas = lrLambdas.ToArray();
        for (var i = 0; i < _lrLambdas.Length; i++)
        {
            if (_lrLambdas[i] is null)
            {
                throw new ArgumentException($"lr_lambdas[{i}] is null.", nameof(lrLambdas));
            }
        }

        InitialStep();
    }

    /// <inheritdoc/>
    protected override double NextLearningRate(int group, double current) =>
        BaseLearningRates[group] * _lrLambdas[group](LastEpoch);

    private static Func<int, double>[] Repeat(Optimizer optimizer, Func<int, double> lrLambda)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(lrLambda);
        return Enumerable.Repeat(lrLambda, optimizer.ParamGroups.Count).ToArray();
    }
}
