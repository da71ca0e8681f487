using System.Text.Json;
using Autograd.NN;

namespace Autograd.Tests.NN;

/// <summary>
/// LayerNorm and BatchNorm2d against PyTorch (<c>Fixtures/make_norm_fixtures.py</c> → norm.json, float64): outputs,
/// gradients, and BatchNorm2d's running statistics over three training steps (momentum 0.1 and None) and an
/// evaluation step. Float64 to 1e-12; float32 (the fixture's values rounded) to 1e-5.
/// </summary>
public class NormalizationFixtureTests
{
    private static JsonElement Fixture(string name) => TestFixtures.Json("norm.json").RootElement.GetProperty(name).Clone();

    private static Tensor Of(JsonElement values, int[] shape, DType dtype, bool requiresGrad = false)
    {
        Tensor t = Tensor.FromArray(values.Doubles(), shape).To(dtype);
        t.RequiresGrad = requiresGrad;
        return t;
    }

    private static void Close(Tensor actual, JsonElement expected, DType dtype, string what) =>
        TestSupport.GradAssert.AssertClose(actual.ToArray<double>(), expected.Doubles(), rtol: dtype == DType.Float64 ? 0 : 1e-5,
            atol: dtype == DType.Float64 ? 1e-12 : 1e-5, what);

    [TestCase(DType.Float64)]
    [TestCase(DType.Float32)]
    public void LayerNorm_MatchesPyTorch(DType dtype)
    {
        foreach (JsonElement c in Fixture("layer_norm").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            int[] shape = c.GetProperty("shape").Ints(), normalized = c.GetProperty("normalized_shape").Ints();
            bool affine = c.GetProperty("weight").ValueKind != JsonValueKind.Null;
            var layer = new LayerNorm(normalized, elementwiseAffine: affine, dtype: dtype);
            if (affine)
            {
                layer.LoadStateDict(new Dictionary<string, Tensor>
                {
                    ["weight"] = Of(c.GetProperty("weight"), normalized, dtype),
                    ["bias"] = Of(c.GetProperty("bias"), normalized, dtype),
                });
            }

            Tensor x = Of(c.GetProperty("input"), shape, dtype, requiresGrad: true);
            Tensor y = layer.Forward(x);
            y.Backward(Of(c.GetProperty("grad_output"), shape, dtype));
            Close(y, c.GetProperty("output"), dtype, $"{name}: output");
            Close(x.Grad!, c.GetProperty("grad_input"), dtype, $"{name}: grad input");
            if (affine)
            {
                Close(layer.Weight!.Grad!, c.GetProperty("grad_weight"), dtype, $"{name}: grad weight");
                Close(layer.Bias!.Grad!, c.GetProperty("grad_bias"), dtype, $"{name}: grad bias");
            }
        }
    }

    [TestCase(DType.Float64)]
    [TestCase(DType.Float32)]
    public void BatchNorm2d_ThreeTrainingStepsAndAnEvaluationStep_MatchPyTorch(DType dtype)
    {
        foreach (JsonElement c in Fixture("batch_norm2d").EnumerateArray())
        {
            JsonElement momentumJson = c.GetProperty("momentum");
            double? momentum = momentumJson.ValueKind == JsonValueKind.Null ? null : momentumJson.GetDouble();
            int[] shape = c.GetProperty("shape").Ints();
            var layer = new BatchNorm2d(shape[1], momentum: momentum, dtype: dtype);
            using (Tape.NoGrad())
            {
                layer.Weight!.CopyFrom(Of(c.GetProperty("weight"), [shape[1]], dtype));
                layer.Bias!.CopyFrom(Of(c.GetProperty("bias"), [shape[1]], dtype));
            }

            int step = 0;
            foreach (JsonElement s in c.GetProperty("train").EnumerateArray())
            {
                string what = $"momentum {momentum?.ToString() ?? "None"}, step {++step}";
                Step(layer, s, shape, dtype, what);
                Close(layer.RunningMean!, s.GetProperty("running_mean"), dtype, $"{what}: running_mean");
                Close(layer.RunningVar!, s.GetProperty("running_var"), dtype, $"{what}: running_var");
                Assert.That(layer.NumBatchesTracked!.Item(), Is.EqualTo(s.GetProperty("num_batches_tracked").GetInt32()), what);
            }

            layer.Eval();
            Step(layer, c.GetProperty("eval"), shape, dtype, $"momentum {momentum?.ToString() ?? "None"}, eval");
        }
    }

    private static void Step(BatchNorm2d layer, JsonElement s, int[] shape, DType dtype, string what)
    {
        layer.ZeroGrad();
        Tensor x = Of(s.GetProperty("input"), shape, dtype, requiresGrad: true);
        Tensor y = layer.Forward(x);
        y.Backward(Of(s.GetProperty("grad_output"), shape, dtype));
        Close(y, s.GetProperty("output"), dtype, $"{what}: output");
        Close(x.Grad!, s.GetProperty("grad_input"), dtype, $"{what}: grad input");
        Close(layer.Weight!.Grad!, s.GetProperty("grad_weight"), dtype, $"{what}: grad weight");
        Close(layer.Bias!.Grad!, s.GetProperty("grad_bias"), dtype, $"{what}: grad bias");
    }
}
