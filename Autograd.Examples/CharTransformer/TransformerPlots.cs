using ScottPlot;

namespace Autograd.Examples.CharTransformer;

/// <summary>The char-transformer's loss curves, drawn with ScottPlot.</summary>
public static class TransformerPlots
{
    /// <summary>Training loss (mean over each evaluation interval) and validation loss against the step.</summary>
    public static void SaveLossCurves(string path, List<(int Step, double Loss)> train, List<(int Step, double Loss)> validation)
    {
        var plot = new Plot();
        var trainLine = plot.Add.ScatterLine(train.Select(p => (double)p.Step).ToArray(), train.Select(p => p.Loss).ToArray(),
            Color.FromHex("#1f77b4"));
        trainLine.LineWidth = 2;
        trainLine.LegendText = "training loss";
        var validationLine = plot.Add.ScatterLine(validation.Select(p => (double)p.Step).ToArray(),
            validation.Select(p => p.Loss).ToArray(), Color.FromHex("#d62728"));
        validationLine.LineWidth = 2;
        validationLine.LegendText = "validation loss (held-out 10%)";
        plot.Title("Character-level transformer on the King James Bible");
        plot.XLabel("step");
        plot.YLabel("cross-entropy (nats/char)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 800, 500);
    }
}
