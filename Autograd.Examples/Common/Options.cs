using System.Globalization;

namespace Autograd.Examples.Common;

/// <summary>
/// A tiny parser for <c>--name value</c> options. Each example states the names it accepts; an unknown
/// name, a missing value or a value that does not parse is a <see cref="UsageException"/>.
/// </summary>
public sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private Options()
    {
    }

    /// <summary>Parses <paramref name="args"/>, which must be <c>--name value</c> pairs drawn from <paramref name="allowed"/>.</summary>
    public static Options Parse(IReadOnlyList<string> args, params string[] allowed)
    {
        var options = new Options();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || !allowed.Contains(name[2..]))
            {
                throw new UsageException(
                    $"Unknown option '{name}'. Options: {string.Join(", ", allowed.Select(a => "--" + a))}.");
            }

            if (i + 1 >= args.Count)
            {
                throw new UsageException($"Option '{name}' needs a value.");
            }

            options._values[name[2..]] = args[++i];
        }

        return options;
    }

    /// <summary>The option's text, or <paramref name="fallback"/> when it was not given.</summary>
    public string? String(string name, string? fallback = null) => _values.GetValueOrDefault(name, fallback!);

    /// <summary>The option as a positive integer, or <paramref name="fallback"/>.</summary>
    public int PositiveInt(string name, int fallback)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"--{name} expects a positive integer, got '{text}'.");
    }

    /// <summary>The option as a number, or <paramref name="fallback"/>.</summary>
    public double Double(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new UsageException($"--{name} expects a number, got '{text}'.");
    }
}
