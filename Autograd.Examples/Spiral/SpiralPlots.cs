using Autograd.Examples.Common;
using Autograd.NN;
using ScottPlot;

namespace Autograd.Examples.Spiral;

/// <summary>The spiral example's two pictures, drawn with ScottPlot.</summary>
public static class SpiralPlots
{
    private const int GridSize = 300;
    private const double Extent = 1.1;

    private static readonly Color[] _classColors = [Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c")];

    /// <summary>Loss (left axis) and training accuracy (right axis) against the step.</summary>
    public static void SaveLossCurve(string path, double[] losses, double[] accuracies)
    {
        var plot = new Plot();
        var steps = Enumerable.Range(1, losses.Length).Select(s => (double)s).ToArray();

        var loss = plot.Add.ScatterLine(steps, losses, Color.FromHex("#d62728"));
        loss.LineWidth = 2;
        loss.LegendText = "loss (cross-entropy + L2)";

        var accuracy = plot.Add.ScatterLine(steps, accuracies.Select(a => a * 100).ToArray(), Color.FromHex("#1f77b4"));
        accuracy.LineWidth = 2;
        accuracy.LegendText = "training accuracy (%)";
        accuracy.Axes.YAxis = plot.Axes.Right;

        plot.Title("Spiral: training loss and accuracy");
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.Axes.Right.Label.Text = "accuracy (%)";
        plot.Axes.SetLimitsY(0, Math.Max(losses.Max() * 1.05, 0.1), plot.Axes.Left);
        plot.Axes.SetLimitsY(0, 101, plot.Axes.Right);
        plot.ShowLegend(Alignment.MiddleRight);
        plot.SavePng(path, 800, 500);
    }

    /// <summary>The class the model predicts over the plane, with the training points on top.</summary>
    public static void SaveDecisionRegions(string path, SpiralData data, Module model)
    {
        var plot = new Plot();

        var heatmap = plot.Add.Heatmap(PredictGrid(model));
        heatmap.Colormap = new ScottPlot.Colormaps.Custom(_classColors.Select(c => c.WithAlpha(0.35)).ToArray());
        heatmap.ManualRange = new ScottPlot.Range(0, data.Classes - 1);
        heatmap.FlipVertically = true;
        heatmap.Rectangle = new CoordinateRect(-Extent, Extent, -Extent, Extent);

        for (var c = 0; c < data.Classes; c++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (var i = 0; i < data.Count; i++)
            {
                if (data.Labels[i] == c)
                {
                    xs.Add(data.Points[2 * i]);
                    ys.Add(data.Points[2 * i + 1]);
                }
            }

            var points = plot.Add.ScatterPoints(xs, ys, _classColors[c]);
            points.MarkerSize = 7;
            points.MarkerShape = MarkerShape.FilledCircle;
            points.LegendText = $"class {c}";
        }

        plot.Title("Spiral: decision regions of the trained network");
        plot.Axes.SetLimits(-Extent, Extent, -Extent, Extent);
        plot.Axes.SquareUnits();
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 700, 700);
    }

    /// <summary>Predicted class at the centre of each grid cell; row 0 is the bottom (y = −extent).</summary>
    private static double[,] PredictGrid(Module model)
    {
        var coordinates = new float[GridSize * GridSize * 2];
        for (var row = 0; row < GridSize; row++)
        {
            for (var col = 0; col < GridSize; col++)
            {
                var k = row * GridSize + col;
                coordinates[2 * k] = (float)Centre(col);
                coordinates[2 * k + 1] = (float)Centre(row);
            }
        }

        int[] predictions;
        using (Tape.NoGrad())
        {
            predictions = Metrics.ArgMax(model.Forward(Tensor.FromArray(coordinates, GridSize * GridSize, 2)));
        }

        var classes = new double[GridSize, GridSize];
        for (var k = 0; k < predictions.Length; k++)
        {
            classes[k / GridSize, k % GridSize] = predictions[k];
        }

        return classes;
    }

    private static double Centre(int index) => -Extent + (index + 0.5) * (2 * Extent / GridSize);
}
