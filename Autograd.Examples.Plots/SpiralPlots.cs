using ScottPlot;

namespace Autograd.Examples.Plots;

/// <summary>The spiral example's two pictures, drawn with ScottPlot from its CSV files.</summary>
public static class SpiralPlots
{
    private static readonly Color[] _classColors = [Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c")];

    /// <summary>Loss (left axis) and training accuracy (right axis) against the step, from <c>step,loss,accuracy</c>.</summary>
    public static void SaveLossCurve(CsvTable table, string path)
    {
        var steps = table.Column("step");
        var losses = table.Column("loss");
        var accuracies = table.Column("accuracy");
        var plot = new Plot();

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

    /// <summary>
    /// The predicted class over the plane (a matrix: x centres in the header, y centre first in each row, rows from the
    /// bottom up) with the training points (<c>x,y,class</c>) on top.
    /// </summary>
    public static void SaveDecisionRegions(CsvTable grid, CsvTable points, string path)
    {
        var (classes, rectangle) = ReadGrid(grid);
        var labels = points.Column("class");
        var classCount = (int)Math.Max(labels.Max(), MaxValue(classes)) + 1;
        if (classCount > _classColors.Length)
        {
            throw new InvalidDataException($"{points.Path}: {classCount} classes, the plot has colours for {_classColors.Length}.");
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(classes);
        heatmap.Colormap = new ScottPlot.Colormaps.Custom(_classColors.Take(classCount).Select(c => c.WithAlpha(0.35)).ToArray());
        heatmap.ManualRange = new ScottPlot.Range(0, classCount - 1);
        heatmap.FlipVertically = true;
        heatmap.Rectangle = rectangle;

        var xs = points.Column("x");
        var ys = points.Column("y");
        for (var c = 0; c < classCount; c++)
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
            var scatter = plot.Add.ScatterPoints(members.Select(i => xs[i]).ToArray(), members.Select(i => ys[i]).ToArray(), _classColors[c]);
            scatter.MarkerSize = 7;
            scatter.MarkerShape = MarkerShape.FilledCircle;
            scatter.LegendText = $"class {c}";
        }

        plot.Title("Spiral: decision regions of the trained network");
        plot.Axes.SetLimits(rectangle.Left, rectangle.Right, rectangle.Bottom, rectangle.Top);
        plot.Axes.SquareUnits();
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 700, 700);
    }

    /// <summary>The class matrix [row, column] and the rectangle its cells cover (centres ± half a cell).</summary>
    private static (double[,] Classes, CoordinateRect Rectangle) ReadGrid(CsvTable grid)
    {
        int rows = grid.RowCount, columns = grid.Header.Length - 1;
        if (rows < 2 || columns < 2)
        {
            throw new InvalidDataException($"{grid.Path}: a grid needs at least 2 rows and 2 columns, has {rows}×{columns}.");
        }

        var xs = Enumerable.Range(1, columns).Select(grid.HeaderNumber).ToArray();
        var ys = Enumerable.Range(0, rows).Select(r => grid.Number(r, 0)).ToArray();
        if (!IsAscending(xs) || !IsAscending(ys))
        {
            throw new InvalidDataException($"{grid.Path}: the x centres (header) and y centres (first column) must ascend.");
        }

        var classes = new double[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                classes[r, c] = grid.Number(r, c + 1);
            }
        }

        double halfX = (xs[1] - xs[0]) / 2, halfY = (ys[1] - ys[0]) / 2;
        return (classes, new CoordinateRect(xs[0] - halfX, xs[^1] + halfX, ys[0] - halfY, ys[^1] + halfY));
    }

    private static bool IsAscending(double[] values) => values.Zip(values.Skip(1)).All(pair => pair.First < pair.Second);

    private static double MaxValue(double[,] values) => values.Cast<double>().Max();
}
