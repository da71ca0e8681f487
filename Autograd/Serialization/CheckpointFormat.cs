using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autograd.Optim;

namespace Autograd;

/// <summary>
/// The layout of a <see cref="Checkpoint"/> file, in one place: one safetensors file whose tensors are the model's
/// state dict under <c>model.</c> and the optimizer's buffers under <c>optimizer.</c> (<c>optimizer.state.0.exp_avg</c>),
/// and whose <c>__metadata__</c> holds everything else as strings, JSON where structured (see <see cref="Write"/>).
/// Writing is atomic; reading checks the whole layout and names the file and the key in every error.
/// </summary>
internal static class CheckpointFormat
{
    /// <summary>The value of <see cref="FormatKey"/> that marks a checkpoint.</summary>
    public const string FormatName = "autograd.checkpoint";

    /// <summary>The layout version written; files of a later version are refused.</summary>
    public const int Version = 1;

    /// <summary>The prefix of the model's tensors.</summary>
    public const string ModelPrefix = "model.";

    /// <summary>The prefix of the optimizer's buffers (followed by <see cref="OptimizerStateDict.ToTensors"/>' names).</summary>
    public const string OptimizerPrefix = "optimizer.";

    private const string FormatKey = "format";
    private const string VersionKey = "format_version";
    private const string EpochKey = "epoch";
    private const string GlobalStepKey = "global_step";
    private const string OptimizerTypeKey = "optimizer_type";
    private const string OptimizerKey = "optimizer";
    private const string SchedulerTypeKey = "scheduler_type";
    private const string SchedulerKey = "scheduler";
    private const string GeneratorsKey = "generators";
    private const string LoaderKey = "data_loader";

