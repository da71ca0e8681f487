namespace Autograd.Examples.Common;

/// <summary>The line every example prints after writing its plot data: how to turn it into PNGs.</summary>
public static class PlotHint
{
    /// <summary>The command that draws the PNGs of every CSV in <paramref name="outDir"/>.</summary>
    public static string For(string outDir) =>
        $"Draw the PNGs with:  dotnet run -c Release --project Autograd.Examples.Plots -- {Quote(outDir)}";

    private static string Quote(string path) => path.Contains(' ') ? $"\"{path}\"" : path;
}
