using System.Text.Json.Nodes;
using Autograd.Data;
using Autograd.NN;
using Autograd.Optim;

namespace Autograd;

/// <summary>
/// Everything a training run needs to continue where it stopped, PyTorch's
/// <c>torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": ..., "epoch": epoch}, path)</c>
/// plus the random state PyTorch keeps globally: the model's parameters and buffers, the optimizer's per-parameter
/// state and parameter groups, the learning-rate schedule's state, the model's random generators (Dropout's), the data
/// loader's shuffling state, the epoch and step counters, and free string metadata. Kept in one safetensors file.
/// </summary>
/// <remarks>
/// <para>Save at the end of an epoch, restore into freshly built objects, and continue with the next epoch: the
/// resumed run draws the same batches and dropout masks and ends with the same weights, bit for bit, as the
/// uninterrupted one.</para>
/// <code>
/// Checkpoint.Save("run.ckpt", model, optimizer, scheduler, loader, epoch);           // after each epoch
///
/// // later, in a new process: build model, optimizer, scheduler and loader as before, then
/// var checkpoint = Checkpoint.Load("run.ckpt");
/// checkpoint.Restore(model, optimizer, scheduler, loader);
/// for (var epoch = checkpoint.Epoch + 1; epoch &lt;= epochs; epoch++) { ... }
/// </code>
/// <para>The file: the model's state dict under <c>model.</c> (<c>model.0.weight</c>), the optimizer's buffers under
/// <c>optimizer.</c> in PyTorch's layout (<c>optimizer.state.0.exp_avg</c>), and in the <c>__metadata__</c> the
/// optimizer's scalars and <c>param_groups</c> and the schedule's state dict as JSON, the generator states, the
/// loader's state, <c>epoch</c>, <c>global_step</c>, <c>format_version</c> and the user's pairs (docs/TRAINING.md,
/// "Checkpoints and resuming"). Mid-epoch resuming is not supported: the loader's state is that of the epochs it
/// started, so a checkpoint saved in the middle of an epoch resumes at the start of the next one.</para>
/// </remarks>
public sealed class Checkpoint
{
    private readonly JsonObject? _schedulerState;
    private readonly string _source;

    internal Checkpoint(string source, IReadOnlyDictionary<string, Tensor> modelState, string optimizerType,
        OptimizerStateDict optimizerState, string? schedulerType, JsonObject? schedulerState,
        IReadOnlyDictionary<string, ulong> generatorStates, CheckpointLoaderState? loaderState, int epoch, long globalStep,
        IReadOnlyDictionary<string, string> metadata)
    {
        _source = source;
        ModelState = modelState;
        OptimizerType = optimizerType;
        OptimizerState = optimizerState;
        SchedulerType = schedulerType;
        _schedulerState = schedulerState;
        GeneratorStates = generatorStates;
        LoaderState = loaderState;
        Epoch = epoch;
        GlobalStep = globalStep;
        Metadata = metadata;
    }

    /// <summary>The format version this library writes (the file's <c>format_version</c>); later ones are refused.</summary>
    public static int FormatVersion => CheckpointFormat.Version;

    /// <summary>The model's state dict (PyTorch's <c>checkpoint["model"]</c>): parameters and persistent buffers by
    /// dotted name. <c>model.LoadStateDict(checkpoint.ModelState)</c> restores the weights alone, for inference.</summary>
    public IReadOnlyDictionary<string, Tensor> ModelState { get; }

    /// <summary>The optimizer's class name (<c>Adam</c>); <see cref="Restore(Module, Optimizer, LRScheduler?, DataLoader?)"/>
    /// requires an optimizer of this class.</summary>
    public string OptimizerType { get; }

    /// <summary>The optimizer's state dict, PyTorch's layout: per-parameter state and parameter groups.</summary>
    public OptimizerStateDict OptimizerState { get; }

    /// <summary>The schedule's class name (<c>StepLR</c>, <c>ReduceLROnPlateau</c>), or null when none was saved.</summary>
    public string? SchedulerType { get; }

