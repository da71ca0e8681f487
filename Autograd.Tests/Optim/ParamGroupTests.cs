using Autograd.Optim;

namespace Autograd.Tests.Optim;

public class ParamGroupTests
{
    private static Tensor Parameter(params double[] values)
    {
        var tensor = Tensor.FromArray(values, values.Length);
        tensor.RequiresGrad = true;
        return tensor;
    }

    private static void GradientOfOne(params Tensor[] parameters)
    {
        foreach (var p in parameters)
        {
            p.Sum().Backward();
        }
    }

    [Test]
    public void UnsetOptions_TakeTheDefaults_AndSetOnesStay()
    {
        var weight = Parameter(1, 2);
        var bias = Parameter(3);
        var optimizer = new AdamW([new ParamGroup([weight]), new ParamGroup([bias]) { WeightDecay = 0, LearningRate = 0.5 }],
            lr: 0.01, beta1: 0.8);

        Assert.That(optimizer.ParamGroups[0].WeightDecay, Is.EqualTo(0.01));
        Assert.That(optimizer.ParamGroups[0].LearningRate, Is.EqualTo(0.01));
        Assert.That(optimizer.ParamGroups[1].WeightDecay, Is.Zero);
        Assert.That(optimizer.ParamGroups[1].LearningRate, Is.EqualTo(0.5));
        Assert.That(optimizer.ParamGroups[1].Betas, Is.EqualTo((0.8, 0.999)));
        Assert.That(optimizer.ParamGroups[1].Momentum, Is.Null, "AdamW has no momentum option");
        Assert.That(optimizer.Parameters, Is.EqualTo(new[] { weight, bias }));
    }

    [Test]
    public void EachGroup_StepsWithItsOwnOptions()
    {
        var slow = Parameter(1);
        var fast = Parameter(1);
        var optimizer = new Sgd([new ParamGroup([slow]), new ParamGroup([fast]) { LearningRate = 0.5, WeightDecay = 1 }], lr: 0.1);
        GradientOfOne(slow, fast);

        optimizer.Step();

        Assert.That(slow.Item(), Is.EqualTo(1 - 0.1));
        Assert.That(fast.Item(), Is.EqualTo(1 - (0.5 * (1 + 1))));
    }

    [Test]
    public void ChangingAGroupsOption_TakesEffectAtTheNextStep()
    {
        var p = Parameter(1);
        var optimizer = new Sgd([p], lr: 0.1);
        GradientOfOne(p);

        optimizer.ParamGroups[0].LearningRate = 0.25;
        optimizer.Step();

        Assert.That(p.Item(), Is.EqualTo(0.75));
    }

    [Test]
    public void LearningRate_SetsEveryGroup_AndReadingDifferentRatesThrows()
    {
        var optimizer = new Sgd([new ParamGroup([Parameter(1)]), new ParamGroup([Parameter(2)]) { LearningRate = 0.5 }], lr: 0.1);

        Assert.That(() => optimizer.LearningRate, Throws.InvalidOperationException.With.Message.Contains("different learning rates (0.1, 0.5)"));

        optimizer.LearningRate = 0.2;

        Assert.That(optimizer.ParamGroups.Select(g => g.LearningRate), Is.All.EqualTo(0.2));
        Assert.That(optimizer.LearningRate, Is.EqualTo(0.2));
    }

    [Test]
    public void AddParamGroup_AppendsParameters_WithTheDefaults_AndStepsThem()
    {
        var first = Parameter(1);
        var later = Parameter(2);
        var optimizer = new Sgd([first], lr: 0.1, momentum: 0.9);

        optimizer.AddParamGroup(new ParamGroup([later]) { LearningRate = 0.01 });
        GradientOfOne(first, later);
        optimizer.Step();

        Assert.That(optimizer.ParamGroups, Has.Count.EqualTo(2));
        Assert.That(optimizer.ParamGroups[1].Momentum, Is.EqualTo(0.9));
        Assert.That(optimizer.Parameters, Is.EqualTo(new[] { first, later }));
        Assert.That(later.Item(), Is.EqualTo(2 - 0.01));
        Assert.That(optimizer.StateDict().ParamGroups[1]["params"]!.ToJsonString(), Is.EqualTo("[1]"));
    }

    [Test]
    public void AddParamGroup_RejectsAParameterAlreadyInAGroup()
    {
        var p = Parameter(1);
        var optimizer = new Adam([p]);

        Assert.That(() => optimizer.AddParamGroup(new ParamGroup([Parameter(2), p])),
            Throws.ArgumentException.With.Message.Contains("Parameter 1 of parameter group 1 is in another parameter group too"));
        Assert.That(optimizer.ParamGroups, Has.Count.EqualTo(1));
    }

    [Test]
    public void AnOptionTheOptimizerDoesNotHave_IsRejected_NamingIt()
    {
        var group = new ParamGroup([Parameter(1)]) { Betas = (0.9, 0.99) };

        Assert.That(() => new Sgd([group], lr: 0.1), Throws.ArgumentException.With.Message.Contains("Sgd has no option 'betas' (parameter group 0)"));
        Assert.That(() => new Adagrad([new ParamGroup([Parameter(1)]) { Momentum = 0.9 }]),
            Throws.ArgumentException.With.Message.Contains("Adagrad has no option 'momentum'"));
    }

