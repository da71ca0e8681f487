using Autograd.Optim;

namespace Autograd.Tests.Optim;

/// <summary>Bad hyper-parameters of the optimizers and schedules: each throws naming the argument and the value.</summary>
public class HyperParameterTests
{
    private static Tensor Parameter(params double[] values)
    {
        var tensor = Tensor.FromArray(values, values.Length);
        tensor.RequiresGrad = true;
        return tensor;
    }

    private static IEnumerable<TestCaseData> OutOfRange()
    {
        Tensor[] p = [Parameter(1)];
        yield return new TestCaseData((TestDelegate)(() => _ = new RMSprop(p, lr: -0.1)), "lr", "Invalid learning rate: -0.1");
        yield return new TestCaseData((TestDelegate)(() => _ = new RMSprop(p, alpha: -0.5)), "alpha", "Invalid alpha value: -0.5");
        yield return new TestCaseData((TestDelegate)(() => _ = new RMSprop(p, momentum: -1)), "momentum", "Invalid momentum value: -1");
        yield return new TestCaseData((TestDelegate)(() => _ = new RMSprop(p, eps: double.NaN)), "eps", "Invalid epsilon value: NaN");
        yield return new TestCaseData((TestDelegate)(() => _ = new RMSprop(p, weightDecay: -2)), "weightDecay", "Invalid weight_decay value: -2");
        yield return new TestCaseData((TestDelegate)(() => _ = new Adagrad(p, lrDecay: -0.1)), "lrDecay", "Invalid lr_decay value: -0.1");
        yield return new TestCaseData((TestDelegate)(() => _ = new Adagrad(p, initialAccumulatorValue: -1)), "initialAccumulatorValue",
            "Invalid initial_accumulator_value value: -1");
        yield return new TestCaseData((TestDelegate)(() => _ = new Adagrad(p, eps: -1)), "eps", "Invalid epsilon value: -1");
        yield return new TestCaseData((TestDelegate)(() => _ = new Adam(p, beta2: 1.5, amsgrad: true)), "beta2", "Invalid beta2 parameter: 1.5");
        yield return new TestCaseData((TestDelegate)(() => _ = new LinearLR(new Sgd(p, 0.1), startFactor: 0)), "startFactor",
            "Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got 0");
        yield return new TestCaseData((TestDelegate)(() => _ = new LinearLR(new Sgd(p, 0.1), endFactor: 1.5)), "endFactor",
            "Ending multiplicative factor expected to be between 0 and 1, got 1.5");
        yield return new TestCaseData((TestDelegate)(() => _ = new LinearLR(new Sgd(p, 0.1), totalIters: 0)), "totalIters",
            "Expected a positive integer totalIters, but got 0");
        yield return new TestCaseData((TestDelegate)(() => _ = new OneCycleLR(new Sgd(p, 0.1), 1, totalSteps: -3)), "totalSteps",
            "Expected a positive integer totalSteps, but got -3");
        yield return new TestCaseData((TestDelegate)(() => _ = new OneCycleLR(new Sgd(p, 0.1), 1, epochs: 0, stepsPerEpoch: 5)), "epochs",
            "Expected a positive integer epochs, but got 0");
        yield return new TestCaseData((TestDelegate)(() => _ = new OneCycleLR(new Sgd(p, 0.1), 1, totalSteps: 10, pctStart: 1.5)), "pctStart",
            "Expected a pctStart between 0 and 1, but got 1.5");
        yield return new TestCaseData((TestDelegate)(() => _ = new ReduceLROnPlateau(new Sgd(p, 0.1), factor: 1)), "factor",
            "Factor should be < 1.0, got 1");
        yield return new TestCaseData((TestDelegate)(() => _ = new ReduceLROnPlateau(new Sgd(p, 0.1), patience: -1)), "patience", "-1");
        yield return new TestCaseData((TestDelegate)(() => _ = new StepLR(new Sgd(p, 0.1), stepSize: 0)), "stepSize",
            "Expected a positive integer stepSize, but got 0");
    }

    [TestCaseSource(nameof(OutOfRange))]
    public void OutOfRange_ThrowsNamingTheArgumentAndValue(TestDelegate create, string name, string message)
    {
        Assert.That(create, Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo(name)
            .And.Message.Contains(message));
    }

