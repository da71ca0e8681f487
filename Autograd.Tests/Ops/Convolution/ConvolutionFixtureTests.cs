using System.Text.Json;
using Autograd.Tests.NN;

namespace Autograd.Tests.Ops.Convolution;

/// <summary>Convolution and pooling against PyTorch (Fixtures/conv.json, written by Fixtures/make_conv_fixtures.py).</summary>
public class ConvolutionFixtureTests
{
    private const double Tolerance = 1e-10;

    private static IEnumerable<TestCaseData> Cases()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(
            AppContext.BaseDirectory, "Fixtures", "conv.json")));
        foreach (JsonElement c in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            yield return new TestCaseData(c.GetProperty("name").GetString()).SetName(c.GetProperty("name").GetString());
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        using JsonDocument document = TestFixtures.Json("conv.json");
        JsonElement c = document.RootElement.GetProperty("cases").EnumerateArray()
            .Single(e => e.GetProperty("name").GetString() == name);
        string op = c.GetProperty("op").GetString()!;
        Tensor x = Leaf(c, "x");
        Tensor g = Tensor.FromArray(c.GetProperty("g").Doubles(), c.GetProperty("y_shape").Ints());
        if (op.StartsWith("conv", StringComparison.Ordinal))
        {
            Tensor w = Leaf(c, "w");
            Tensor? b = c.TryGetProperty("b", out JsonElement bias) ? Tensor.FromArray(bias.Doubles(), bias.GetArrayLength()) : null;
            if (b is not null)
            {
                b.RequiresGrad = true;
            }

            int stride = c.GetProperty("stride").GetInt32(), padding = c.GetProperty("padding").GetInt32();
            int dilation = c.GetProperty("dilation").GetInt32(), groups = c.GetProperty("groups").GetInt32();
            Tensor y = op == "conv1d"
                ? Functional.Conv1d(x, w, b, stride, padding, dilation, groups)
                : Functional.Conv2d(x, w, b, stride, padding, dilation, groups);
            Check(c, "y", y);

            Tensor?[] grads = Tape.Grad(y, b is null ? [x, w] : [x, w, b], g, createGraph: true);
            Check(c, "grad_x", grads[0]!);
            Check(c, "grad_w", grads[1]!);
            if (b is not null)
            {
                Check(c, "grad_b", grads[2]!);
            }

            // PyTorch's double backward: d/dw Σ (dL/dx)².
            Check(c, "second_w", Tape.Grad((grads[0]! * grads[0]!).Sum(), [w])[0]!);
        }
        else
        {
            int kernel = c.GetProperty("kernel").GetInt32(), padding = c.GetProperty("padding").GetInt32();
            int? stride = c.GetProperty("stride").ValueKind == JsonValueKind.Null ? null : c.GetProperty("stride").GetInt32();
            Tensor y = op == "max_pool2d"
                ? Functional.MaxPool2d(x, kernel, stride, padding)
                : Functional.AvgPool2d(x, kernel, stride, padding);
            Check(c, "y", y);
            y.Backward(g);
            Check(c, "grad_x", x.Grad!);
        }
    }

    private static Tensor Leaf(JsonElement c, string name)
    {
        Tensor t = Tensor.FromArray(c.GetProperty(name).Doubles(), c.GetProperty(name + "_shape").Ints());
        t.RequiresGrad = true;
        return t;
    }

    private static void Check(JsonElement c, string name, Tensor actual) =>
        TestFixtures.AssertClose(actual.ToArray<double>(), c.GetProperty(name).Doubles(), Tolerance, name);
}