    /// <summary>The metadata keys the layout uses; the user's metadata may not.</summary>
    public static readonly IReadOnlySet<string> ReservedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        FormatKey, VersionKey, EpochKey, GlobalStepKey, OptimizerTypeKey, OptimizerKey, SchedulerTypeKey, SchedulerKey,
        GeneratorsKey, LoaderKey,
    };

    /// <summary>
    /// Writes <paramref name="checkpoint"/> to <paramref name="path"/>: to a new file beside it, flushed to disk, then
    /// moved over <paramref name="path"/>, so a crash at any moment leaves either the old file or the new one complete.
    /// Metadata: <c>format</c>, <c>format_version</c>, <c>epoch</c>, <c>global_step</c>, <c>optimizer_type</c>,
    /// <c>optimizer</c> (<see cref="OptimizerStateDict.ToJson"/>: per-parameter scalars and <c>param_groups</c>),
    /// <c>scheduler_type</c> and <c>scheduler</c> (its state dict) when there is one, <c>generators</c> (dotted name →
    /// state) and <c>data_loader</c> (<c>epoch</c>, <c>generator_state</c>, <c>count</c>, <c>shuffle</c>) when there is
    /// one, and the user's pairs. Generator states are decimal strings: JSON readers that parse numbers as doubles would
    /// round 64-bit values.
    /// </summary>
    public static void Write(string path, Checkpoint checkpoint)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in checkpoint.ModelState)
        {
            tensors.Add(ModelPrefix + name, tensor);
        }

        foreach (var (name, tensor) in checkpoint.OptimizerState.ToTensors())
        {
            tensors.Add(OptimizerPrefix + name, tensor);
        }

        var metadata = new Dictionary<string, string>(checkpoint.Metadata, StringComparer.Ordinal)
        {
            [FormatKey] = FormatName,
            [VersionKey] = Text(Version),
            [EpochKey] = Text(checkpoint.Epoch),
            [GlobalStepKey] = Text(checkpoint.GlobalStep),
            [OptimizerTypeKey] = checkpoint.OptimizerType,
            [OptimizerKey] = checkpoint.OptimizerState.ToJson().ToJsonString(),
            [GeneratorsKey] = GeneratorsJson(checkpoint.GeneratorStates).ToJsonString(),
        };
        if (checkpoint.SchedulerType is { } schedulerType)
        {
            metadata[SchedulerTypeKey] = schedulerType;
            metadata[SchedulerKey] = checkpoint.SchedulerState!.ToJsonString();
        }

        if (checkpoint.LoaderState is { } loader)
        {
            metadata[LoaderKey] = new JsonObject
            {
                ["epoch"] = loader.Epoch,
                ["generator_state"] = Text(loader.GeneratorState),
                ["count"] = loader.Count,
                ["shuffle"] = loader.Shuffle,
            }.ToJsonString();
        }

        WriteAtomically(path, tensors, metadata);
    }

    /// <summary>Reads and checks a checkpoint file.</summary>
    /// <exception cref="InvalidDataException">Not a safetensors file, not a checkpoint, a later version, a missing or
    /// malformed key, or a tensor outside the model and optimizer prefixes.</exception>
    public static Checkpoint Read(string path)
    {
        var tensors = SafeTensors.Load(path, out var metadata);
        string Required(string key) => metadata.TryGetValue(key, out var value)
            ? value
            : throw Invalid(path, $"the metadata has no '{key}'");

        if (!metadata.TryGetValue(FormatKey, out var format) || format != FormatName)
        {
            throw Invalid(path, $"not a checkpoint: its metadata has no \"{FormatKey}\": \"{FormatName}\" (a file of weights "
                + "only? load it with Module.Load or SafeTensors.Load)");
        }

        var version = ReadInt(path, VersionKey, Required(VersionKey));
        if (version != Version)
        {
            throw Invalid(path, version > Version
                ? $"format version {version} was written by a later version of the library, which reads version {Version}"
                : $"format version {version} is not one the library wrote (it writes version {Version})");
        }

        var modelState = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        var optimizerTensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name.StartsWith(ModelPrefix, StringComparison.Ordinal))
            {
                modelState.Add(name[ModelPrefix.Length..], tensor);
            }
            else if (name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            {
                optimizerTensors.Add(name[OptimizerPrefix.Length..], tensor);
            }
            else
            {
                throw Invalid(path, $"tensor '{name}' is neither the model's ('{ModelPrefix}...') nor the optimizer's ('{OptimizerPrefix}...')");
            }
        }

        OptimizerStateDict optimizerState;
        try
        {
            optimizerState = OptimizerStateDict.FromTensorsAndJson(optimizerTensors, ReadObject(path, OptimizerKey, Required(OptimizerKey)));
        }
        catch (ArgumentException e)
        {
            throw Invalid(path, $"the optimizer state is malformed: {e.Message}", e);
        }

        var hasScheduler = metadata.ContainsKey(SchedulerTypeKey);
        if (hasScheduler != metadata.ContainsKey(SchedulerKey))
        {
            throw Invalid(path, $"the metadata has one of '{SchedulerTypeKey}' and '{SchedulerKey}' without the other");
        }

        var userMetadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            if (!ReservedKeys.Contains(key))
            {
                userMetadata.Add(key, value);
            }
        }

        return new Checkpoint(
            path,
            modelState,
            Required(OptimizerTypeKey),
            optimizerState,
            hasScheduler ? metadata[SchedulerTypeKey] : null,
            hasScheduler ? ReadObject(path, SchedulerKey, metadata[SchedulerKey]) : null,
            ReadGenerators(path, Required(GeneratorsKey)),
            metadata.TryGetValue(LoaderKey, out var loader) ? ReadLoader(path, loader) : null,
            ReadInt(path, EpochKey, Required(EpochKey)),
            ReadLong(path, GlobalStepKey, Required(GlobalStepKey)),
            userMetadata);
    }

    private static void WriteAtomically(string path, Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                SafeTensorsWriter.Write(stream, names, tensors, metadata, FloatStorage.Native);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);   // no-op when it was never created
            throw;
        }
    }

    private static JsonObject GeneratorsJson(IReadOnlyDictionary<string, ulong> states)
    {
        var json = new JsonObject();
        foreach (var (name, state) in states)
        {
            json[name] = Text(state);
        }

        return json;
    }

    private static Dictionary<string, ulong> ReadGenerators(string path, string text)
    {
        var states = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var (name, node) in ReadObject(path, GeneratorsKey, text))
        {
            states[name] = ReadState(path, $"{GeneratorsKey}.{name}", node);
        }

        return states;
    }

    private static CheckpointLoaderState ReadLoader(string path, string text)
    {
        var json = ReadObject(path, LoaderKey, text);
        JsonNode Field(string name) => json[name] ?? throw Invalid(path, $"'{LoaderKey}' has no '{name}'");
        int Count(string name) =>
            Field(name) is JsonValue value && value.TryGetValue<int>(out var count) && count >= 0
                ? count
                : throw Invalid(path, $"{LoaderKey}.{name} must be a non-negative integer, not {Field(name).ToJsonString()}");

        var epoch = Count("epoch");
        var generatorState = ReadState(path, $"{LoaderKey}.generator_state", Field("generator_state"));
        var count = Count("count");
        var shuffle = Field("shuffle") is JsonValue flag && flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? flag.GetValue<bool>()
            : throw Invalid(path, $"{LoaderKey}.shuffle must be true or false, not {Field("shuffle").ToJsonString()}");
        return new CheckpointLoaderState(epoch, generatorState, count, shuffle);
    }

    private static ulong ReadState(string path, string key, JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            && ulong.TryParse(value.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var state)
            ? state
            : throw Invalid(path, $"{key} must be a generator state, a decimal string of a 64-bit unsigned integer, not {node?.ToJsonString() ?? "null"}");

    private static JsonObject ReadObject(string path, string key, string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw Invalid(path, $"'{key}' must be a JSON object, not {text}");
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"'{key}' is not valid JSON ({e.Message})", e);
        }
    }

    private static int ReadInt(string path, string key, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(path, $"'{key}' must be a non-negative integer, not '{text}'");

    private static long ReadLong(string path, string key, string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(path, $"'{key}' must be a non-negative integer, not '{text}'");

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"Checkpoint {path}: {problem}.", inner);
}
