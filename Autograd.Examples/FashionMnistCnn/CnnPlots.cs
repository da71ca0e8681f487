using ScottPlot;

namespace Autograd.Examples.FashionMnistCnn;

/// <summary>The CNN example's training curves, drawn with ScottPlot.</summary>
public static class CnnPlots
{
    /// <summary>Training loss (left axis) and test accuracy (right axis) against the epoch.</summary>
    public static void SaveCurves(string path, List<double> losses, List<double> accuracies)
    {
        var plot = new Plot();
        var epochs = Enumerable.Range(1, losses.Count).Select(e => (double)e).ToArray();
        var loss = plot.Add.ScatterLine(epochs, losses.ToArray(), Color.FromHex("#d62728"));
        loss.LineWidth = 2;
        loss.LegendText = "training loss";
        var accuracy = plot.Add.ScatterLine(epochs, accuracies.Select(a => a * 100).ToArray(), Color.FromHex("#1f77b4"));
        accuracy.LineWidth = 2;
        accuracy.LegendText = "test accuracy (%)";
        accuracy.Axes.YAxis = plot.Axes.Right;
        plot.Title("Fashion-MNIST CNN");
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Axes.Right.Label.Text = "accuracy (%)";
        plot.ShowLegend(Alignment.MiddleRight);
        plot.SavePng(path, 800, 500);
    }
}
