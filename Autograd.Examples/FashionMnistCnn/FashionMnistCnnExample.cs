using Autograd.Data;
using Autograd.Examples.Common;
using Autograd.Examples.FashionMnist;
using Autograd.NN;
using Autograd.Optim;

namespace Autograd.Examples.FashionMnistCnn;

/// <summary>
/// Trains a small CNN on Fashion-MNIST: two blocks of 3×3 convolution, BatchNorm, ReLU and 2×2 max-pooling
/// (1→32→64 channels), then dropout and a linear head, with Adam and a cosine learning-rate decay. Prints seconds per
/// epoch, writes the curves as CSV (for Autograd.Examples.Plots) and ends with <c>Test accuracy 0.XXXX</c>.
/// </summary>
public static class FashionMnistCnnExample
{
    /// <summary>Options and their defaults, for <c>--help</c>.</summary>
    public static string Usage =>
        $"fashion-mnist-cnn [--data DIR ({FashionMnistData.DefaultDirectory})] [--epochs N ({DefaultEpochs})] [--batch N ({DefaultBatch})]\n" +
        "                  [--lr X (0.002)] [--limit N (all training images)] [--min-accuracy X (none)] [--out DIR (out)]";

    private const int DefaultEpochs = 8;
    private const int DefaultBatch = 64;
    private const int Seed = 1;

    /// <summary>The network: [N,1,28,28] → logits [N,10].</summary>
    public static Sequential CreateModel(int seed) => new(
        new Conv2d(1, 32, 3, padding: 1, seed: seed), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, padding: 1, seed: seed + 1), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Dropout(0.3, seed: seed + 2), new Linear(64 * 7 * 7, FashionMnistData.Classes, seed: seed + 3));

    /// <summary>Runs the example; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var options = Options.Parse(args, "data", "epochs", "batch", "lr", "limit", "min-accuracy", "out");
        var dataDir = options.String("data", FashionMnistData.DefaultDirectory)!;
        var missing = FashionMnistData.MissingFiles(dataDir);
        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"Fashion-MNIST not found in {dataDir} (missing: {string.Join(", ", missing.Select(m => m + "[.gz]"))}).");
            Console.Error.WriteLine("Install it with:  sudo apt-get install dataset-fashion-mnist");
            return ExitCodes.DataMissing;
        }

        var epochs = options.PositiveInt("epochs", DefaultEpochs);
        var batchSize = options.PositiveInt("batch", DefaultBatch);
        var lr = options.Double("lr", 2e-3);
        var outDir = options.String("out", "out")!;
        var train = FashionMnistData.LoadTrain(dataDir);
        var test = FashionMnistData.LoadTest(dataDir);
        int limit = Math.Min(options.PositiveInt("limit", train.Count), train.Count);
        if (limit < train.Count)
        {
            train = new FashionMnistSplit(train.Images.Narrow(0, 0, limit), train.Labels[..limit]);
        }

        output.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images from {dataDir}");
        var model = CreateModel(Seed);
        output.WriteLine($"Model: conv(1→32)-BN-ReLU-pool, conv(32→64)-BN-ReLU-pool, dropout 0.3, linear(3136→10); "
            + $"{model.Parameters().Sum(p => p.Count):N0} parameters; Adam lr {lr} with cosine decay, batch {batchSize}, {epochs} epoch(s)");

        var loader = new DataLoader(train.Images, train.Labels, batchSize, shuffle: true, seed: Seed);
        var optimizer = new Adam(model.Parameters(), lr);
        var schedule = new CosineAnnealingLR(optimizer, tMax: epochs * loader.BatchCount, etaMin: lr * 0.02);
        var losses = new List<double>();
        var accuracies = new List<double>();
        double testAccuracy = 0, totalSeconds = 0;
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            model.Train();
            var progress = new ProgressBar(output, $"epoch {epoch}/{epochs}", loader.BatchCount);
            double lossSum = 0;
            int seen = 0, done = 0;
            foreach (var batch in loader)
            {
                optimizer.ZeroGrad();
                var loss = Loss.CrossEntropy(model.Forward(Images(batch.X)), batch.Labels);
                loss.Backward();
                optimizer.Step();
                schedule.Step();
                lossSum += loss.Item() * batch.Labels.Length;
                seen += batch.Labels.Length;
                progress.Report(++done, $"loss {lossSum / seen:F4}");
            }

            progress.Finish($"loss {lossSum / seen:F4}");
            double seconds = progress.ElapsedSeconds;   // training only, before the evaluation below
            totalSeconds += seconds;
            testAccuracy = Accuracy(model, test);
            losses.Add(lossSum / seen);
            accuracies.Add(testAccuracy);
            output.WriteLine($"epoch {epoch}/{epochs}: train loss {lossSum / seen:F4}, test accuracy {testAccuracy:F4}, {seconds:F1} s");
        }

        Directory.CreateDirectory(outDir);
        string csv = Path.Combine(outDir, "fashion-mnist-cnn.csv");
        CsvFile.Write(csv, ["epoch", "loss", "accuracy"], losses.Select((loss, i) => (IReadOnlyList<double>)[i + 1, loss, accuracies[i]]));
        output.WriteLine($"Saved training loss and test accuracy per epoch to {Path.GetFullPath(csv)}");
        output.WriteLine(PlotHint.For(outDir));
        output.WriteLine($"{totalSeconds / epochs:F1} s per epoch");
        output.WriteLine($"Test accuracy {testAccuracy:F4}");
        if (testAccuracy < options.Double("min-accuracy", 0))
        {
            Console.Error.WriteLine($"FAIL: test accuracy {testAccuracy:F4} is below the required {options.Double("min-accuracy", 0):F4}.");
            return ExitCodes.BelowMinimumAccuracy;
        }

        return ExitCodes.Success;
    }

    /// <summary>[N,784] rows as [N,1,28,28] images (a view: no copy).</summary>
    private static Tensor Images(Tensor rows) => rows.Reshape(-1, 1, 28, 28);

    private static double Accuracy(Module model, FashionMnistSplit split)
    {
        model.Eval();
        var correct = 0;
        using (Tape.NoGrad())
        {
            foreach (var batch in new DataLoader(split.Images, split.Labels, 500, shuffle: false))
            {
                correct += Metrics.CountCorrect(model.Forward(Images(batch.X)), batch.Labels);
            }
        }

        return correct / (double)split.Count;
    }
}
