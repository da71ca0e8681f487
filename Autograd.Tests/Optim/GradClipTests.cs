using Autograd.Optim;

namespace Autograd.Tests.Optim;

public class GradClipTests
{
    private static Tensor WithGradient(double[] gradient)
    {
        var p = Tensor.Zeros([gradient.Length], DType.Float64);
        p.RequiresGrad = true;
        (p * Tensor.FromArray(gradient, gradient.Length)).Sum().Backward();
        return p;
    }

    [Test]
    public void ClipGradNorm_ScalesEveryGradient_ByMaxNormOverTheTotalNorm()
    {
        var a = WithGradient([3, 4]);
        var b = WithGradient([12]);

        var norm = GradClip.ClipGradNorm([a, b], maxNorm: 6.5);

        var coefficient = 6.5 / (13 + 1e-6);
        Assert.That(norm, Is.EqualTo(13));
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3 * coefficient, 4 * coefficient }));
        Assert.That(b.Grad!.ToArray<double>(), Is.EqualTo(new[] { 12 * coefficient }));
    }

    [Test]
    public void ClipGradNorm_BelowTheLimit_LeavesTheGradients()
    {
        var a = WithGradient([3, 4]);

        var norm = GradClip.ClipGradNorm([a], maxNorm: 10);

        Assert.That(norm, Is.EqualTo(5));
        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new[] { 3.0, 4.0 }));
    }

    [TestCase(double.PositiveInfinity, 12.0)]
    [TestCase(1.0, 19.0)]
    [TestCase(2.0, 13.0)]
    public void ClipGradNorm_ComputesTheRequestedNorm(double normType, double expected)
    {
        var norm = GradClip.ClipGradNorm([WithGradient([3, -4]), WithGradient([-12])], maxNorm: 1000, normType);

        Assert.That(norm, Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void ClipGradNorm_OfOrderP_IsThePNormOfThePerGradientPNorms()
    {
        var norm = GradClip.ClipGradNorm([WithGradient([1, -2]), WithGradient([3])], maxNorm: 1000, normType: 3);

        var first = Math.Pow(1 + 8, 1.0 / 3);
        Assert.That(norm, Is.EqualTo(Math.Pow(Math.Pow(first, 3) + 27, 1.0 / 3)).Within(1e-14));
    }

    [Test]
    public void ClipGradNorm_SkipsMissingGradients_AndReturnsZeroWithNone()
    {
        var none = Tensor.Zeros([2], DType.Float64);
        none.RequiresGrad = true;

        Assert.That(GradClip.ClipGradNorm([none], 1), Is.Zero);
        Assert.That(GradClip.ClipGradNorm([none, WithGradient([0, 2])], 1), Is.EqualTo(2));
    }

    [Test]
    public void ClipGradNorm_NonFinite_ThrowsWhenAsked_ElseScalesByIt()
    {
        var a = WithGradient([double.NaN, 1]);

        Assert.That(() => GradClip.ClipGradNorm([a], 1, errorIfNonfinite: true),
            Throws.InvalidOperationException.With.Message.Contains("the total norm of order 2 of the gradients is NaN"));
        Assert.That(a.Grad!.ToArray<double>()[1], Is.EqualTo(1), "nothing is scaled before the check");

        Assert.That(GradClip.ClipGradNorm([a], 1), Is.NaN);
        Assert.That(a.Grad!.ToArray<double>(), Is.All.NaN);
    }

    [Test]
    public void ClipGradNorm_SumsLargeFloat32GradientsInDouble()
    {
        const int n = 1 << 20;
        var p = Tensor.Zeros([n]);
        p.RequiresGrad = true;
        (p * 0.1).Sum().Backward();

        var norm = GradClip.ClipGradNorm([p], maxNorm: 1e9);

        Assert.That(norm, Is.EqualTo(Math.Sqrt(n * (double)0.1f * 0.1f)).Within(2e-5), "within two float ulps");
    }

    [Test]
    public void Clipping_BumpsTheGradientsVersion()
    {
        var a = WithGradient([3, 4]);
        var before = a.Grad!.Version;

        GradClip.ClipGradNorm([a], 1);
        GradClip.ClipGradValue([a], 0.1);

        Assert.That(a.Grad!.Version, Is.EqualTo(before + 2));
    }

    [Test]
    public void ClipGradValue_ClampsEachElement_AndKeepsNaN()
    {
        var a = WithGradient([-3, 0.05, 2, double.NaN]);

        GradClip.ClipGradValue([a], 0.1);

        Assert.That(a.Grad!.ToArray<double>(), Is.EqualTo(new[] { -0.1, 0.05, 0.1, double.NaN }));
    }

    [Test]
    public void Clipping_RejectsBadArguments_NamingThem()
    {
        Tensor[] p = [WithGradient([1])];

        Assert.That(() => GradClip.ClipGradNorm(p, -1), Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("maxNorm"));
        Assert.That(() => GradClip.ClipGradNorm(p, 1, normType: 0), Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("normType").And.Message.Contains("got 0"));
        Assert.That(() => GradClip.ClipGradNorm(p, 1, normType: double.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => GradClip.ClipGradValue(p, -0.5), Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("clipValue"));
    }
}