    [Test]
    public void AGroup_JoinsOneOptimizerOnly_AndAFailedConstructionLeavesItFree()
    {
        var good = new ParamGroup([Parameter(1)]);
        var bad = new ParamGroup([Parameter(2)]) { Alpha = 0.5 };

        Assert.That(() => new Adam([good, bad]), Throws.ArgumentException.With.Message.Contains("no option 'alpha'"));

        var optimizer = new Adam([good]);
        Assert.That(optimizer.ParamGroups[0], Is.SameAs(good));
        Assert.That(() => new Adam([good]), Throws.ArgumentException.With.Message.Contains("already belongs to an optimizer (Adam)"));
    }

    [Test]
    public void Groups_RejectBadParameters_NamingTheGroup()
    {
        var p = Parameter(1);
        var labels = Tensor.FromArray(new long[] { 1 }, 1);

        Assert.That(() => new Sgd([new ParamGroup([p]), new ParamGroup([p])], 0.1),
            Throws.ArgumentException.With.Message.Contains("parameter group 1 is in another parameter group too"));
        Assert.That(() => new Sgd([new ParamGroup([p, p])], 0.1), Throws.ArgumentException.With.Message.Contains("appears more than once"));
        Assert.That(() => new Sgd([new ParamGroup([labels])], 0.1),
            Throws.ArgumentException.With.Message.Contains("Cannot optimize a Int64 tensor (parameter 0 of parameter group 0)"));
        Assert.That(() => new Sgd(Array.Empty<ParamGroup>(), 0.1), Throws.ArgumentException.With.Message.Contains("empty list of parameter groups"));
    }

    [Test]
    public void NesterovInAGroup_NeedsMomentumAndNoDampening()
    {
        Assert.That(() => new Sgd([new ParamGroup([Parameter(1)]) { Nesterov = true }], lr: 0.1),
            Throws.ArgumentException.With.Message.Contains("Nesterov momentum requires a momentum and zero dampening (parameter group 0: momentum 0"));
        Assert.That(() => new Sgd([Parameter(1)], 0.1, momentum: 0.9, nesterov: true, dampening: 0.1),
            Throws.ArgumentException.With.Message.Contains("zero dampening"));
    }

    [Test]
    public void OptionSetters_CheckTheirRanges_NamingTheValue()
    {
        var group = new ParamGroup([Parameter(1)]);

        Assert.That(() => group.LearningRate = -1, Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("LearningRate").And.Message.Contains("Invalid learning rate: -1"));
        Assert.That(() => group.Betas = (1.0, 0.9), Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("beta1"));
        Assert.That(() => group.WeightDecay = double.NaN, Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => group.Eps = -1e-8, Throws.InstanceOf<ArgumentOutOfRangeException>());
        group.LearningRate = null;
        Assert.That(group.LearningRate, Is.Null);
    }

    [Test]
    public void Adagrad_UsesEachGroupsInitialAccumulatorValue()
    {
        var optimizer = new Adagrad([new ParamGroup([Parameter(1)]), new ParamGroup([Parameter(1)]) { InitialAccumulatorValue = 3 }],
            initialAccumulatorValue: 1);

        var state = optimizer.StateDict().State;

        Assert.That(state[0].Tensors["sum"].Item(), Is.EqualTo(1));
        Assert.That(state[1].Tensors["sum"].Item(), Is.EqualTo(3));
    }

    [Test]
    public void Schedules_KeepABaseRatePerGroup_AndTheFirstRecordsInitialLr()
    {
        var optimizer = new Sgd([new ParamGroup([Parameter(1)]), new ParamGroup([Parameter(2)]) { LearningRate = 0.01 }], lr: 0.1);
        var schedule = new StepLR(optimizer, stepSize: 1, gamma: 0.5);
        schedule.Step();

        Assert.That(schedule.BaseLearningRates, Is.EqualTo(new[] { 0.1, 0.01 }));
        Assert.That(optimizer.ParamGroups.Select(g => g.InitialLearningRate), Is.EqualTo(new double?[] { 0.1, 0.01 }));
        Assert.That(schedule.LastLearningRates, Is.EqualTo(new[] { 0.05, 0.005 }));
        Assert.That(() => schedule.BaseLearningRate, Throws.InvalidOperationException.With.Message.Contains("read BaseLearningRates"));
        Assert.That(() => schedule.LastLearningRate, Throws.InvalidOperationException.With.Message.Contains("read LastLearningRates"));
    }

    [Test]
    public void ASchedule_RefusesGroupsAddedAfterIt()
    {
        var optimizer = new Sgd([Parameter(1)], lr: 0.1);
        var schedule = new StepLR(optimizer, stepSize: 2);
        optimizer.AddParamGroup(new ParamGroup([Parameter(2)]));

        Assert.That(schedule.Step, Throws.InvalidOperationException.With.Message.Contains(
            "StepLR: the optimizer has 2 parameter groups, the schedule was built for 1; build the schedule after AddParamGroup"));
    }

    [Test]
    public void Maximize_AscendsTheObjective_WithoutTouchingTheGradient()
    {
        var p = Parameter(1);
        var optimizer = new Sgd([new ParamGroup([p]) { Maximize = true }], lr: 0.1);
        GradientOfOne(p);

        optimizer.Step();

        Assert.That(p.Item(), Is.EqualTo(1.1));
        Assert.That(p.Grad!.Item(), Is.EqualTo(1));
    }
}
