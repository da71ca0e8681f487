using System.Globalization;

namespace Autograd.Examples.Common;

/// <summary>
/// Writes the numbers behind an example's pictures as CSV (a header row, then one row per point, invariant culture,
/// round-trip precision), so <c>Autograd.Examples.Plots</c> can draw them as PNGs without the examples themselves
/// depending on a plotting library.
/// </summary>
public static class CsvFile
{
    /// <summary>Writes <paramref name="header"/> and <paramref name="rows"/>; a NaN cell is written empty (no value).</summary>
    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<double>> rows)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(',', header));
        foreach (var row in rows)
        {
            if (row.Count != header.Count)
            {
                throw new ArgumentException($"CsvFile.Write({path}): a row has {row.Count} values for {header.Count} columns.", nameof(rows));
            }

            writer.WriteLine(string.Join(',', row.Select(Format)));
        }
    }

    private static string Format(double value) => double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);
}
