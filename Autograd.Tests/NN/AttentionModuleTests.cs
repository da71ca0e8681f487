using Autograd.NN;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.NN;

/// <summary>MultiheadAttention, Embedding, GELU and SiLU modules: names, shapes, equivalences, gradients, errors.</summary>
public class AttentionModuleTests
{
    [Test]
    public void MultiheadAttention_HasPyTorchsStateDictNamesAndShapes()
    {
        var attention = new MultiheadAttention(8, 2, seed: 1);
        var shapes = attention.StateDict().ToDictionary(p => p.Key, p => p.Value.Shape);
        Assert.That(shapes.Keys, Is.EqualTo(new[] { "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias" }));
        Assert.That(shapes["in_proj_weight"], Is.EqualTo(new[] { 24, 8 }));
        Assert.That(shapes["in_proj_bias"], Is.EqualTo(new[] { 24 }));
        Assert.That(attention.InProjBias!.ToArray<float>(), Is.All.Zero, "zero biases, as PyTorch");
        Assert.That(attention.OutProj.Bias!.ToArray<float>(), Is.All.Zero);
        double bound = Math.Sqrt(6.0 / (8 + 24));
        Assert.That(attention.InProjWeight.ToArray<float>().Max(Math.Abs), Is.LessThanOrEqualTo(bound), "Xavier-uniform bound");
        Assert.That(new MultiheadAttention(8, 2, bias: false).StateDict().Keys, Is.EqualTo(new[] { "in_proj_weight", "out_proj.weight" }));
    }

    [Test]
    public void MultiheadAttention_EqualsItsDefinition_HeadsAttendingSeparately()
    {
        var attention = new MultiheadAttention(4, 2, seed: 3, dtype: DType.Float64);
        Tensor x = Inputs.Normal(1, 2, 3, 4);
        Tensor output = attention.Forward(x);

        // By hand: project, split into two heads of width 2, attend per head, concatenate, project out.
        Tensor qkv = Functional.Linear(x, attention.InProjWeight, attention.InProjBias);
        var heads = new List<Tensor>();
        for (int h = 0; h < 2; h++)
        {
            Tensor q = qkv.Narrow(2, h * 2, 2), k = qkv.Narrow(2, 4 + (h * 2), 2), v = qkv.Narrow(2, 8 + (h * 2), 2);
            heads.Add(Functional.ScaledDotProductAttention(q, k, v));
        }

        Tensor expected = attention.OutProj.Forward(Tensor.Cat([.. heads], axis: 2));
        GradAssert.AssertClose(output.ToArray<double>(), expected.ToArray<double>(), 1e-12, 1e-12);
    }

    [Test]
    public void MultiheadAttention_MasksFollowNnMultiheadAttention_TrueMeansNotAllowed()
    {
        var attention = new MultiheadAttention(4, 2, seed: 5, dtype: DType.Float64);
        Tensor x = Inputs.Normal(2, 2, 3, 4);
        Tensor causal = attention.Forward(x, x, x, isCausal: true);
        var upper = Enumerable.Range(0, 9).Select(n => n % 3 > n / 3).ToArray();   // torch.ones(3,3).triu(1): not allowed
        Tensor masked = attention.Forward(x, x, x, attnMask: Tensor.FromArray(upper, 3, 3));
        Assert.That(masked.ToArray<double>(), Is.EqualTo(causal.ToArray<double>()));

        // A padded last key: the outputs equal attention over the first two keys only.
        Tensor padding = Tensor.FromArray(new[] { false, false, true, false, false, true }, 2, 3);
        Tensor padded = attention.Forward(x, x, x, keyPaddingMask: padding);
        Tensor keys = x.Narrow(1, 0, 2);
        Tensor shorter = attention.Forward(x, keys, keys);
        GradAssert.AssertClose(padded.ToArray<double>(), shorter.ToArray<double>(), 1e-12, 1e-12, "key padding");
    }

