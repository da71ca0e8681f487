using Autograd.Optim;

namespace Autograd.Tests.Optim;

public class OptimizerTests
{
    private static Tensor Parameter(params double[] values)
    {
        var tensor = Tensor.FromArray(values, values.Length);
        tensor.RequiresGrad = true;
        return tensor;
    }

    private static IEnumerable<TestCaseData> Optimizers()
    {
        yield return new TestCaseData((Func<Tensor[], Optimizer>)(p => new Sgd(p, 0.1, momentum: 0.9))).SetName("Sgd");
        yield return new TestCaseData((Func<Tensor[], Optimizer>)(p => new Adam(p, 0.1))).SetName("Adam");
        yield return new TestCaseData((Func<Tensor[], Optimizer>)(p => new AdamW(p, 0.1))).SetName("AdamW");
    }

    [TestCaseSource(nameof(Optimizers))]
    public void Step_SkipsParametersWithoutGradient_AndUpdatesInPlace(Func<Tensor[], Optimizer> create)
    {
        var used = Parameter(1, 2);
        var unused = Parameter(3, 4);
        var optimizer = create([used, unused]);

        (used * used).Sum().Backward();
        optimizer.Step();

        Assert.That(unused.ToArray<double>(), Is.EqualTo(new[] { 3.0, 4.0 }));
        Assert.That(used.ToArray<double>(), Is.All.LessThan(2.0).And.Not.EqualTo(new[] { 1.0, 2.0 }));
        Assert.That(used.IsLeaf && used.RequiresGrad, Is.True);
    }

    [TestCaseSource(nameof(Optimizers))]
    public void ZeroGrad_SetsGradientsToNull(Func<Tensor[], Optimizer> create)
    {
        var p = Parameter(1, 2);
        var optimizer = create([p]);
        (p * p).Sum().Backward();

        optimizer.ZeroGrad();

        Assert.That(p.Grad, Is.Null);
    }

    [TestCaseSource(nameof(Optimizers))]
    public void Steps_MinimiseAQuadratic(Func<Tensor[], Optimizer> create)
    {
        var p = Parameter(3, -2, 0.5);
        var optimizer = create([p]);

        for (var i = 0; i < 300; i++)
        {
            optimizer.ZeroGrad();
            (p - 1).Pow(2).Sum().Backward();
            optimizer.Step();
        }

        Assert.That(p.ToArray<double>(), Is.All.EqualTo(1).Within(0.05));
    }

    [Test]
    public void Step_LeavesParametersAsLeaves_AndGradientsUntouched()
    {
        var p = Parameter(1, 2);
        var optimizer = new Adam([p], 0.5);
        (p * p).Sum().Backward();

        optimizer.Step();

        Assert.That(p.IsLeaf && p.RequiresGrad, Is.True);
        Assert.That(p.Grad!.ToArray<double>(), Is.EqualTo(new[] { 2.0, 4.0 }));
        Assert.That(Tape.IsGradEnabled, Is.True);
    }

    [Test]
    public void Sgd_FirstMomentumStep_UsesTheGradientAsBuffer()
    {
        var p = Parameter(1);
        var optimizer = new Sgd([p], 0.1, momentum: 0.9);
        (p * 2).Sum().Backward();   // grad 2

        optimizer.Step();
        Assert.That(p.Item(), Is.EqualTo(1 - 0.2).Within(1e-15));
        optimizer.Step();           // same grad kept: buf = 0.9·2 + 2 = 3.8
        Assert.That(p.Item(), Is.EqualTo(0.8 - 0.38).Within(1e-15));
    }

    [Test]
    public void LearningRate_IsSettable_AndUsedByNextStep()
    {
        var p = Parameter(1);
        var optimizer = new Sgd([p], 0.1);
        (p * 1).Sum().Backward();

        optimizer.LearningRate = 0.5;
        optimizer.Step();

        Assert.That(p.Item(), Is.EqualTo(0.5).Within(1e-15));
        Assert.That(() => optimizer.LearningRate = -1, Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    private static IEnumerable<TestCaseData> InvalidHyperParameters()
    {
        Tensor[] p = [Parameter(1)];
        yield return new TestCaseData((TestDelegate)(() => _ = new Sgd(p, -0.1)), "lr");
        yield return new TestCaseData((TestDelegate)(() => _ = new Sgd(p, double.NaN)), "lr");
        yield return new TestCaseData((TestDelegate)(() => _ = new Sgd(p, 0.1, momentum: -0.5)), "momentum");
        yield return new TestCaseData((TestDelegate)(() => _ = new Sgd(p, 0.1, weightDecay: -1)), "weightDecay");
        yield return new TestCaseData((TestDelegate)(() => _ = new Adam(p, lr: -1)), "lr");
        yield return new TestCaseData((TestDelegate)(() => _ = new Adam(p, beta1: 1.0)), "beta1");
        yield return new TestCaseData((TestDelegate)(() => _ = new Adam(p, beta2: -0.1)), "beta2");
        yield return new TestCaseData((TestDelegate)(() => _ = new Adam(p, eps: -1e-8)), "eps");
        yield return new TestCaseData((TestDelegate)(() => _ = new Adam(p, weightDecay: -1)), "weightDecay");
        yield return new TestCaseData((TestDelegate)(() => _ = new AdamW(p, weightDecay: -0.01)), "weightDecay");
        yield return new TestCaseData((TestDelegate)(() => _ = new AdamW(p, beta1: 1.5)), "beta1");
    }

    [TestCaseSource(nameof(InvalidHyperParameters))]
    public void Constructors_RejectInvalidHyperParameters_NamingThem(TestDelegate create, string name)
    {
        Assert.That(create, Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo(name));
    }

    [Test]
    public void Sgd_Nesterov_RequiresMomentum()
    {
        Assert.That(() => new Sgd([Parameter(1)], 0.1, nesterov: true), Throws.ArgumentException.With.Message.Contains("Nesterov"));
    }

    [Test]
    public void Constructors_RejectEmptyDuplicateOrNonLeafParameters()
    {
        var p = Parameter(1, 2);

        Assert.That(() => new Adam([]), Throws.ArgumentException.With.Message.Contains("empty"));
        Assert.That(() => new Adam([p, p]), Throws.ArgumentException.With.Message.Contains("more than once"));
        Assert.That(() => new Sgd([p * 2], 0.1), Throws.ArgumentException.With.Message.Contains("non-leaf"));
    }

    [Test]
    public void AdamW_DefaultWeightDecay_IsOneHundredth_AndAdamsIsZero()
    {
        Assert.That(new AdamW([Parameter(1)]).WeightDecay, Is.EqualTo(0.01));
        Assert.That(new Adam([Parameter(1)]).WeightDecay, Is.Zero);
        Assert.That(new Adam([Parameter(1)]).LearningRate, Is.EqualTo(1e-3));
    }
}
