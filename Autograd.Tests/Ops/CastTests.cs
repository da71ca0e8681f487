using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops;

public class CastTests
{
    [Test]
    public void ToFloat32_AndBack_GradChecks()
    {
        // The float32 round trip is exact only to ~1e-7, so the step and tolerance are larger than usual.
        GradAssert.GradCheck(v => (v[0].To(DType.Float32) * 3).To(DType.Float64), [Inputs.Normal(81, 3, 2)], eps: 1e-3, atol: 1e-3);
    }

    [Test]
    public void Float32ToFloat64_GradientComesBackAsFloat32()
    {
        Tensor x = Tensor.FromArray(new[] { 1.5f, -2f }, 2);
        x.RequiresGrad = true;
        Tensor y = x.To(DType.Float64);
        Assert.That(y.DType, Is.EqualTo(DType.Float64));
        Assert.That(y.IsLeaf, Is.False);
        GradAssert.Values(y, [1.5, -2]);
        (y * y).Sum().Backward();
        Assert.That(x.Grad!.DType, Is.EqualTo(DType.Float32));
        GradAssert.Values(x.Grad, [3, -4]);
    }

    [Test]
    public void Float64ToFloat32_RoundsValues_AndGradientIsFloat64()
    {
        Tensor x = Inputs.Of([0.1, 1e-50], 2);
        Tensor y = x.To(DType.Float32);
        Assert.That(y.DType, Is.EqualTo(DType.Float32));
        Assert.That(y.ToArray<float>(), Is.EqualTo(new[] { 0.1f, 0f }));
        (y * 2).Sum().Backward();
        Assert.That(x.Grad!.DType, Is.EqualTo(DType.Float64));
        GradAssert.Values(x.Grad, [2, 2]);
    }

    [Test]
    public void SameDType_ReturnsTheTensorItself()
    {
        Tensor x = Inputs.Normal(82, 2);
        Assert.That(x.To(DType.Float64), Is.SameAs(x));
    }
}
