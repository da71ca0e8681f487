using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Autograd.Optim;

/// <summary>
/// Reading and writing the JSON of optimizer and schedule state dicts. Numbers are JSON numbers except the
/// infinities and NaN, which JSON lacks: they are the strings "Infinity", "-Infinity" and "NaN" (System.Text.Json's
/// named floating-point literals). Every read names the key that is missing or of the wrong type.
/// </summary>
internal static class StateJson
{
    /// <summary><paramref name="value"/> as a JSON number, or a string for ±∞ and NaN.</summary>
    public static JsonNode Number(double value) =>
        double.IsFinite(value)
            ? JsonValue.Create(value)
            : JsonValue.Create(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");

    /// <summary>A JSON array of numbers (see <see cref="Number"/>).</summary>
    public static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)Number(v)).ToArray());

    /// <summary>A JSON array of integers.</summary>
    public static JsonArray Ints(IEnumerable<int> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>The node under <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key is missing.</exception>
    public static JsonNode Required(JsonObject json, string key, string context) =>
        json.TryGetPropertyValue(key, out var node) && node is not null
            ? node
            : throw new ArgumentException($"{context}: the state dict has no '{key}'.");

    /// <summary>A number (or one of the named literals).</summary>
    /// <exception cref="ArgumentException">Not a number.</exception>
    public static double ReadNumber(JsonNode? node, string what)
    {
        if (node is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.Number:
                    return value.TryGetValue<double>(out var number)
                        ? number
                        : double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
                case JsonValueKind.String:
                    switch (value.GetValue<string>())
                    {
                        case "Infinity":
                            return double.PositiveInfinity;
                        case "-Infinity":
                            return double.NegativeInfinity;
                        case "NaN":
                            return double.NaN;
                    }

                    break;
            }
        }

        throw new ArgumentException($"{what}: expected a number, got {Describe(node)}.");
    }

    /// <summary>An integer.</summary>
    /// <exception cref="ArgumentException">Not an integral number in the range of int.</exception>
    public static int ReadInt(JsonNode? node, string what)
    {
        var number = node is JsonValue { } value && value.GetValueKind() == JsonValueKind.Number ? ReadNumber(node, what) : double.NaN;
        if (number != Math.Floor(number) || number < int.MinValue || number > int.MaxValue)
        {
            throw new ArgumentException($"{what}: expected an integer, got {Describe(node)}.");
        }

        return (int)number;
    }

    /// <summary>A boolean.</summary>
    /// <exception cref="ArgumentException">Not true or false.</exception>
    public static bool ReadBool(JsonNode? node, string what) =>
        node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? value.GetValue<bool>()
            : throw new ArgumentException($"{what}: expected true or false, got {Describe(node)}.");

    /// <summary>A string.</summary>
    /// <exception cref="ArgumentException">Not a string.</exception>
    public static string ReadString(JsonNode? node, string what) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new ArgumentException($"{what}: expected a string, got {Describe(node)}.");

    /// <summary>An array of numbers.</summary>
    /// <exception cref="ArgumentException">Not an array of numbers.</exception>
    public static double[] ReadNumbers(JsonNode? node, string what) =>
        node is JsonArray array
            ? array.Select((item, i) => ReadNumber(item, $"{what}[{i}]")).ToArray()
            : throw new ArgumentException($"{what}: expected an array of numbers, got {Describe(node)}.");

    /// <summary>An array of integers.</summary>
    /// <exception cref="ArgumentException">Not an array of integers.</exception>
    public static int[] ReadInts(JsonNode? node, string what) =>
        node is JsonArray array
            ? array.Select((item, i) => ReadInt(item, $"{what}[{i}]")).ToArray()
            : throw new ArgumentException($"{what}: expected an array of integers, got {Describe(node)}.");

    /// <summary>An object.</summary>
    /// <exception cref="ArgumentException">Not an object.</exception>
    public static JsonObject ReadObject(JsonNode? node, string what) =>
        node as JsonObject ?? throw new ArgumentException($"{what}: expected an object, got {Describe(node)}.");

    /// <summary>An array.</summary>
    /// <exception cref="ArgumentException">Not an array.</exception>
    public static JsonArray ReadArray(JsonNode? node, string what) =>
        node as JsonArray ?? throw new ArgumentException($"{what}: expected an array, got {Describe(node)}.");

    /// <summary>Throws unless <paramref name="count"/> values were given for as many parameter groups.</summary>
    /// <exception cref="ArgumentException">The counts differ.</exception>
    public static void CheckGroupCount(int count, int groups, string what)
    {
        if (count != groups)
        {
            throw new ArgumentException($"{what}: the state dict has {count} values, the optimizer {groups} parameter groups.");
        }
    }

    private static string Describe(JsonNode? node) => node is null ? "null" : node.ToJsonString();
}
