using ScottPlot;

namespace Autograd.Examples.Plots;

/// <summary>The char-transformer's loss curves, drawn with ScottPlot from its CSV file.</summary>
public static class TransformerPlots
{
    /// <summary>
    /// Training loss (mean over each evaluation interval) and validation loss against the step, from
    /// <c>step,train_loss,validation_loss</c> (an empty training loss is skipped).
    /// </summary>
    public static void SaveLossCurves(CsvTable table, string path)
    {
        var steps = table.Column("step");
        var train = table.Column("train_loss");
        var trained = Enumerable.Range(0, steps.Length).Where(i => !double.IsNaN(train[i])).ToArray();
        var plot = new Plot();
        var trainLine = plot.Add.ScatterLine(trained.Select(i => steps[i]).ToArray(), trained.Select(i => train[i]).ToArray(),
            Color.FromHex("#1f77b4"));
        trainLine.LineWidth = 2;
        trainLine.LegendText = "training loss";
        var validationLine = plot.Add.ScatterLine(steps, table.Column("validation_loss"), Color.FromHex("#d62728"));
        validationLine.LineWidth = 2;
        validationLine.LegendText = "validation loss (held-out 10%)";
        plot.Title("Character-level transformer on the King James Bible");
        plot.XLabel("step");
        plot.YLabel("cross-entropy (nats/char)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 800, 500);
    }
}