    private static IEnumerable<TestCaseData> Inconsistent()
    {
        Tensor[] p = [Parameter(1)];
        var sgd = new Sgd(p, 0.1);
        var twoGroups = new Sgd([new ParamGroup([Parameter(1)]), new ParamGroup([Parameter(2)])], 0.1);
        yield return new TestCaseData((TestDelegate)(() => _ = new OneCycleLR(sgd, 1)),
            "OneCycleLR: you must define either totalSteps OR (epochs AND stepsPerEpoch)");
        yield return new TestCaseData((TestDelegate)(() => _ = new OneCycleLR(new Adagrad(p), 1, totalSteps: 10)),
            "OneCycleLR: Adagrad has neither a momentum nor betas to cycle; pass cycleMomentum: false");
        yield return new TestCaseData((TestDelegate)(() => _ = new OneCycleLR(twoGroups, [1.0], totalSteps: 10)),
            "OneCycleLR: expected 2 values for max_lr, got 1");
        yield return new TestCaseData((TestDelegate)(() => _ = new LambdaLR(twoGroups, [e => 1.0])), "Expected 2 lr_lambdas, but got 1");
        yield return new TestCaseData((TestDelegate)(() => _ = new ReduceLROnPlateau(twoGroups, PlateauMode.Min, 0.1, 10, 1e-4, ThresholdMode.Rel, 0, [0.0])),
            "Expected 2 min_lrs, got 1");
        yield return new TestCaseData((TestDelegate)(() => _ = new SequentialLR(sgd, [new StepLR(sgd, 2), new StepLR(sgd, 3)], [])),
            "SequentialLR expects one milestone fewer than schedulers, but got 2 schedulers and 0 milestones");
        yield return new TestCaseData((TestDelegate)(() => _ = new SequentialLR(sgd, [new StepLR(sgd, 2), new StepLR(twoGroups, 3)], [4])),
            "but scheduler 1 does not");
        yield return new TestCaseData((TestDelegate)(() => _ = new SequentialLR(sgd, [new StepLR(sgd, 2), new StepLR(sgd, 2), new StepLR(sgd, 3)], [4, 4])),
            "SequentialLR: milestones must increase, got [4, 4]");
        yield return new TestCaseData((TestDelegate)(() => _ = new SequentialLR(sgd, [new ChainedScheduler([new StepLR(sgd, 2)])], [])),
            "SequentialLR cannot restart a ChainedScheduler (scheduler 0)");
        yield return new TestCaseData((TestDelegate)(() => _ = new ChainedScheduler([new StepLR(sgd, 2), new StepLR(twoGroups, 2)])),
            "got schedulers at index 0 and 1 to be different");
        yield return new TestCaseData((TestDelegate)(() => _ = new ChainedScheduler([])), "ChainedScheduler expects at least one scheduler");
    }

    [TestCaseSource(nameof(Inconsistent))]
    public void InconsistentArguments_ThrowArgumentException(TestDelegate create, string message)
    {
        Assert.That(create, Throws.InstanceOf<ArgumentException>().With.Message.Contains(message));
    }

    [Test]
    public void OneCycleLR_SteppedPastTotalSteps_Throws()
    {
        var schedule = new OneCycleLR(new Sgd([Parameter(1)], 0.1), 1, totalSteps: 3);
        for (var i = 0; i < 3; i++)
        {
            schedule.Step();
        }

        Assert.That(schedule.Step, Throws.InvalidOperationException.With.Message.Contains(
            "OneCycleLR: tried to step 5 times; the specified number of total steps is 3"));
    }

    [Test]
    public void OneCycleLR_APhaseWithoutSteps_Throws()
    {
        // pctStart·totalSteps = 1: the first phase ends at step 0 where it starts (PyTorch divides by zero)
        Assert.That(() => new OneCycleLR(new Sgd([Parameter(1)], 0.1), 1, totalSteps: 4, pctStart: 0.25),
            Throws.InvalidOperationException.With.Message.Contains("OneCycleLR: phase 0 has no steps"));
    }
}
