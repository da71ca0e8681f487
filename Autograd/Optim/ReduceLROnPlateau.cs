using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// Reduces the learning rates when a metric stops improving, PyTorch 1.13's <c>ReduceLROnPlateau</c> (not an
/// <see cref="LRScheduler"/>: it steps with the metric). After more than <see cref="Patience"/> epochs without
/// improvement each group's rate becomes <c>max(lr·factor, minLr)</c> (skipped when that changes it by no more
/// than <see cref="Eps"/>), then <see cref="Cooldown"/> epochs pass before bad epochs count again.
/// <code>
/// var plateau = new ReduceLROnPlateau(optimizer, PlateauMode.Min, factor: 0.5, patience: 3);
/// for (var epoch = 0; epoch &lt; epochs; epoch++) { Train(); plateau.Step(ValidationLoss()); }
/// </code>
/// </summary>
public sealed class ReduceLROnPlateau
{
    private double[] _minLearningRates;
    private double[] _lastLearningRates;

    /// <summary>Creates the schedule with one minimum rate for every group.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are reduced.</param>
    /// <param name="mode">Whether the metric should fall (a loss) or rise (an accuracy).</param>
    /// <param name="factor">The factor of each reduction, &lt; 1.</param>
    /// <param name="patience">Epochs without improvement tolerated before a reduction, ≥ 0.</param>
    /// <param name="threshold">How much better than the best a metric must be to count as an improvement.</param>
    /// <param name="thresholdMode">Whether <paramref name="threshold"/> is relative or absolute.</param>
    /// <param name="cooldown">Epochs after a reduction during which bad epochs are not counted, ≥ 0.</param>
    /// <param name="minLr">The lowest learning rate.</param>
    /// <param name="eps">Reductions that change a rate by no more than this are skipped.</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor ≥ 1, a negative patience or cooldown, or an unknown mode.</exception>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, double minLr = 0,
        double eps = 1e-8)
        : this(optimizer, mode, factor, patience, threshold, thresholdMode, cooldown, Repeat(optimizer, minLr), eps)
    {
    }

    /// <summary>Creates the schedule with a minimum rate per group.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are reduced.</param>
    /// <param name="mode">Whether the metric should fall (a loss) or rise (an accuracy).</param>
    /// <param name="factor">The factor of each reduction, &lt; 1.</param>
    /// <param name="patience">Epochs without improvement tolerated before a reduction, ≥ 0.</param>
    /// <param name="threshold">How much better than the best a metric must be to count as an improvement.</param>
    /// <param name="thresholdMode">Whether <paramref name="threshold"/> is relative or absolute.</param>
    /// <param name="cooldown">Epochs after a reduction during which bad epochs are not counted, ≥ 0.</param>
    /// <param name="minLrs">The lowest learning rate of each group.</param>
    /// <param name="eps">Reductions that change a rate by no more than this are skipped.</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor ≥ 1, a negative patience or cooldown, or an unknown mode.</exception>
    /// <exception cref="ArgumentException">The number of minimum rates differs from the number of groups.</exception>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode, double factor, int patience, double threshold,
        ThresholdMode thresholdMode, int cooldown, IReadOnlyList<double> minLrs, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(minLrs);
        if (!(factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"Factor should be < 1.0, got {factor}.");
        }

        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be Min or Max.");
        }

        if (!Enum.IsDefined(thresholdMode))
        {
            throw new ArgumentOutOfRangeException(nameof(thresholdMode), thresholdMode, "thresholdMode must be Rel or Abs.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        if (minLrs.Count != optimizer.ParamGroups.Count)
        {
            throw new ArgumentException($"Expected {optimizer.ParamGroups.Count} min_lrs, got {minLrs.Count}.", nameof(minLrs));
        }

        Optimizer = optimizer;
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        _minLearningRates = minLrs.ToArray();
        Eps = eps;
        Best = WorstValue;
        _lastLearningRates = optimizer.ParamGroups.Select(g => g.LearningRate!.Value).ToArray();
    }

    /// <summary>The optimizer whose learning rates are reduced.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Whether the metric should fall or rise.</summary>
    public PlateauMode Mode { get; private set; }

    /// <summary>The factor of each reduction.</summary>
    public double Factor { get; private set; }

    /// <summary>Epochs without improvement tolerated before a reduction.</summary>
    public int Patience { get; private set; }

    /// <summary>How much better than the best a metric must be to count as an improvement.</summary>
    public double Threshold { get; private set; }

    /// <summary>Whether <see cref="Threshold"/> is relative or absolute.</summary>
    public ThresholdMode ThresholdMode { get; private set; }

    /// <summary>Epochs after a reduction during which bad epochs are not counted.</summary>
    public int Cooldown { get; private set; }

    /// <summary>The lowest learning rate of each group (PyTorch's <c>min_lrs</c>).</summary>
    public IReadOnlyList<double> MinLearningRates => _minLearningRates;

    /// <summary>Reductions that change a rate by no more than this are skipped.</summary>
    public double Eps { get; private set; }

    /// <summary>The best metric so far (+∞ in <see cref="PlateauMode.Min"/> before any, −∞ in Max).</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without improvement (PyTorch's <c>num_bad_epochs</c>).</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>Epochs of cooldown left (PyTorch's <c>cooldown_counter</c>).</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>The number of <see cref="Step"/> calls so far (PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Each group's rate after the last step (PyTorch's <c>_last_lr</c>).</summary>
    public IReadOnlyList<double> LastLearningRates => _lastLearningRates;

    private double WorstValue => Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>Records one epoch's metric and reduces the rates when it has stopped improving.</summary>
    /// <param name="metric">The epoch's metric (a NaN never improves).</param>
    public void Step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric, Best))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }

        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0;   // bad epochs in cooldown do not count
        }

        if (NumBadEpochs > Patience)
        {
            ReduceLearningRates();
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }

        _lastLearningRates = Optimizer.ParamGroups.Select(g => g.LearningRate!.Value).ToArray();
    }

    /// <summary>The schedule's state under PyTorch's names (<c>best</c>, <c>num_bad_epochs</c>,
    /// <c>cooldown_counter</c>, ...; infinities as the strings "Infinity" and "-Infinity").</summary>
    /// <returns>A new JSON object.</returns>
    public JsonObject StateDict() => new()
    {
        ["factor"] = StateJson.Number(Factor),
        ["min_lrs"] = StateJson.Numbers(_minLearningRates),
        ["patience"] = Patience,
        ["cooldown"] = Cooldown,
        ["cooldown_counter"] = CooldownCounter,
        ["mode"] = Mode == PlateauMode.Min ? "min" : "max",
        ["threshold"] = StateJson.Number(Threshold),
        ["threshold_mode"] = ThresholdMode == ThresholdMode.Rel ? "rel" : "abs",
        ["best"] = StateJson.Number(Best),
        ["num_bad_epochs"] = NumBadEpochs,
        ["mode_worse"] = StateJson.Number(WorstValue),
        ["eps"] = StateJson.Number(Eps),
        ["last_epoch"] = LastEpoch,
        ["_last_lr"] = StateJson.Numbers(_lastLearningRates),
    };

    /// <summary>Restores a state written by <see cref="StateDict"/> (PyTorch's keys; <c>verbose</c> and
    /// <c>mode_worse</c>, which follows from the mode, are not read). Everything is checked before anything changes.</summary>
    /// <param name="stateDict">The state.</param>
    /// <exception cref="ArgumentException">A missing or malformed key, or a count of rates that differs from the
    /// optimizer's number of groups.</exception>
    public void LoadStateDict(JsonObject stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        const string What = "ReduceLROnPlateau.LoadStateDict";
        double Number(string key) => StateJson.ReadNumber(StateJson.Required(stateDict, key, What), $"{What}: {key}");
        int Int(string key) => StateJson.ReadInt(StateJson.Required(stateDict, key, What), $"{What}: {key}");
        string Text(string key) => StateJson.ReadString(StateJson.Required(stateDict, key, What), $"{What}: {key}");
        double[] Rates(string key)
        {
            var rates = StateJson.ReadNumbers(StateJson.Required(stateDict, key, What), $"{What}: {key}");
            StateJson.CheckGroupCount(rates.Length, Optimizer.ParamGroups.Count, $"{What}: {key}");
            return rates;
        }

        var mode = Text("mode") switch
        {
            "min" => PlateauMode.Min,
            "max" => PlateauMode.Max,
            var other => throw new ArgumentException($"{What}: mode must be 'min' or 'max', got '{other}'."),
        };
        var thresholdMode = Text("threshold_mode") switch
        {
            "rel" => ThresholdMode.Rel,
            "abs" => ThresholdMode.Abs,
            var other => throw new ArgumentException($"{What}: threshold_mode must be 'rel' or 'abs', got '{other}'."),
        };
        var (factor, minLrs, patience, cooldown) = (Number("factor"), Rates("min_lrs"), Int("patience"), Int("cooldown"));
        var (counter, threshold, best, bad) = (Int("cooldown_counter"), Number("threshold"), Number("best"), Int("num_bad_epochs"));
        var (eps, lastEpoch, lastLrs) = (Number("eps"), Int("last_epoch"), Rates("_last_lr"));

        (Mode, ThresholdMode, Factor, _minLearningRates, Patience, Cooldown) = (mode, thresholdMode, factor, minLrs, patience, cooldown);
        (CooldownCounter, Threshold, Best, NumBadEpochs, Eps, LastEpoch) = (counter, threshold, best, bad, eps, lastEpoch);
        _lastLearningRates = lastLrs;
    }

    private bool IsBetter(double value, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => value < best * (1 - Threshold),
        (PlateauMode.Min, ThresholdMode.Abs) => value < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Rel) => value > best * (Threshold + 1),
        _ => value > best + Threshold,
    };

    private void ReduceLearningRates()
    {
        var groups = Optimizer.ParamGroups;
        for (var g = 0; g < groups.Count; g++)
        {
            var old = groups[g].LearningRate!.Value;
            var reduced = old * Factor;
            var updated = _minLearningRates[g] > reduced ? _minLearningRates[g] : reduced;   // Python's max(reduced, min_lr)
            if (old - updated > Eps)
            {
                groups[g].SetLearningRateUnchecked(updated);
            }
        }
    }

    private static double[] Repeat(Optimizer optimizer, double value)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return Enumerable.Repeat(value, optimizer.ParamGroups.Count).ToArray();
    }
}