    /// <summary>The schedule's state dict (a copy), or null when none was saved.</summary>
    public JsonObject? SchedulerState => (JsonObject?)_schedulerState?.DeepClone();

    /// <summary>The state of each of the model's random generators (<see cref="Module.NamedGenerators"/>), by dotted name.</summary>
    public IReadOnlyDictionary<string, ulong> GeneratorStates { get; }

    /// <summary>The data loader's state, or null when none was saved.</summary>
    public CheckpointLoaderState? LoaderState { get; }

    /// <summary>The epoch counter saved: by convention the number of epochs completed, so a 1-based loop resumes at
    /// <c>Epoch + 1</c> and a 0-based one at <c>Epoch</c>.</summary>
    public int Epoch { get; }

    /// <summary>The step counter saved (optimizer steps so far, by convention; 0 when not given).</summary>
    public long GlobalStep { get; }

    /// <summary>The user's metadata: free string pairs (a loss, an accuracy, a configuration), as given to
    /// <see cref="Capture(Module, Optimizer, LRScheduler?, DataLoader?, int, long, IReadOnlyDictionary{string, string}?)"/>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Takes a snapshot of a training run's state in memory: copies of the model's tensors and of the optimizer's
    /// buffers, so later steps leave it unchanged. <see cref="Save(string)"/> writes it.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="scheduler">The learning-rate schedule, if any.</param>
    /// <param name="loader">The training data loader, if its order matters (a shuffled one).</param>
    /// <param name="epoch">The epoch counter (epochs completed, by convention), ≥ 0.</param>
    /// <param name="globalStep">A step counter (optimizer steps so far, by convention), ≥ 0.</param>
    /// <param name="metadata">Free string pairs kept with the state; keys other than the file's own (<c>epoch</c>,
    /// <c>optimizer</c>, <c>format</c>, ...).</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative counter.</exception>
    /// <exception cref="ArgumentException">A metadata key that the file uses itself, or an empty one.</exception>
    public static Checkpoint Capture(Module model, Optimizer optimizer, LRScheduler? scheduler = null, DataLoader? loader = null,
        int epoch = 0, long globalStep = 0, IReadOnlyDictionary<string, string>? metadata = null) =>
        Create(model, optimizer, CheckpointScheduler.Of(scheduler), loader, epoch, globalStep, metadata, copy: true);

    /// <summary>Takes a snapshot as <see cref="Capture(Module, Optimizer, LRScheduler?, DataLoader?, int, long, IReadOnlyDictionary{string, string}?)"/>,
    /// with a <see cref="ReduceLROnPlateau"/> schedule.</summary>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="scheduler">The schedule.</param>
    /// <param name="loader">The training data loader, if any.</param>
    /// <param name="epoch">The epoch counter, ≥ 0.</param>
    /// <param name="globalStep">A step counter, ≥ 0.</param>
    /// <param name="metadata">Free string pairs kept with the state.</param>
    /// <returns>The snapshot.</returns>
    public static Checkpoint Capture(Module model, Optimizer optimizer, ReduceLROnPlateau scheduler, DataLoader? loader = null,
        int epoch = 0, long globalStep = 0, IReadOnlyDictionary<string, string>? metadata = null) =>
        Create(model, optimizer, CheckpointScheduler.Of(scheduler), loader, epoch, globalStep, metadata, copy: true);

    /// <summary>
    /// Writes a training run's state to <paramref name="path"/> (PyTorch's <c>torch.save</c> of a checkpoint dict),
    /// atomically: the file is written beside <paramref name="path"/>, flushed to disk, then moved over it, so an
    /// interruption leaves the previous checkpoint whole. Call it between epochs.
    /// </summary>
    /// <param name="path">The file to write (replaced if it exists; its folder must exist).</param>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="scheduler">The learning-rate schedule, if any.</param>
    /// <param name="loader">The training data loader, if its order matters (a shuffled one).</param>
    /// <param name="epoch">The epoch counter (epochs completed, by convention), ≥ 0.</param>
    /// <param name="globalStep">A step counter (optimizer steps so far, by convention), ≥ 0.</param>
    /// <param name="metadata">Free string pairs kept with the state.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative counter.</exception>
    /// <exception cref="ArgumentException">A metadata key that the file uses itself, or an empty one.</exception>
    public static void Save(string path, Module model, Optimizer optimizer, LRScheduler? scheduler = null, DataLoader? loader = null,
        int epoch = 0, long globalStep = 0, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Create(model, optimizer, CheckpointScheduler.Of(scheduler), loader, epoch, globalStep, metadata, copy: false).Save(path);
    }

