using System.Globalization;
using Autograd.Examples.Common;
using Autograd.NN;

namespace Autograd.Examples.Spiral;

/// <summary>
/// The numbers behind the spiral example's two pictures, as CSV: the loss curve, the training points, and the class
/// the model predicts over a grid covering the plane (drawn by <c>Autograd.Examples.Plots</c>).
/// </summary>
public static class SpiralPlotData
{
    /// <summary>File name of the loss and accuracy per step.</summary>
    public const string LossFile = "spiral-loss.csv";

    /// <summary>File name of the training points (x, y, class).</summary>
    public const string PointsFile = "spiral-points.csv";

    /// <summary>File name of the predicted-class grid.</summary>
    public const string RegionsFile = "spiral-decision-regions.csv";

    private const int GridSize = 300;
    private const double Extent = 1.1;

    /// <summary>Writes <c>step,loss,accuracy</c> (accuracy as a fraction) for every step.</summary>
    public static string WriteLossCurve(string outDir, double[] losses, double[] accuracies)
    {
        var path = Path.Combine(outDir, LossFile);
        CsvFile.Write(path, ["step", "loss", "accuracy"],
            losses.Select((loss, i) => (IReadOnlyList<double>)[i + 1, loss, accuracies[i]]));
        return path;
    }

    /// <summary>Writes <c>x,y,class</c> for every training point.</summary>
    public static string WritePoints(string outDir, SpiralData data)
    {
        var path = Path.Combine(outDir, PointsFile);
        CsvFile.Write(path, ["x", "y", "class"],
            Enumerable.Range(0, data.Count).Select(i => (IReadOnlyList<double>)[data.Points[2 * i], data.Points[2 * i + 1], data.Labels[i]]));
        return path;
    }

    /// <summary>
    /// Writes the class the model predicts at the centre of each cell of a 300×300 grid over [−1.1, 1.1]²: the header
    /// holds the cells' x centres after a first cell <c>y\x</c>, and each row starts with its y centre (rows from the
    /// bottom of the plane up).
    /// </summary>
    public static string WriteDecisionRegions(string outDir, Module model)
    {
        var centres = Enumerable.Range(0, GridSize).Select(Centre).ToArray();
        var predictions = PredictGrid(model, centres);
        var path = Path.Combine(outDir, RegionsFile);
        CsvFile.Write(path, ["y\\x", .. centres.Select(c => c.ToString("R", CultureInfo.InvariantCulture))],
            Enumerable.Range(0, GridSize).Select(row =>
                (IReadOnlyList<double>)[centres[row], .. predictions.AsSpan(row * GridSize, GridSize).ToArray().Select(p => (double)p)]));
        return path;
    }

    /// <summary>Predicted class at every grid cell, row-major with row 0 at the bottom (y = −extent).</summary>
    private static int[] PredictGrid(Module model, double[] centres)
    {
        var coordinates = new float[GridSize * GridSize * 2];
        for (var row = 0; row < GridSize; row++)
        {
            for (var col = 0; col < GridSize; col++)
            {
                var k = row * GridSize + col;
                coordinates[2 * k] = (float)centres[col];
                coordinates[2 * k + 1] = (float)centres[row];
            }
        }

        using (Tape.NoGrad())
        {
            return Metrics.ArgMax(model.Forward(Tensor.FromArray(coordinates, GridSize * GridSize, 2)));
        }
    }

    private static double Centre(int index) => -Extent + (index + 0.5) * (2 * Extent / GridSize);
}
