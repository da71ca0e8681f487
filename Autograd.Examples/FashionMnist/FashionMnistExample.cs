using Autograd.Data;
using Autograd.Distributed;
using Autograd.Examples.Common;
using Autograd.NN;
using Autograd.Optim;

namespace Autograd.Examples.FashionMnist;

/// <summary>
/// Trains a 784-256-128-10 ReLU MLP with Adam on Fashion-MNIST, reports test accuracy and seconds per
/// epoch, and saves the weights as safetensors; or, with <c>--evaluate PATH</c>, reloads weights and
/// only evaluates them. Training can be checkpointed, interrupted and resumed (<see cref="FashionMnistCheckpoints"/>).
/// </summary>
public static class FashionMnistExample
{
    /// <summary>Options and their defaults, for <c>--help</c>.</summary>
    public static string Usage =>
        $"fashion-mnist [--data DIR ({FashionMnistData.DefaultDirectory})] [--epochs N ({DefaultEpochs})] [--batch N ({DefaultBatch})] [--lr X (0.001)]\n" +
        "                  [--dropout P (0)] [--schedule constant|cosine (constant)]\n" +
        "                  [--min-accuracy X (none)] [--save PATH (out/fashion-mnist.safetensors)] [--evaluate PATH]\n" +
        "                  [--checkpoint PATH (saved after every epoch)] [--resume PATH] [--stop-after N (epochs)]\n" +
        "                  [--distributed]  (under mpirun: data-parallel over the ranks; --batch is the global batch)";

    private const int DefaultEpochs = 10;
    private const int DefaultBatch = 128;
    private const int Seed = 1;
    private static readonly int[] _sizes = [FashionMnistData.Features, 256, 128, FashionMnistData.Classes];

    /// <summary>Runs the example; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        bool distributed = args.Contains("--distributed");
        var options = Options.Parse(args.Where(a => a != "--distributed").ToList(),
            ["data", "epochs", "batch", "lr", "min-accuracy", "save", "evaluate", "dropout", "schedule", .. FashionMnistCheckpoints.OptionNames]);
        var dataDir = options.String("data", FashionMnistData.DefaultDirectory)!;
        var minAccuracy = options.Double("min-accuracy", 0);
        var evaluatePath = options.String("evaluate");