    /// <summary>Writes a training run's state as <see cref="Save(string, Module, Optimizer, LRScheduler?, DataLoader?, int, long, IReadOnlyDictionary{string, string}?)"/>,
    /// with a <see cref="ReduceLROnPlateau"/> schedule.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="scheduler">The schedule.</param>
    /// <param name="loader">The training data loader, if any.</param>
    /// <param name="epoch">The epoch counter, ≥ 0.</param>
    /// <param name="globalStep">A step counter, ≥ 0.</param>
    /// <param name="metadata">Free string pairs kept with the state.</param>
    public static void Save(string path, Module model, Optimizer optimizer, ReduceLROnPlateau scheduler, DataLoader? loader = null,
        int epoch = 0, long globalStep = 0, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Create(model, optimizer, CheckpointScheduler.Of(scheduler), loader, epoch, globalStep, metadata, copy: false).Save(path);
    }

    /// <summary>Writes this checkpoint to <paramref name="path"/>, atomically (see
    /// <see cref="Save(string, Module, Optimizer, LRScheduler?, DataLoader?, int, long, IReadOnlyDictionary{string, string}?)"/>).</summary>
    /// <param name="path">The file to write (replaced if it exists; its folder must exist).</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckpointFormat.Write(path, this);
    }

    /// <summary>
    /// Reads a checkpoint file (PyTorch's <c>torch.load</c>) and checks its layout: that it is a checkpoint of a version
    /// this library reads, and every key and value it needs. Nothing is restored until
    /// <see cref="Restore(Module, Optimizer, LRScheduler?, DataLoader?)"/>.
    /// </summary>
    /// <param name="path">A file written by <see cref="Save(string)"/>.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file, not a checkpoint (a file of
    /// weights only, say), of a later format version, or has a missing or malformed entry; the message names the file
    /// and the entry.</exception>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return CheckpointFormat.Read(path);
    }

    /// <summary>
    /// Restores the checkpoint into a model, optimizer, schedule and loader built as for the saved run (PyTorch's
    /// <c>model.load_state_dict(ckpt["model"])</c>, <c>optimizer.load_state_dict(ckpt["optimizer"])</c>, ...): the
    /// weights and buffers, the optimizer's state and groups' options (learning rates included), the schedule's state,
    /// the model's generator states, the loader's epoch count and shuffling state. Strict: the checkpoint's parts and
    /// the objects given must correspond one to one.
    /// </summary>
    /// <remarks>
    /// Everything is checked before anything changes, and on an exception the objects are as they were: the model's
    /// names, shapes and dtypes, the generators' names, the optimizer's and schedule's classes, the loader's sample count
    /// and shuffling; then the schedule and the optimizer check their own state (the schedule is put back when the
    /// optimizer's state does not fit).
    /// </remarks>
    /// <param name="model">The model, built as the saved one.</param>
    /// <param name="optimizer">An optimizer of class <see cref="OptimizerType"/> over the model's parameters, with the
    /// same parameter groups.</param>
    /// <param name="scheduler">A schedule of class <see cref="SchedulerType"/> on <paramref name="optimizer"/>; null
    /// exactly when the checkpoint holds none.</param>
    /// <param name="loader">The training loader, over the same samples; null exactly when the checkpoint holds none.</param>
    /// <exception cref="ArgumentException">Something does not correspond: a missing or unexpected tensor or generator,
    /// a shape or dtype, the optimizer's or schedule's class, a schedule or loader given or saved but not both, the
    /// loader's samples or shuffling, or a state the optimizer or schedule rejects. The message names it.</exception>
    public void Restore(Module model, Optimizer optimizer, LRScheduler? scheduler = null, DataLoader? loader = null) =>
        Restore(model, optimizer, CheckpointScheduler.Of(scheduler), loader);

    /// <summary>Restores the checkpoint as <see cref="Restore(Module, Optimizer, LRScheduler?, DataLoader?)"/>, with a
    /// <see cref="ReduceLROnPlateau"/> schedule.</summary>
    /// <param name="model">The model, built as the saved one.</param>
    /// <param name="optimizer">An optimizer of class <see cref="OptimizerType"/>.</param>
    /// <param name="scheduler">The schedule.</param>
    /// <param name="loader">The training loader; null exactly when the checkpoint holds none.</param>
    /// <exception cref="ArgumentException">Something does not correspond; the message names it.</exception>
    public void Restore(Module model, Optimizer optimizer, ReduceLROnPlateau scheduler, DataLoader? loader = null) =>
        Restore(model, optimizer, CheckpointScheduler.Of(scheduler), loader);

    /// <summary>The snapshot behind Capture (<paramref name="copy"/>: copies of every tensor) and Save (no copy: the
    /// live tensors and optimizer buffers, only read while the file is written, and never handed to the user).</summary>
    private static Checkpoint Create(Module model, Optimizer optimizer, CheckpointScheduler? scheduler, DataLoader? loader,
        int epoch, long globalStep, IReadOnlyDictionary<string, string>? metadata, bool copy)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(globalStep);
        var userMetadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrEmpty(key) || CheckpointFormat.ReservedKeys.Contains(key))
            {
                throw new ArgumentException(
                    $"Checkpoint: metadata key '{key}' is empty or one the file uses itself ({string.Join(", ", CheckpointFormat.ReservedKeys.Order())}).",
                    nameof(metadata));
            }

            userMetadata.Add(key, value ?? throw new ArgumentException($"Checkpoint: metadata '{key}' is null.", nameof(metadata)));
        }

        var modelState = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.StateDict())
        {
            modelState.Add(name, copy ? new Tensor((Array)tensor.Storage.Clone(), tensor.Shape, tensor.DType) : tensor);
        }

        var generators = new OrderedDictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var (name, generator) in model.NamedGenerators())
        {
            generators.Add(name, generator.State);
        }

        return new Checkpoint("(captured)", modelState, optimizer.GetType().Name, optimizer.BuildStateDict(copyBuffers: copy), scheduler?.TypeName,
            scheduler?.StateDict(), generators, loader is null ? null : CheckpointLoaderState.Of(loader), epoch, globalStep,
            userMetadata);
    }

    private void Restore(Module model, Optimizer optimizer, CheckpointScheduler? scheduler, DataLoader? loader)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        CheckModel(model);
        CheckGenerators(model);
        CheckTypes(optimizer, scheduler);
        CheckLoader(loader);

        // The schedule and the optimizer each check their state before changing; the schedule's previous state, a
        // small JSON object, puts it back if the optimizer then refuses its state.
        var previousSchedule = scheduler?.StateDict();
        try
        {
            scheduler?.LoadStateDict(_schedulerState!);
        }
        catch (ArgumentException e)
        {
            throw Mismatch($"the schedule's state does not fit the {scheduler!.TypeName}: {e.Message}", e);
        }

        try
        {
            optimizer.LoadStateDict(OptimizerState);
        }
        catch (ArgumentException e)
        {
            scheduler?.LoadStateDict(previousSchedule!);
            throw Mismatch($"the optimizer's state does not fit the {optimizer.GetType().Name}: {e.Message}", e);
        }

        model.LoadStateDict(ModelState);   // checked above: cannot fail
        foreach (var (name, generator) in model.NamedGenerators())
        {
            generator.State = GeneratorStates[name];
        }

        if (loader is not null)
        {
            loader.Epoch = LoaderState!.Epoch;
            loader.Generator.State = LoaderState.GeneratorState;
        }
    }

    /// <summary>The strict check of <see cref="Module.LoadStateDict"/>, made here so that it runs before the optimizer
    /// and the schedule change.</summary>
    private void CheckModel(Module model)
    {
        var own = model.StateDict();
        var problems = new List<string>();
        var missing = own.Keys.Where(k => !ModelState.ContainsKey(k)).Select(Quoted).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"missing tensor(s) {string.Join(", ", missing)}");
        }

        var unexpected = ModelState.Keys.Where(k => !own.ContainsKey(k)).Select(Quoted).ToList();
        if (unexpected.Count > 0)
        {
            problems.Add($"unexpected tensor(s) {string.Join(", ", unexpected)}");
        }

        foreach (var (name, tensor) in own)
        {
            if (!ModelState.TryGetValue(name, out var saved))
            {
                continue;
            }

            if (!saved.ShapeSpan.SequenceEqual(tensor.ShapeSpan))
            {
                problems.Add($"{Quoted(name)} has shape {ShapeText.Format(saved.ShapeSpan)} in the checkpoint, {ShapeText.Format(tensor.ShapeSpan)} in the model");
            }
            else if (saved.DType != tensor.DType)
            {
                problems.Add($"{Quoted(name)} is {saved.DType} in the checkpoint, {tensor.DType} in the model");
            }
        }

        if (problems.Count > 0)
        {
            throw Mismatch($"the model state does not fit the {model.GetType().Name}: {string.Join("; ", problems)}");
        }

        static string Quoted(string name) => $"'{CheckpointFormat.ModelPrefix}{name}'";
    }

    private void CheckGenerators(Module model)
    {
        var names = model.NamedGenerators().Select(g => g.Name).ToList();
        var missing = names.Where(n => !GeneratorStates.ContainsKey(n)).ToList();
        var unexpected = GeneratorStates.Keys.Where(n => !names.Contains(n)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            throw Mismatch($"the model's random generators ({List(names)}) are not the checkpoint's ({List(GeneratorStates.Keys)})");
        }

        static string List(IEnumerable<string> names) => names.Any() ? string.Join(", ", names.Select(n => $"'{n}'")) : "none";
    }

    private void CheckTypes(Optimizer optimizer, CheckpointScheduler? scheduler)
    {
        var optimizerType = optimizer.GetType().Name;
        if (optimizerType != OptimizerType)
        {
            throw Mismatch($"it holds optimizer state of class {OptimizerType}, and the optimizer given is of class {optimizerType}");
        }

        if (scheduler is null && SchedulerType is not null)
        {
            throw Mismatch($"it holds schedule state of class {SchedulerType}: pass the schedule to Restore "
                + "(or restore the parts yourself from ModelState and OptimizerState)");
        }

        if (scheduler is not null && SchedulerType is null)
        {
            throw Mismatch($"a {scheduler.TypeName} schedule was given, but the checkpoint holds no schedule state");
        }

        if (scheduler is not null && scheduler.TypeName != SchedulerType)
        {
            throw Mismatch($"it holds schedule state of class {SchedulerType}, and the schedule given is of class {scheduler.TypeName}");
        }
    }

    private void CheckLoader(DataLoader? loader)
    {
        if (loader is null && LoaderState is not null)
        {
            throw Mismatch("it holds a data loader's state: pass the training loader to Restore, so that it draws the same "
                + "batches as the saved run");
        }

        if (loader is not null && LoaderState is null)
        {
            throw Mismatch("a data loader was given, but the checkpoint holds no loader state");
        }

        if (loader is not null && (loader.Count != LoaderState!.Count || loader.Shuffle != LoaderState.Shuffle))
        {
            throw Mismatch($"the saved loader drew from {LoaderState.Count} samples{(LoaderState.Shuffle ? ", shuffled" : ", in order")}; "
                + $"this one draws from {loader.Count}{(loader.Shuffle ? ", shuffled" : ", in order")}");
        }
    }

    private ArgumentException Mismatch(string problem, Exception? inner = null) =>
        new($"Checkpoint.Restore from {_source}: {problem}. Nothing was restored.", inner);
}
