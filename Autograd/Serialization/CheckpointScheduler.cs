using System.Text.Json.Nodes;
using Autograd.Optim;

namespace Autograd;

/// <summary>
/// The two kinds of learning-rate schedule, seen alike by <see cref="Checkpoint"/>: every <see cref="LRScheduler"/>
/// and <see cref="ReduceLROnPlateau"/> (which, as in PyTorch, is not one) have a JSON state dict and a type name.
/// </summary>
/// <param name="TypeName">The schedule's class name (<c>StepLR</c>), checked on restore.</param>
/// <param name="StateDict">Returns the schedule's state.</param>
/// <param name="LoadStateDict">Restores a state, checking it before changing anything.</param>
internal sealed record CheckpointScheduler(string TypeName, Func<JsonObject> StateDict, Action<JsonObject> LoadStateDict)
{
    /// <summary>Wraps <paramref name="scheduler"/>; null for none.</summary>
    public static CheckpointScheduler? Of(LRScheduler? scheduler) =>
        scheduler is null ? null : new(scheduler.GetType().Name, scheduler.StateDict, scheduler.LoadStateDict);

    /// <summary>Wraps <paramref name="scheduler"/>.</summary>
    public static CheckpointScheduler Of(ReduceLROnPlateau scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        return new(nameof(ReduceLROnPlateau), scheduler.StateDict, scheduler.LoadStateDict);
    }
}
