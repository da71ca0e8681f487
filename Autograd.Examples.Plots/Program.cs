using System.Globalization;
using Autograd.Examples.Plots;

// Draws the PNGs of every example's CSV found in a folder (out/ by default), next to the CSV.
// Exit codes as the examples': 0 drawn, 2 bad command line, 3 no example CSV in the folder, 4 a malformed CSV.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length > 1 || (args.Length == 1 && args[0] is "--help" or "-h"))
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project Autograd.Examples.Plots -- [DIR (out)]");
    Console.Error.WriteLine("Draws spiral-loss.png, spiral-decision-regions.png, fashion-mnist-cnn.png and char-transformer-loss.png");
    Console.Error.WriteLine("from the CSV files the examples wrote to DIR (whichever are there).");
    return args.Length == 1 ? 0 : 2;
}

var dir = args.Length == 1 ? args[0] : "out";
(string[] Inputs, string Png, Action<CsvTable[], string> Draw)[] plots =
[
    (["spiral-loss.csv"], "spiral-loss.png", (t, png) => SpiralPlots.SaveLossCurve(t[0], png)),
    (["spiral-decision-regions.csv", "spiral-points.csv"], "spiral-decision-regions.png",
        (t, png) => SpiralPlots.SaveDecisionRegions(t[0], t[1], png)),
    (["fashion-mnist-cnn.csv"], "fashion-mnist-cnn.png", (t, png) => CnnPlots.SaveCurves(t[0], png)),
    (["char-transformer-loss.csv"], "char-transformer-loss.png", (t, png) => TransformerPlots.SaveLossCurves(t[0], png)),
];

var drawn = 0;
try
{
    foreach (var (inputs, png, draw) in plots)
    {
        var paths = inputs.Select(input => Path.Combine(dir, input)).ToArray();
        if (paths.All(File.Exists))
        {
            var path = Path.Combine(dir, png);
            draw(paths.Select(CsvTable.Read).ToArray(), path);
            Console.WriteLine($"Wrote {Path.GetFullPath(path)}");
            drawn++;
        }
    }
}
catch (InvalidDataException e)
{
    Console.Error.WriteLine(e.Message);
    return 4;
}

if (drawn == 0)
{
    Console.Error.WriteLine($"No example CSV in {Path.GetFullPath(dir)}: run an example first, e.g.");
    Console.Error.WriteLine("  dotnet run -c Release --project Autograd.Examples -- spiral");
    return 3;
}

return 0;
