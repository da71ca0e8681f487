using System.Diagnostics;

namespace Autograd.Examples.Common;

/// <summary>
/// A one-line progress bar for a loop of known length. On a terminal it redraws itself in place with
/// <c>\r</c> (at most ten times a second); when the output is redirected (CI logs) it writes a plain line
/// every tenth of the way instead, so logs stay readable.
/// </summary>
public sealed class ProgressBar
{
    private const int BarWidth = 24;
    private readonly TextWriter _output;
    private readonly string _label;
    private readonly int _total;
    private readonly bool _interactive;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -1000;
    private int _lastTenth = -1;
    private int _lastWidth;

    /// <summary>Starts a bar for <paramref name="total"/> steps.</summary>
    /// <param name="output">Where to draw.</param>
    /// <param name="label">Text before the bar, e.g. <c>"epoch 1/10"</c>.</param>
    /// <param name="total">Number of steps, ≥ 1.</param>
    /// <param name="interactive">Redraw in place; by default, when standard output is a terminal.</param>
    public ProgressBar(TextWriter output, string label, int total, bool? interactive = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);
        _output = output;
        _label = label;
        _total = total;
        _interactive = interactive ?? !Console.IsOutputRedirected;
    }

    /// <summary>Seconds since the bar started.</summary>
    public double ElapsedSeconds => _clock.Elapsed.TotalSeconds;

    /// <summary>Reports that <paramref name="done"/> steps are finished; <paramref name="status"/> follows the bar (e.g. the loss).</summary>
    public void Report(int done, string status)
    {
        var now = _clock.ElapsedMilliseconds;
        if (_interactive)
        {
            if (done < _total && now - _lastDrawMs < 100)
            {
                return;
            }

            _lastDrawMs = now;
            var line = FitTerminal(Line(done, status));
            _output.Write("\r" + line.PadRight(_lastWidth));
            _lastWidth = line.Length;
            return;
        }

        var tenth = done * 10 / _total;
        if (tenth > _lastTenth && done < _total)
        {
            _lastTenth = tenth;
            _output.WriteLine(Line(done, status));
        }
    }

    /// <summary>Draws the final state and ends the line.</summary>
    public void Finish(string status)
    {
        if (_interactive)
        {
            var line = FitTerminal(Line(_total, status));
            _output.WriteLine("\r" + line.PadRight(_lastWidth));
        }
        else
        {
            _output.WriteLine(Line(_total, status));
        }
    }

    // A line wider than the terminal wraps, and \r then redraws only its last part.
    private static string FitTerminal(string line)
    {
        var width = Console.IsOutputRedirected ? int.MaxValue : Console.WindowWidth - 1;
        return width > 20 && line.Length > width ? line[..width] : line;
    }

    private string Line(int done, string status)
    {
        var filled = (int)((long)done * BarWidth / _total);
        var bar = new string('#', filled) + new string('.', BarWidth - filled);
        var elapsed = ElapsedSeconds;
        var eta = done > 0 && done < _total ? $" eta {elapsed / done * (_total - done):F0}s" : "";
        return $"{_label} [{bar}] {done}/{_total} {elapsed:F1}s{eta} {status}";
    }
}
