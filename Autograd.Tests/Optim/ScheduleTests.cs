using System.Text.Json;
using Autograd.Optim;
using Autograd.Tests.NN;

namespace Autograd.Tests.Optim;

public class ScheduleTests
{
    private static Sgd Optimizer(double lr)
    {
        var p = Tensor.Zeros([1]);
        p.RequiresGrad = true;
        return new Sgd([p], lr);
    }

    private static void AssertSequence(JsonElement expected, Sgd optimizer, LRScheduler schedule)
    {
        var lrs = expected.GetProperty("lrs").Doubles();
        Assert.That(optimizer.LearningRate, Is.EqualTo(lrs[0]), "creating the schedule keeps the rate");
        for (var epoch = 1; epoch < lrs.Length; epoch++)
        {
            optimizer.Step();
            schedule.Step();
            Assert.That(optimizer.LearningRate, Is.EqualTo(lrs[epoch]).Within(1e-12), $"epoch {epoch}");
            Assert.That(schedule.LastLearningRate, Is.EqualTo(optimizer.LearningRate));
            Assert.That(schedule.LastEpoch, Is.EqualTo(epoch));
        }
    }

    [TestCase("step_lr")]
    [TestCase("step_lr_default_gamma")]
    public void StepLR_MatchesPyTorchSequence(string name)
    {
        using var document = TestFixtures.Json("lr_schedules.json");
        var expected = document.RootElement.GetProperty(name);
        var optimizer = Optimizer(expected.GetProperty("base_lr").GetDouble());
        var gamma = expected.GetProperty("gamma").GetDouble();
        var stepSize = expected.GetProperty("step_size").GetInt32();
        var schedule = gamma == 0.1 ? new StepLR(optimizer, stepSize) : new StepLR(optimizer, stepSize, gamma);

        AssertSequence(expected, optimizer, schedule);
    }

    [TestCase("cosine")]
    [TestCase("cosine_zero_min")]
    public void CosineAnnealingLR_MatchesPyTorchSequence_PastTMax(string name)
    {
        using var document = TestFixtures.Json("lr_schedules.json");
        var expected = document.RootElement.GetProperty(name);
        var optimizer = Optimizer(expected.GetProperty("base_lr").GetDouble());
        var schedule = new CosineAnnealingLR(optimizer, expected.GetProperty("t_max").GetInt32(),
            expected.GetProperty("eta_min").GetDouble());

        AssertSequence(expected, optimizer, schedule);
        Assert.That(expected.GetProperty("lrs").GetArrayLength(), Is.GreaterThan(2 * schedule.TMax));
    }

    [Test]
    public void CosineAnnealingLR_FollowsTheClosedForm()
    {
        var optimizer = Optimizer(0.2);
        var schedule = new CosineAnnealingLR(optimizer, tMax: 8, etaMin: 0.01);

        for (var epoch = 1; epoch <= 30; epoch++)
        {
            schedule.Step();
            var closedForm = 0.01 + ((0.2 - 0.01) * (1 + Math.Cos(Math.PI * epoch / 8)) / 2);
            Assert.That(optimizer.LearningRate, Is.EqualTo(closedForm).Within(1e-12), $"epoch {epoch}");
        }
    }

    [Test]
    public void StepLR_DecaysEveryStepSizeEpochs()
    {
        var optimizer = Optimizer(1);
        var schedule = new StepLR(optimizer, stepSize: 2, gamma: 0.5);
        var seen = new List<double>();

        for (var i = 0; i < 6; i++)
        {
            schedule.Step();
            seen.Add(optimizer.LearningRate);
        }

        Assert.That(seen, Is.EqualTo(new[] { 1, 0.5, 0.5, 0.25, 0.25, 0.125 }));
        Assert.That(schedule.BaseLearningRate, Is.EqualTo(1));
    }

    [Test]
    public void Schedules_RejectNonPositivePeriods()
    {
        Assert.That(() => new StepLR(Optimizer(1), 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new CosineAnnealingLR(Optimizer(1), 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
