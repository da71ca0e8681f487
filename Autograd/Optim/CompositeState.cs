using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>The <c>_schedulers</c> entry of SequentialLR's and ChainedScheduler's state dicts.</summary>
internal static class CompositeState
{
    /// <summary>Checks every child's state dict before any is loaded; returns the action that loads them all.</summary>
    public static Action PrepareChildren(JsonObject json, LRScheduler[] schedulers, string what)
    {
        var states = StateJson.ReadArray(StateJson.Required(json, "_schedulers", what), $"{what}: _schedulers");
        if (states.Count != schedulers.Length)
        {
            throw new ArgumentException($"{what}: the state dict has {states.Count} schedulers, the schedule {schedulers.Length}.");
        }

        var loads = schedulers
            .Select((s, i) => s.PrepareLoad(StateJson.ReadObject(states[i], $"{what}: _schedulers[{i}]"), $"{what}: _schedulers[{i}]"))
            .ToArray();
        return () =>
        {
            foreach (var load in loads)
            {
                load();
            }
        };
    }
}
