using System.Diagnostics;
using Autograd.Examples.Common;
using Autograd.NN;
using Autograd.Optim;

namespace Autograd.Examples.Spiral;

/// <summary>
/// Trains CS231n's 2-layer classifier (2 → 100 ReLU → 3) on the 3-class spiral with softmax
/// cross-entropy plus L2 (0.5·reg·ΣW²) and full-batch SGD with momentum, then writes the loss curve and the
/// decision regions as CSV (<c>Autograd.Examples.Plots</c> draws them). Exits with
/// <see cref="ExitCodes.BelowMinimumAccuracy"/> when the training accuracy misses the target, so CI notices a
/// regression.
/// </summary>
public static class SpiralExample
{
    /// <summary>Options and their defaults, for <c>--help</c>.</summary>
    public const string Usage =
        "spiral [--out DIR (out)] [--steps N (1000)] [--lr X (0.5)] [--momentum X (0.9)] [--reg X (0.001)] [--seed N (4)] [--min-accuracy X (0.98)]";

    private const int Hidden = 100;

    /// <summary>Runs the example; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var options = Options.Parse(args, "out", "steps", "lr", "momentum", "reg", "seed", "min-accuracy");
        var outDir = options.String("out", "out")!;
        var steps = options.PositiveInt("steps", 1000);
        var lr = options.Double("lr", 0.5);
        var momentum = options.Double("momentum", 0.9);
        var reg = options.Double("reg", 1e-3);
        var seed = options.PositiveInt("seed", 4);
        var minAccuracy = options.Double("min-accuracy", 0.98);

        var data = SpiralData.Generate();
        var x = data.ToTensor();
        var fc1 = new Linear(2, Hidden, seed: seed);
        var fc2 = new Linear(Hidden, data.Classes, seed: seed + 1);
        var model = new Sequential(fc1, new ReLU(), fc2);
        var optimizer = new Sgd(model.Parameters(), lr, momentum);

        output.WriteLine($"Spiral: {data.Count} points in {data.Classes} classes (coordinate sum {data.Points.Sum(p => (double)p):F6}, as workloads.py's spiral() checksum)");
        output.WriteLine($"Model 2-{Hidden}-{data.Classes}, SGD lr {lr} momentum {momentum}, L2 {reg}, {steps} full-batch steps");
        var losses = new double[steps];
        var accuracies = new double[steps];
        var every = Math.Max(1, steps / 10);
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            optimizer.ZeroGrad();
            var logits = model.Forward(x);
            var l2 = ((fc1.Weight * fc1.Weight).Sum() + (fc2.Weight * fc2.Weight).Sum()) * (0.5 * reg);
            var loss = Loss.CrossEntropy(logits, data.Labels) + l2;
            loss.Backward();
            optimizer.Step();

            // Loss and accuracy are those of the parameters before this step's update.
            losses[step] = loss.Item();
            accuracies[step] = Metrics.CountCorrect(logits, data.Labels) / (double)data.Count;
            if ((step + 1) % every == 0 || step == 0)
            {
                output.WriteLine($"  step {step + 1,6}  loss {losses[step]:F4}  accuracy {accuracies[step] * 100:F1}%");
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        double accuracy;
        using (Tape.NoGrad())
        {
            accuracy = Metrics.CountCorrect(model.Forward(x), data.Labels) / (double)data.Count;
        }

        output.WriteLine($"Training accuracy {accuracy * 100:F2}% after {steps} steps in {seconds:F2} s ({seconds / steps * 1e6:F0} µs/step)");

        Directory.CreateDirectory(outDir);
        string[] written =
        [
            SpiralPlotData.WriteLossCurve(outDir, losses, accuracies),
            SpiralPlotData.WritePoints(outDir, data),
            SpiralPlotData.WriteDecisionRegions(outDir, model),
        ];
        foreach (var path in written)
        {
            output.WriteLine($"Wrote {Path.GetFullPath(path)}");
        }

        output.WriteLine(PlotHint.For(outDir));

        if (accuracy < minAccuracy)
        {
            Console.Error.WriteLine($"FAIL: training accuracy {accuracy * 100:F2}% is below the required {minAccuracy * 100:F2}%.");
            return ExitCodes.BelowMinimumAccuracy;
        }

        return ExitCodes.Success;
    }
}
