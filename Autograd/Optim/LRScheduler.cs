namespace Autograd.Optim;

/// <summary>
/// Base class of learning-rate schedules, PyTorch's <c>torch.optim.lr_scheduler.LRScheduler</c>.
/// Call <see cref="Step"/> once per epoch, after the optimizer's steps; it advances
/// <see cref="LastEpoch"/> and writes the new rate into <see cref="Optimizer.LearningRate"/>.
/// Creating a schedule leaves the learning rate unchanged (epoch 0).
/// </summary>
public abstract class LRScheduler
{
    /// <summary>Attaches the schedule to <paramref name="optimizer"/>, taking its current learning rate as the base.</summary>
    /// <param name="optimizer">The optimizer whose learning rate is scheduled.</param>
    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLearningRate = optimizer.LearningRate;
        LastLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimizer whose learning rate is scheduled.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning rate when the schedule was created (PyTorch's <c>base_lrs</c>).</summary>
    public double BaseLearningRate { get; }

    /// <summary>The number of <see cref="Step"/> calls so far (PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The learning rate the last <see cref="Step"/> set (PyTorch's <c>get_last_lr()</c>).</summary>
    public double LastLearningRate { get; private set; }

    /// <summary>Advances one epoch and sets the optimizer's learning rate.</summary>
    public void Step()
    {
        LastEpoch++;
        var learningRate = NextLearningRate(Optimizer.LearningRate);
        Optimizer.LearningRate = learningRate;
        LastLearningRate = learningRate;
    }

    /// <summary>
    /// The learning rate for epoch <see cref="LastEpoch"/> (already advanced), from the current one,
    /// as PyTorch's chainable <c>get_lr()</c>.
    /// </summary>
    /// <param name="current">The optimizer's learning rate before this step.</param>
    /// <returns>The new learning rate.</returns>
    protected abstract double NextLearningRate(double current);
}
