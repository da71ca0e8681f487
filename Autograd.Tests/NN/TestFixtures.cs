using System.Text.Json;

namespace Autograd.Tests.NN;

/// <summary>Access to the PyTorch fixtures written by <c>Fixtures/make_fixtures.py</c>.</summary>
internal static class TestFixtures
{
    public static string PathOf(string name)
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", name);
        Assert.That(File.Exists(path), Is.True, $"fixture {path} is missing; run Fixtures/make_fixtures.py");
        return path;
    }

    public static JsonDocument Json(string name) => JsonDocument.Parse(File.ReadAllText(PathOf(name)));

    public static double[] Doubles(this JsonElement element) =>
        element.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static int[] Ints(this JsonElement element) =>
        element.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static void AssertClose(double[] actual, double[] expected, double tolerance, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(tolerance), $"{what}[{i}]");
        }
    }
}
