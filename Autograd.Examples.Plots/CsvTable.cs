using System.Globalization;

namespace Autograd.Examples.Plots;

/// <summary>A CSV file of numbers with a header row, as the examples write them (an empty cell is NaN).</summary>
public sealed class CsvTable
{
    private readonly string[][] _rows;

    private CsvTable(string path, string[] header, string[][] rows)
    {
        Path = path;
        Header = header;
        _rows = rows;
    }

    /// <summary>The file the table was read from, for error messages.</summary>
    public string Path { get; }

    /// <summary>The header row's cells.</summary>
    public string[] Header { get; }

    /// <summary>Number of data rows (the header excluded).</summary>
    public int RowCount => _rows.Length;

    /// <summary>Reads <paramref name="path"/>; every data row must have as many cells as the header.</summary>
    public static CsvTable Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(line => line.Length > 0).ToArray();
        if (lines.Length < 2)
        {
            throw new InvalidDataException($"{path}: needs a header row and at least one data row, has {lines.Length} line(s).");
        }

        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(line => line.Split(',')).ToArray();
        for (var r = 0; r < rows.Length; r++)
        {
            if (rows[r].Length != header.Length)
            {
                throw new InvalidDataException($"{path}, line {r + 2}: {rows[r].Length} cells, the header has {header.Length}.");
            }
        }

        return new CsvTable(path, header, rows);
    }

    /// <summary>The values of the column named <paramref name="name"/>, NaN where a cell is empty.</summary>
    public double[] Column(string name)
    {
        var index = Array.IndexOf(Header, name);
        if (index < 0)
        {
            throw new InvalidDataException($"{Path}: no column '{name}' (columns: {string.Join(", ", Header)}).");
        }

        return Enumerable.Range(0, RowCount).Select(r => Number(r, index)).ToArray();
    }

    /// <summary>The number in data row <paramref name="row"/>, column <paramref name="column"/> (NaN if empty).</summary>
    public double Number(int row, int column) => Parse(_rows[row][column], $"line {row + 2}, column {column + 1}");

    /// <summary>The header cell of <paramref name="column"/> read as a number (a matrix's column coordinates).</summary>
    public double HeaderNumber(int column) => Parse(Header[column], $"line 1, column {column + 1}");

    private double Parse(string cell, string where)
    {
        if (cell.Length == 0)
        {
            return double.NaN;
        }

        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw new InvalidDataException($"{Path}, {where}: '{cell}' is not a number.");
        }

        return value;
    }
}
