namespace Autograd.Optim;

/// <summary>
/// A schedule given by a function, PyTorch's <c>LambdaLR</c>: after <c>e</c> calls of <see cref="LRScheduler.Step"/>
/// the learning rate is <c>base · lrLambda(e)</c>. Construction sets it to <c>base · lrLambda(0)</c>, as PyTorch's
/// does. Warmup followed by cosine decay, for example:
/// <code>new LambdaLR(opt, s => s &lt; warmup ? (s + 1.0) / warmup : 0.5 * (1 + Math.Cos(Math.PI * (s - warmup) / (total - warmup))))</code>
/// </summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<int, double> _lrLambda;

    /// <summary>Creates the schedule and applies factor <c>lrLambda(0)</c>.</summary>
    /// <param name="optimizer">The optimizer whose learning rate is scheduled.</param>
    /// <param name="lrLambda">The factor of the base learning rate at each epoch (step) count.</param>
    public LambdaLR(Optimizer optimizer, Func<int, double> lrLambda)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(lrLambda);
        _lrLambda = lrLambda;
        optimizer.LearningRate = BaseLearningRate * lrLambda(0);
    }

    /// <inheritdoc/>
    protected override double NextLearningRate(double current) => BaseLearningRate * _lrLambda(LastEpoch);
}
