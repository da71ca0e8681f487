using System.Diagnostics;
using System.Text;

namespace Autograd.Examples.CharTransformer;

/// <summary>
/// The King James Bible as plain text, from Debian's <c>bible-kjv</c> package (public domain text, 4.3 MB, installed
/// with <c>apt-get install bible-kjv</c>, no download): its <c>bible</c> program prints every verse, and the verse
/// references are stripped. Or any UTF-8 text file given with <c>--text PATH</c>.
/// </summary>
public static class BibleText
{
    /// <summary>What to install when the text is missing.</summary>
    public const string InstallHint = "Install it with:  sudo apt-get install bible-kjv   (or pass --text PATH to any text file)";

    /// <summary>The whole text, or null when the <c>bible</c> program is not installed.</summary>
    public static string? TryLoadBible()
    {
        if (!File.Exists("/usr/bin/bible") || !File.Exists("/usr/lib/bible.data"))
        {
            return null;
        }

        var start = new ProcessStartInfo("/usr/bin/bible", ["-f", "Gen 1:1-Rev 22:21"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidDataException("could not start /usr/bin/bible");
        var text = new StringBuilder(4_500_000);
        while (process.StandardOutput.ReadLine() is { } line)
        {
            // "Ge1:1 In the beginning ..." → "In the beginning ...": one verse per line, without its reference.
            int space = line.IndexOf(' ');
            if (space > 0)
            {
                text.Append(line, space + 1, line.Length - space - 1).Append('\n');
            }
        }

        process.WaitForExit();
        if (process.ExitCode != 0 || text.Length == 0)
        {
            throw new InvalidDataException($"/usr/bin/bible exited with code {process.ExitCode} and printed {text.Length} characters");
        }

        return text.ToString();
    }
}