    [Test]
    public void MultiheadAttention_Unbatched_AndGradients()
    {
        var attention = new MultiheadAttention(4, 2, seed: 7, dtype: DType.Float64);
        Tensor x = Inputs.Normal(3, 3, 4);
        Tensor unbatched = attention.Forward(x);
        Assert.That(unbatched.Shape, Is.EqualTo(new[] { 3, 4 }));
        Assert.That(unbatched.ToArray<double>(), Is.EqualTo(attention.Forward(x.Unsqueeze(0)).ToArray<double>()));

        Tensor[] parameters = [.. attention.Parameters()];
        GradAssert.GradCheckFirstOrder(t => attention.Forward(t[0], t[0], t[0], isCausal: true), [Inputs.Normal(4, 1, 3, 4)]);
        (attention.Forward(Inputs.Normal(5, 2, 3, 4)).Square().Sum()).Backward();
        Assert.That(parameters.All(p => p.Grad is not null), Is.True, "every parameter gets a gradient");
    }

    [Test]
    public void MultiheadAttention_BadArguments_GiveClearErrors()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MultiheadAttention(6, 4));
        Assert.That(ex!.Message, Does.Contain("divisible"));
        var attention = new MultiheadAttention(4, 2);
        ex = Assert.Throws<ArgumentException>(() => attention.Forward(Tensor.Zeros([2, 3, 5])));
        Assert.That(ex!.Message, Does.Contain("embedDim 4"));
        ex = Assert.Throws<ArgumentException>(() => attention.Forward(Tensor.Zeros([2, 3, 4]), Tensor.Zeros([2, 3, 4]),
            Tensor.Zeros([2, 3, 4]), keyPaddingMask: Tensor.Zeros([2, 4], DType.Bool)));
        Assert.That(ex!.Message, Does.Contain("keyPaddingMask must be [N,S] = [2,3]"));
    }

    [Test]
    public void Embedding_LooksUpRowsForIndicesOfAnyShape_AndScatterAddsTheGradient()
    {
        var embedding = new Embedding(5, 3, seed: 1);
        Assert.That(embedding.StateDict().Keys, Is.EqualTo(new[] { "weight" }));
        Tensor indices = Tensor.FromArray(new long[] { 4, 0, 4, 2 }, 2, 2);
        Tensor rows = embedding.Forward(indices);
        Assert.That(rows.Shape, Is.EqualTo(new[] { 2, 2, 3 }));
        float[] w = embedding.Weight.ToArray<float>();
        Assert.That(rows.ToArray<float>()[..3], Is.EqualTo(w[12..15]));
        Assert.That(rows.ToArray<float>()[9..12], Is.EqualTo(w[6..9]));

        rows.Sum().Backward();
        Assert.That(embedding.Weight.Grad!.ToArray<float>(), Is.EqualTo(new float[] { 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2 }));

        var ex = Assert.Throws<ArgumentException>(() => embedding.Forward(Tensor.Zeros([2])));
        Assert.That(ex!.Message, Does.Contain("Embedding: indices must be Int64"));
        Assert.Throws<ArgumentOutOfRangeException>(() => embedding.Forward(Tensor.FromArray(new long[] { 5 }, 1)));
    }

    [Test]
    public void Embedding_GradCheck()
    {
        Tensor indices = Tensor.FromArray(new long[] { 1, 1, 0, 2 }, 4);
        GradAssert.GradCheck(t => Functional.Embedding(indices, t[0]), [Inputs.Normal(1, 3, 2)]);
    }

    [Test]
    public void GeluAndSiluModules_ApplyTheirFunctions()
    {
        Tensor x = Inputs.Normal(1, 5);
        Assert.That(new GELU().Forward(x).ToArray<double>(), Is.EqualTo(x.Gelu().ToArray<double>()));
        Assert.That(new GELU("tanh").Forward(x).ToArray<double>(), Is.EqualTo(x.Gelu(tanhApproximation: true).ToArray<double>()));
        Assert.That(new SiLU().Forward(x).ToArray<double>(), Is.EqualTo(x.Silu().ToArray<double>()));
        Assert.That(new GELU("tanh").ToString(), Is.EqualTo("GELU(approximate='tanh')"));
        var ex = Assert.Throws<ArgumentException>(() => new GELU("erf"));
        Assert.That(ex!.Message, Does.Contain("\"none\" or \"tanh\""));
    }
}
