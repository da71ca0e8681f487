using ScottPlot;

namespace Autograd.Examples.Plots;

/// <summary>The CNN example's training curves, drawn with ScottPlot from its CSV file.</summary>
public static class CnnPlots
{
    /// <summary>Training loss (left axis) and test accuracy (right axis) against the epoch, from <c>epoch,loss,accuracy</c>.</summary>
    public static void SaveCurves(CsvTable table, string path)
    {
        var plot = new Plot();
        var epochs = table.Column("epoch");
        var loss = plot.Add.ScatterLine(epochs, table.Column("loss"), Color.FromHex("#d62728"));
        loss.LineWidth = 2;
        loss.LegendText = "training loss";
        var accuracy = plot.Add.ScatterLine(epochs, table.Column("accuracy").Select(a => a * 100).ToArray(), Color.FromHex("#1f77b4"));
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
