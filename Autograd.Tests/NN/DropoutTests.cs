using Autograd.NN;

namespace Autograd.Tests.NN;

public class DropoutTests
{
    [Test]
    public void Dropout_InTraining_ZeroesAboutPAndScalesSurvivorsByOneOverOneMinusP()
    {
        const double P = 0.3;
        var dropout = new Dropout(P, seed: 1);

        var y = dropout.Forward(Tensor.Ones([200, 500], DType.Float64)).ToArray<double>();

        var zeros = y.Count(v => v == 0) / (double)y.Length;
        Assert.That(zeros, Is.EqualTo(P).Within(0.005));
        Assert.That(y.Where(v => v != 0).Distinct(), Is.EqualTo(new[] { 1 / (1 - P) }).Within(1e-15));
        Assert.That(y.Average(), Is.EqualTo(1).Within(0.01), "inverted dropout keeps the expectation");
    }

    [Test]
    public void Dropout_InEval_IsTheIdentity()
    {
        var dropout = new Dropout(0.9, seed: 1);
        var x = Tensor.Randn([10, 10], seed: 2);

        dropout.Eval();

        Assert.That(dropout.Forward(x).ToArray<float>(), Is.EqualTo(x.ToArray<float>()));
    }

    [Test]
    public void Dropout_GradientIsTheScaledMask()
    {
        var dropout = new Dropout(0.5, seed: 3);
        var x = Tensor.Ones([1000], DType.Float64);
        x.RequiresGrad = true;

        var y = dropout.Forward(x);
        y.Sum().Backward();

        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(y.ToArray<double>()));
        Assert.That(x.Grad!.ToArray<double>().Distinct().Order(), Is.EqualTo(new[] { 0.0, 2.0 }));
    }

    [Test]
    public void Dropout_SameSeed_SameMasks_SuccessiveCallsDiffer()
    {
        var a = new Dropout(0.5, seed: 9);
        var b = new Dropout(0.5, seed: 9);
        var x = Tensor.Ones([64]);

        var first = a.Forward(x).ToArray<float>();
        var second = a.Forward(x).ToArray<float>();

        Assert.That(b.Forward(x).ToArray<float>(), Is.EqualTo(first));
        Assert.That(second, Is.Not.EqualTo(first));
    }

    [Test]
    public void Dropout_WithPOne_ZeroesEverything_AndPZero_IsIdentity()
    {
        var x = Tensor.Randn([50], seed: 1);

        Assert.That(new Dropout(1, seed: 1).Forward(x).ToArray<float>(), Is.All.EqualTo(0f));
        Assert.That(new Dropout(0, seed: 1).Forward(x).ToArray<float>(), Is.EqualTo(x.ToArray<float>()));
    }

    [TestCase(-0.1)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void Dropout_RejectsProbabilityOutsideZeroOne(double p)
    {
        Assert.That(() => new Dropout(p), Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("p"));
    }

    [Test]
    public void Dropout_GeneratorState_SavedAndRestored_RepeatsTheNextMasks()
    {
        var dropout = new Dropout(0.5, seed: 4);
        var x = Tensor.Ones([100]);
        dropout.Forward(x);
        var state = dropout.Generator.State;
        var next = dropout.Forward(x).ToArray<float>();

        var resumed = new Dropout(0.5, seed: 77);
        resumed.Generator.State = state;

        Assert.That(resumed.Forward(x).ToArray<float>(), Is.EqualTo(next));
    }

    [Test]
    public void Dropout_MasksAreTheSeededStream_OneDrawPerElement()
    {
        var dropout = new Dropout(0.25, seed: 12);
        var random = new SplitMix64(12);

        var y = dropout.Forward(Tensor.Ones([300], DType.Float64)).ToArray<double>();

        Assert.That(y, Is.EqualTo(Enumerable.Range(0, 300).Select(_ => random.NextDouble() < 0.75 ? 1 / 0.75 : 0)));
        Assert.That(dropout.Generator.State, Is.EqualTo(random.State));
    }

    [Test]
    public void Dropout_ConcurrentTrainingPasses_DrawDisjointPartsOfTheStream_AsSequentialPassesWould()
    {
        const int Threads = 6, Calls = 25, Length = 257;
        var concurrent = new Dropout(0.5, seed: 8);
        var sequential = new Dropout(0.5, seed: 8);
        var x = Tensor.Ones([Length]);
        var masks = new string[Threads * Calls];

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            for (int call = 0; call < Calls; call++)
            {
                masks[(thread * Calls) + call] = string.Concat(concurrent.Forward(x).ToArray<float>().Select(v => v == 0 ? '0' : '1'));
            }
        });
        var expected = Enumerable.Range(0, Threads * Calls)
            .Select(_ => string.Concat(sequential.Forward(x).ToArray<float>().Select(v => v == 0 ? '0' : '1')));

        Assert.That(masks, Is.EquivalentTo(expected));
        Assert.That(concurrent.Generator.State, Is.EqualTo(sequential.Generator.State));
    }

    [Test]
    public void NamedGenerators_ListEveryDropoutOfAModel_ByDottedName_AndRestoringThemRepeatsTheRun()
    {
        Sequential Model() => new(new Linear(4, 8, seed: 1), new Dropout(0.5, seed: 2), new Linear(8, 8, seed: 3), new Dropout(0.2, seed: 4));
        var model = Model();
        var x = Tensor.Randn([3, 4], seed: 5);
        model.Forward(x);
        var states = model.NamedGenerators().ToDictionary(g => g.Name, g => g.Generator.State);   // what a checkpoint saves
        var next = model.Forward(x).ToArray<float>();

        var resumed = Model();
        foreach (var (name, generator) in resumed.NamedGenerators())
        {
            generator.State = states[name];
        }

        Assert.That(states.Keys, Is.EqualTo(new[] { "1.generator", "3.generator" }));
        Assert.That(resumed.Forward(x).ToArray<float>(), Is.EqualTo(next));
    }
}
