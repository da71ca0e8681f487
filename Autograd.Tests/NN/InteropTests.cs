using Autograd.NN;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.NN;

/// <summary>
/// PyTorch checkpoints load into our modules with LoadStateDict and reproduce PyTorch's outputs and parameter gradients
/// (float32, 1e-5). The files come from Fixtures/make_interop_fixtures.py, which documents what each holds.
/// </summary>
public class InteropTests
{
    private const double Tolerance = 1e-5;

    private static IReadOnlyDictionary<string, Tensor> Load(string name) =>
        SafeTensors.Load(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", name));

    private static Dictionary<string, Tensor> WithPrefix(IReadOnlyDictionary<string, Tensor> file, string prefix) =>
        file.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[prefix.Length..], p => p.Value);

    private static void AssertClose(Tensor actual, Tensor expected, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), what + ": shape");
        GradAssert.AssertClose(actual.ToArray<double>(), expected.ToArray<double>(), rtol: Tolerance, atol: Tolerance, what);
    }

    /// <summary>The CNN of the script: two conv blocks with BatchNorm and max-pooling, and a linear head.</summary>
    private static Sequential Cnn() => new(
        new Conv2d(1, 4, 3, padding: 1), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
        new Conv2d(4, 6, 3, padding: 1), new BatchNorm2d(6), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(6 * 3 * 3, 5));

    [Test]
    public void Cnn_WithBatchNorm_LoadsAPyTorchCheckpoint_AndReproducesItsOutputsGradientsAndRunningStatistics()
    {
        var file = Load("interop_cnn.safetensors");
        var model = Cnn();
        model.LoadStateDict(WithPrefix(file, "model."));

        model.Train();
        Tensor output = model.Forward(file["input"]);
        AssertClose(output, file["output_train"], "training-mode output");
        (output * file["loss_weights"]).Sum().Backward();
        foreach (var (name, parameter) in model.NamedParameters())
        {
            AssertClose(parameter.Grad!, file["grad." + name], "gradient of " + name);
        }

        foreach (var (name, value) in WithPrefix(file, "after."))
        {
            Tensor ours = model.StateDict()[name];
            if (value.DType == DType.Int64)
            {
                Assert.That(ours.ToArray<long>(), Is.EqualTo(value.ToArray<long>()), name);
            }
            else
            {
                AssertClose(ours, value, name + " after the training-mode forward");
            }
        }

        model.Eval();
        using (Tape.NoGrad())
        {
            AssertClose(model.Forward(file["input"]), file["output_eval"], "eval-mode output");
        }
    }

    /// <summary>The transformer block of the script, under the same state-dict names.</summary>
    private sealed class Block : Module
    {
        public Block(int vocabulary, int width, int heads)
        {
            Emb = RegisterModule("emb", new Embedding(vocabulary, width, seed: 1));
            Ln1 = RegisterModule("ln1", new LayerNorm([width]));
            Attn = RegisterModule("attn", new MultiheadAttention(width, heads, seed: 2));
            Ln2 = RegisterModule("ln2", new LayerNorm([width]));
            Fc1 = RegisterModule("fc1", new Linear(width, 4 * width, seed: 3));
            Fc2 = RegisterModule("fc2", new Linear(4 * width, width, seed: 4));
        }

        public Embedding Emb { get; }

        public LayerNorm Ln1 { get; }

        public MultiheadAttention Attn { get; }

        public LayerNorm Ln2 { get; }

        public Linear Fc1 { get; }

        public Linear Fc2 { get; }

        public override Tensor Forward(Tensor input)
        {
            Tensor x = Emb.Forward(input);
            Tensor h = Ln1.Forward(x);
            x += Attn.Forward(h, h, h, isCausal: true);
            return x + Fc2.Forward(Fc1.Forward(Ln2.Forward(x)).Gelu());
        }
    }

    [Test]
    public void TransformerBlock_LoadsAPyTorchCheckpoint_AndReproducesItsOutputAndGradients()
    {
        var file = Load("interop_transformer.safetensors");
        var model = new Block(vocabulary: 11, width: 16, heads: 4);
        var state = WithPrefix(file, "model.");
        Assert.That(model.StateDict().Keys, Is.EquivalentTo(state.Keys), "PyTorch's state-dict names");
        model.LoadStateDict(state);

        Tensor output = model.Forward(file["input"]);
        AssertClose(output, file["output"], "output");
        (output * file["loss_weights"]).Sum().Backward();
        foreach (var (name, parameter) in model.NamedParameters())
        {
            AssertClose(parameter.Grad!, file["grad." + name], "gradient of " + name);
        }
    }
}
