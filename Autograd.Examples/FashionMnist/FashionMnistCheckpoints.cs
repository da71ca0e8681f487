using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Autograd.Data;
using Autograd.Examples.Common;
using Autograd.NN;
using Autograd.Optim;

namespace Autograd.Examples.FashionMnist;

/// <summary>
/// The checkpoint options of the fashion-mnist example: <c>--checkpoint PATH</c> saves a <see cref="Checkpoint"/> at the
/// end of every epoch, <c>--resume PATH</c> restores one and continues with the next epoch, and <c>--stop-after N</c>
/// ends the run after epoch N as an interruption would. A resumed run ends with the same weights, bit for bit, as an
/// uninterrupted one: compare their <see cref="WeightsSha256"/> lines.
/// </summary>
public sealed class FashionMnistCheckpoints
{
    private const string RunKey = "run";
    private const string AccuracyKey = "test_accuracy";

    private FashionMnistCheckpoints(string? checkpointPath, string? resumePath, int? stopAfter, string run)
    {
        CheckpointPath = checkpointPath;
        ResumePath = resumePath;
        StopAfter = stopAfter;
        Run = run;
    }

    /// <summary>The option names, for <see cref="Options.Parse"/>.</summary>
    public static IReadOnlyList<string> OptionNames { get; } = ["checkpoint", "resume", "stop-after"];

    /// <summary>Where to save a checkpoint after every epoch, or null.</summary>
    public string? CheckpointPath { get; }

    /// <summary>The checkpoint to resume from, or null.</summary>
    public string? ResumePath { get; }

    /// <summary>The epoch after which the run stops (an interruption), or null.</summary>
    public int? StopAfter { get; }

    /// <summary>The options that shape the run (batch size, learning rate, dropout, schedule); a resumed run must have
    /// the saved run's, or it would not continue the same training.</summary>
    public string Run { get; }

    /// <summary>Reads the options; <paramref name="run"/> describes the options that must match on resume.</summary>
    /// <exception cref="UsageException"><c>--stop-after</c> without <c>--checkpoint</c>.</exception>
    public static FashionMnistCheckpoints Parse(Options options, string run)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stopAfter = options.String("stop-after") is null ? (int?)null : options.PositiveInt("stop-after", 1);
        var checkpointPath = options.String("checkpoint");
        if (stopAfter is not null && checkpointPath is null)
        {
            throw new UsageException("--stop-after N simulates an interruption, which a checkpoint resumes: give --checkpoint PATH too.");
        }

        return new FashionMnistCheckpoints(checkpointPath, options.String("resume"), stopAfter, run);
    }

    /// <summary>The last epoch this process trains: <paramref name="epochs"/>, or <see cref="StopAfter"/> if earlier.</summary>
    public int LastEpoch(int epochs) => StopAfter is { } stop ? Math.Min(stop, epochs) : epochs;

    /// <summary>With <c>--resume</c>, restores the checkpoint into the freshly built objects and returns the epochs it
    /// had completed; otherwise returns 0.</summary>
    /// <exception cref="UsageException">No file at the path, or the checkpoint was written with other run options.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, or does not fit the model.</exception>
    public int Restore(Module model, Optimizer optimizer, LRScheduler? scheduler, DataLoader loader, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (ResumePath is null)
        {
            return 0;
        }

        if (!File.Exists(ResumePath))
        {
            throw new UsageException($"No checkpoint at {ResumePath} (--resume); write one with --checkpoint PATH.");
        }

        var checkpoint = Checkpoint.Load(ResumePath);
        var savedRun = checkpoint.Metadata.GetValueOrDefault(RunKey, "(not recorded)");
        if (savedRun != Run)
        {
            throw new UsageException($"--resume {ResumePath}: the checkpoint was written by a run with {savedRun}; this run has {Run}. "
                + "Resume with the same options (only --epochs may differ).");
        }

        try
        {
            checkpoint.Restore(model, optimizer, scheduler, loader);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{ResumePath} does not fit this run: {e.Message}", e);
        }

        output.WriteLine($"Resumed from {Path.GetFullPath(ResumePath)} after epoch {checkpoint.Epoch} "
            + $"(test accuracy then {checkpoint.Metadata.GetValueOrDefault(AccuracyKey, "?")})");
        return checkpoint.Epoch;
    }

    /// <summary>With <c>--checkpoint</c>, saves the run's state after <paramref name="epoch"/>.</summary>
    public void Save(int epoch, Module model, Optimizer optimizer, LRScheduler? scheduler, DataLoader loader, double testAccuracy)
    {
        if (CheckpointPath is null)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(CheckpointPath))!);
        Checkpoint.Save(CheckpointPath, model, optimizer, scheduler, loader, epoch, globalStep: (long)epoch * loader.BatchCount,
            metadata: new Dictionary<string, string>
            {
                [RunKey] = Run,
                [AccuracyKey] = testAccuracy.ToString("F4", CultureInfo.InvariantCulture),
            });
    }

    /// <summary>
    /// The SHA-256 of the model's weights, in lower-case hex: for each entry of its state dict in name order, the name,
    /// the shape and the raw little-endian bytes. Two runs print the same hash exactly when their weights are equal bit
    /// for bit.
    /// </summary>
    public static string WeightsSha256(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in model.StateDict().OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name} {tensor.DType} [{string.Join(",", tensor.Shape)}]\n"));
            hash.AppendData(tensor.DType switch
            {
                DType.Float32 => MemoryMarshal.AsBytes<float>(tensor.ToArray<float>()),
                DType.Float64 => MemoryMarshal.AsBytes<double>(tensor.ToArray<double>()),
                DType.Int64 => MemoryMarshal.AsBytes<long>(tensor.ToArray<long>()),
                _ => MemoryMarshal.AsBytes<bool>(tensor.ToArray<bool>()),
            });
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