        var missing = FashionMnistData.MissingFiles(dataDir);
        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"Fashion-MNIST not found in {dataDir} (missing: {string.Join(", ", missing.Select(m => m + "[.gz]"))}).");
            Console.Error.WriteLine("Install it with:  sudo apt-get install dataset-fashion-mnist");
            Console.Error.WriteLine("or download the four *-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist and pass --data DIR.");
            return ExitCodes.DataMissing;
        }

        try
        {
            using ProcessGroup? group = distributed ? ProcessGroup.InitMpi() : null;
            var accuracy = evaluatePath is null
                ? Train(options, dataDir, group is { Rank: > 0 } ? TextWriter.Null : output, group)
                : Evaluate(evaluatePath, dataDir, output);
            if (accuracy < minAccuracy)
            {
                Console.Error.WriteLine($"FAIL: test accuracy {accuracy:F4} is below the required {minAccuracy:F4}.");
                return ExitCodes.BelowMinimumAccuracy;
            }

            return ExitCodes.Success;
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"Invalid data: {e.Message}");
            return ExitCodes.InvalidData;
        }
    }

    private static double Train(Options options, string dataDir, TextWriter output, ProcessGroup? group)
    {
        var epochs = options.PositiveInt("epochs", DefaultEpochs);
        var batchSize = options.PositiveInt("batch", DefaultBatch);
        var lr = options.Double("lr", 1e-3);
        var savePath = options.String("save", Path.Combine("out", "fashion-mnist.safetensors"))!;
        var dropout = options.Double("dropout", 0);
        var schedule = options.String("schedule", "constant")!;
        if (dropout is < 0 or >= 1 || schedule is not ("constant" or "cosine"))
        {
            throw new UsageException($"--dropout must be in [0, 1) (got {dropout}) and --schedule constant or cosine (got '{schedule}').");
        }

        var checkpoints = FashionMnistCheckpoints.Parse(options, $"batch {batchSize}, lr {lr}, dropout {dropout}, schedule {schedule}");
        int rank = group?.Rank ?? 0, ranks = group?.Size ?? 1;
        if (batchSize % ranks != 0)
        {
            throw new UsageException($"--batch {batchSize} must be divisible by the number of ranks ({ranks}): each takes batch/{ranks}.");
        }

        var train = FashionMnistData.LoadTrain(dataDir);
        var test = FashionMnistData.LoadTest(dataDir);
        output.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images from {dataDir}");
        output.WriteLine($"Model {string.Join("-", _sizes)} (ReLU{(dropout > 0 ? $", dropout {dropout}" : "")}), Adam lr {lr}"
            + $"{(schedule == "cosine" ? " with cosine decay" : "")}, batch {batchSize}, {epochs} epoch(s)"
            + (group is null ? "" : $"; data-parallel over {ranks} MPI ranks, {batchSize / ranks} samples each"));

        // Sharded: each rank takes its part of every global batch (the same order on every rank, from the seed).
        var loader = new DataLoader(train.Images, train.Labels, batchSize / ranks, shuffle: true, seed: Seed, rank: rank, worldSize: ranks);
        // --dropout: Dropout after each hidden ReLU, each with its own seed; the parameters keep Mlp's names ("2.weight"),
        // so --evaluate loads them.
        var dropoutSeed = Seed;
        Func<Module>? activation = dropout > 0 ? () => new Sequential(new ReLU(), new Dropout(dropout, seed: ++dropoutSeed)) : null;
        var model = new Mlp(_sizes, activation, seed: Seed);
        Module trained = group is null ? model : new DistributedDataParallel(model, group);
        var optimizer = new Adam(trained.Parameters(), lr);
        LRScheduler? scheduler = schedule == "cosine" ? new CosineAnnealingLR(optimizer, tMax: epochs * loader.BatchCount) : null;
        var firstEpoch = checkpoints.Restore(model, optimizer, scheduler, loader, output) + 1;
        var lastEpoch = checkpoints.LastEpoch(epochs);
        var testAccuracy = firstEpoch > lastEpoch ? Accuracy(model, test) : 0.0;
        var totalSeconds = 0.0;
        for (var epoch = firstEpoch; epoch <= lastEpoch; epoch++)
        {
            var (loss, trainAccuracy, seconds) = TrainEpoch(trained, optimizer, scheduler, loader, $"epoch {epoch}/{epochs}", output);
            totalSeconds += seconds;
            testAccuracy = Accuracy(model, test);
            output.WriteLine($"epoch {epoch}/{epochs}: train loss {loss:F4}, train accuracy {trainAccuracy:F4}, test accuracy {testAccuracy:F4}, "
                + $"{seconds:F1} s, {loader.BatchCount / seconds:F1} steps/s");
            if (rank == 0)
            {
                checkpoints.Save(epoch, model, optimizer, scheduler, loader, testAccuracy);   // rank 0 writes; every rank resumes from it
            }
        }

        var epochsRun = Math.Max(lastEpoch - firstEpoch + 1, 0);
        var summary = $"Test accuracy {testAccuracy:F4} after {Math.Max(lastEpoch, firstEpoch - 1)} epoch(s)"
            + (epochsRun > 0 ? $"; {totalSeconds / epochsRun:F1} s per epoch" : "");
        if (rank != 0)
        {
            output.WriteLine(summary);
            return testAccuracy;   // weights and checkpoints are written by rank 0 only
        }

        output.WriteLine($"Weights SHA-256 {FashionMnistCheckpoints.WeightsSha256(model)}");
        if (lastEpoch < epochs)
        {
            output.WriteLine($"Stopped after epoch {lastEpoch} of {epochs} (--stop-after); continue with --resume {checkpoints.CheckpointPath}");
            output.WriteLine(summary);
            return testAccuracy;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(savePath));
        Directory.CreateDirectory(directory!);
        SafeTensors.Save(savePath, model.StateDict(), new Dictionary<string, string>
        {
            ["model"] = $"Mlp({string.Join("-", _sizes)}, ReLU)",
            ["test_accuracy"] = testAccuracy.ToString("F4"),
        });
        output.WriteLine($"Saved weights to {Path.GetFullPath(savePath)} (evaluate with --evaluate {savePath})");
        output.WriteLine(summary);
        return testAccuracy;
    }

    private static (double Loss, double Accuracy, double Seconds) TrainEpoch(
        Module model, Optimizer optimizer, LRScheduler? scheduler, DataLoader loader, string label, TextWriter output)
    {
        model.Train();
        var progress = new ProgressBar(output, label, loader.BatchCount);
        double lossSum = 0;
        int correct = 0, seen = 0, done = 0;
        foreach (var batch in loader)
        {
            optimizer.ZeroGrad();
            var logits = model.Forward(batch.X);
            var loss = Loss.CrossEntropy(logits, batch.Labels);
            loss.Backward();
            optimizer.Step();
            scheduler?.Step();

            lossSum += loss.Item() * batch.Labels.Length;
            correct += Metrics.CountCorrect(logits, batch.Labels);
            seen += batch.Labels.Length;
            progress.Report(++done, $"loss {lossSum / seen:F4} acc {correct / (double)seen:F4}");
        }

        progress.Finish($"loss {lossSum / seen:F4} acc {correct / (double)seen:F4}");
        return (lossSum / seen, correct / (double)seen, progress.ElapsedSeconds);
    }

    private static double Evaluate(string weightsPath, string dataDir, TextWriter output)
    {
        if (!File.Exists(weightsPath))
        {
            throw new UsageException($"No weights file at {weightsPath}; train first (it saves to --save PATH).");
        }

        var model = new Mlp(_sizes);
        try
        {
            model.LoadStateDict(SafeTensors.Load(weightsPath));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{weightsPath} does not hold a {string.Join("-", _sizes)} MLP: {e.Message}", e);
        }

        var test = FashionMnistData.LoadTest(dataDir);
        var accuracy = Accuracy(model, test);
        output.WriteLine($"Loaded {Path.GetFullPath(weightsPath)}; test accuracy {accuracy:F4} on {test.Count} images");
        return accuracy;
    }

    private static double Accuracy(Module model, FashionMnistSplit split)
    {
        model.Eval();
        var correct = 0;
        using (Tape.NoGrad())
        {
            foreach (var batch in new DataLoader(split.Images, split.Labels, 1000, shuffle: false))
            {
                correct += Metrics.CountCorrect(model.Forward(batch.X), batch.Labels);
            }
        }

        return correct / (double)split.Count;
    }
}
