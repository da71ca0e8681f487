using System.Globalization;
using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// An optimizer's state in PyTorch's <c>optimizer.state_dict()</c> layout: <see cref="State"/>, keyed by the
/// parameter's position across all groups (group 0's parameters first), and <see cref="ParamGroups"/>, each
/// group's options under PyTorch's names plus <c>"params"</c>, the positions of its parameters.
/// <see cref="Optimizer.StateDict"/> returns a snapshot (copies of the buffers).
/// </summary>
/// <remarks>
/// For a file, split it in two with <see cref="ToTensors"/> (every buffer, named <c>state.{i}.{name}</c>, e.g.
/// <c>state.0.exp_avg</c>: a safetensors file) and <see cref="ToJson"/> (everything else); join them with
/// <see cref="FromTensorsAndJson"/>:
/// <code>
/// var state = optimizer.StateDict();
/// SafeTensors.Save("optimizer.safetensors", state.ToTensors());
/// File.WriteAllText("optimizer.json", state.ToJson().ToJsonString());
/// // later, on a freshly built optimizer over the same parameters:
/// optimizer.LoadStateDict(OptimizerStateDict.FromTensorsAndJson(
///     SafeTensors.Load("optimizer.safetensors"), JsonNode.Parse(File.ReadAllText("optimizer.json"))!.AsObject()));
/// </code>
/// </remarks>
public sealed class OptimizerStateDict
{
    private const string TensorPrefix = "state.";

    /// <summary>Wraps a state and parameter groups.</summary>
    /// <param name="state">Per-parameter state, by position.</param>
    /// <param name="paramGroups">Per group: options under PyTorch's names and <c>"params"</c>, an array of positions.</param>
    public OptimizerStateDict(IReadOnlyDictionary<int, ParameterState> state, IReadOnlyList<JsonObject> paramGroups)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(paramGroups);
        State = state;
        ParamGroups = paramGroups;
    }

    /// <summary>PyTorch's <c>state</c>: the parameters that have state, by position.</summary>
    public IReadOnlyDictionary<int, ParameterState> State { get; }

    /// <summary>PyTorch's <c>param_groups</c>: each group's options (<c>lr</c>, <c>betas</c>, ...) and <c>params</c>.</summary>
    public IReadOnlyList<JsonObject> ParamGroups { get; }

    /// <summary>Every buffer, named <c>state.{position}.{name}</c> (the tensors themselves, not copies).</summary>
    /// <returns>The buffers, ready for <c>SafeTensors.Save</c>.</returns>
    public IReadOnlyDictionary<string, Tensor> ToTensors()
    {
        var tensors = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (index, entry) in State)
        {
            foreach (var (name, tensor) in entry.Tensors)
            {
                tensors.Add($"{TensorPrefix}{index.ToString(CultureInfo.InvariantCulture)}.{name}", tensor);
            }
        }

        return tensors;
    }

    /// <summary>
    /// Everything but the buffers: <c>{"state": {"0": {"step": 12}, ...}, "param_groups": [{"lr": 0.001, ...,
    /// "params": [0, 1]}]}</c>. Every parameter with state has an entry under <c>"state"</c>, empty if it has only
    /// buffers, so the two halves always describe the same parameters.
    /// </summary>
    /// <returns>A new JSON object.</returns>
    public JsonObject ToJson()
    {
        var state = new JsonObject();
        foreach (var (index, entry) in State.OrderBy(e => e.Key))
        {
            var scalars = new JsonObject();
            foreach (var (name, value) in entry.Scalars)
            {
                scalars[name] = StateJson.Number(value);
            }

            state[index.ToString(CultureInfo.InvariantCulture)] = scalars;
        }

        return new JsonObject
        {
            ["state"] = state,
            ["param_groups"] = new JsonArray(ParamGroups.Select(g => (JsonNode?)g.DeepClone()).ToArray()),
        };
    }

    /// <summary>Joins the two halves written by <see cref="ToTensors"/> and <see cref="ToJson"/>.</summary>
    /// <param name="tensors">The buffers, named <c>state.{position}.{name}</c>.</param>
    /// <param name="json">The rest: <c>"state"</c> (scalars per position) and <c>"param_groups"</c>.</param>
    /// <returns>The state dict.</returns>
    /// <exception cref="ArgumentException">A malformed name or key, or a buffer of a parameter that has no entry under
    /// <c>"state"</c>.</exception>
    public static OptimizerStateDict FromTensorsAndJson(IReadOnlyDictionary<string, Tensor> tensors, JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(json);
        const string What = "OptimizerStateDict.FromTensorsAndJson";

        var scalars = new SortedDictionary<int, Dictionary<string, double>>();
        foreach (var (key, node) in StateJson.ReadObject(StateJson.Required(json, "state", What), $"{What}: state"))
        {
            var index = ParseIndex(key, $"{What}: state key '{key}'");
            var values = new Dictionary<string, double>();
            foreach (var (name, value) in StateJson.ReadObject(node, $"{What}: state.{key}"))
            {
                values[name] = StateJson.ReadNumber(value, $"{What}: state.{key}.{name}");
            }

            scalars[index] = values;
        }

        var buffers = scalars.Keys.ToDictionary(i => i, _ => new Dictionary<string, Tensor>());
        foreach (var (key, tensor) in tensors)
        {
            var dot = key.StartsWith(TensorPrefix, StringComparison.Ordinal) ? key.IndexOf('.', TensorPrefix.Length) : -1;
            if (dot < 0 || dot == key.Length - 1)
            {
                throw new ArgumentException($"{What}: tensor '{key}' is not named state.<position>.<name>.");
            }

            var index = ParseIndex(key[TensorPrefix.Length..dot], $"{What}: tensor '{key}'");
            if (!buffers.TryGetValue(index, out var entry))
            {
                throw new ArgumentException($"{What}: tensor '{key}' belongs to parameter {index}, which has no entry under \"state\".");
            }

            entry[key[(dot + 1)..]] = tensor;
        }

        var groups = StateJson.ReadArray(StateJson.Required(json, "param_groups", What), $"{What}: param_groups")
            .Select((g, i) => (JsonObject)StateJson.ReadObject(g, $"{What}: param_groups[{i}]").DeepClone())
            .ToArray();
        var state = scalars.ToDictionary(e => e.Key, e => new ParameterState(buffers[e.Key], e.Value));
        return new OptimizerStateDict(state, groups);
    }

    private static int ParseIndex(string text, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : throw new ArgumentException($"{what}: '{text}' is not a parameter position.");
}
