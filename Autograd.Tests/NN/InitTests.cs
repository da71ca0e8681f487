using Autograd.NN;

namespace Autograd.Tests.NN;

public class InitTests
{
    private static double Variance(double[] values)
    {
        var mean = values.Average();
        return values.Select(v => (v - mean) * (v - mean)).Average();
    }

    [Test]
    public void Fans_FollowPyTorch_ForMatricesAndConvolutionWeights()
    {
        Assert.That(Init.Fans(Tensor.Zeros([30, 20])), Is.EqualTo((20, 30)));
        Assert.That(Init.Fans(Tensor.Zeros([16, 3, 5, 5])), Is.EqualTo((75, 400)));
        Assert.That(() => Init.Fans(Tensor.Zeros([7])), Throws.ArgumentException.With.Message.Contains("fewer than 2"));
    }

    [Test]
    public void CalculateGain_MatchesPyTorch()
    {
        Assert.That(Init.CalculateGain(Nonlinearity.Relu), Is.EqualTo(Math.Sqrt(2)));
        Assert.That(Init.CalculateGain(Nonlinearity.Tanh), Is.EqualTo(5.0 / 3));
        Assert.That(Init.CalculateGain(Nonlinearity.LeakyRelu, Math.Sqrt(5)), Is.EqualTo(Math.Sqrt(1.0 / 3)).Within(1e-15));
        Assert.That(Init.CalculateGain(Nonlinearity.Sigmoid), Is.EqualTo(1.0));
    }

    [Test]
    public void KaimingUniform_BoundIsGainTimesSqrtThreeOverFanIn()
    {
        var t = Init.KaimingUniform(Tensor.Zeros([200, 50], DType.Float64), nonlinearity: Nonlinearity.Relu, seed: 1);
        var bound = Math.Sqrt(2) * Math.Sqrt(3.0 / 50);
        var values = t.ToArray<double>();

        Assert.That(values.All(v => Math.Abs(v) <= bound), Is.True);
        Assert.That(values.Max(), Is.GreaterThan(0.99 * bound));
        Assert.That(Variance(values), Is.EqualTo(2.0 / 50).Within(0.05 * 2.0 / 50));
    }

    [Test]
    public void KaimingNormal_FanOut_HasVarianceTwoOverFanOut()
    {
        var values = Init.KaimingNormal(Tensor.Zeros([100, 300], DType.Float64), mode: FanMode.FanOut,
            nonlinearity: Nonlinearity.Relu, seed: 2).ToArray<double>();

        Assert.That(Variance(values), Is.EqualTo(2.0 / 100).Within(0.05 * 2.0 / 100));
        Assert.That(values.Average(), Is.EqualTo(0).Within(0.01));
    }

    [Test]
    public void XavierUniform_And_XavierNormal_HaveVarianceTwoOverFanSum()
    {
        var expected = 2.0 / (120 + 80);
        var uniform = Init.XavierUniform(Tensor.Zeros([120, 80], DType.Float64), seed: 3).ToArray<double>();
        var normal = Init.XavierNormal(Tensor.Zeros([120, 80], DType.Float64), seed: 4).ToArray<double>();

        Assert.That(uniform.All(v => Math.Abs(v) <= Math.Sqrt(6.0 / 200)), Is.True);
        Assert.That(Variance(uniform), Is.EqualTo(expected).Within(0.05 * expected));
        Assert.That(Variance(normal), Is.EqualTo(expected).Within(0.05 * expected));
    }

    [Test]
    public void Zeros_Uniform_Normal_WorkOnAnyShapeAndDType_InPlace()
    {
        var t = Tensor.Ones([2, 3, 4]);

        Assert.That(Init.Zeros(t), Is.SameAs(t));
        Assert.That(t.ToArray<float>(), Is.All.EqualTo(0f));
        var u = Init.Uniform(Tensor.Zeros([1000], DType.Float64), 2, 3, seed: 5).ToArray<double>();
        Assert.That(u.All(v => v >= 2 && v < 3), Is.True);
        var n = Init.Normal(Tensor.Zeros([20000]), mean: 5, std: 2, seed: 6).ToArray<float>();
        Assert.That(n.Average(), Is.EqualTo(5).Within(0.05));
        Assert.That(Variance(n.Select(v => (double)v).ToArray()), Is.EqualTo(4).Within(0.2));
    }

    [Test]
    public void Initialisers_WithSameSeed_AreReproducible()
    {
        var a = Init.XavierNormal(Tensor.Zeros([4, 4]), seed: 9).ToArray<float>();
        var b = Init.XavierNormal(Tensor.Zeros([4, 4]), seed: 9).ToArray<float>();
        var c = Init.XavierNormal(Tensor.Zeros([4, 4]), seed: 10).ToArray<float>();

        Assert.That(b, Is.EqualTo(a));
        Assert.That(c, Is.Not.EqualTo(a));
    }
}
