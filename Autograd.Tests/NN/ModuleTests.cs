using Autograd.NN;

namespace Autograd.Tests.NN;

public class ModuleTests
{
    private sealed class TwoLayer : Module
    {
        public TwoLayer(int seed)
        {
            Fc1 = RegisterModule("fc1", new Linear(3, 5, seed: seed));
            Act = RegisterModule("act", new ReLU());
            Fc2 = RegisterModule("fc2", new Linear(5, 2, seed: seed + 1));
            Scale = RegisterParameter("scale", Tensor.Ones([2]));
        }

        public Linear Fc1 { get; }

        public ReLU Act { get; }

        public Linear Fc2 { get; }

        public Tensor Scale { get; }

        public override Tensor Forward(Tensor input) => Fc2.Forward(Act.Forward(Fc1.Forward(input))) * Scale;
    }

    private sealed class Shared : Module
    {
        public Shared(Tensor weight)
        {
            RegisterParameter("a", weight);
            RegisterParameter("b", weight);
        }

        public override Tensor Forward(Tensor input) => input;
    }

    private sealed class Naughty : Module
    {
        public Naughty(string first, string second)
        {
            RegisterParameter(first, Tensor.Zeros([1]));
            RegisterModule(second, new ReLU());
        }

        public override Tensor Forward(Tensor input) => input;
    }

    [Test]
    public void NamedParameters_OfSequential_AreNumberedLikePyTorch()
    {
        var model = new Sequential(new Linear(4, 8, seed: 1), new ReLU(), new Linear(8, 3, seed: 2));

        var names = model.NamedParameters().Select(p => p.Name).ToArray();

        Assert.That(names, Is.EqualTo(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }));
        Assert.That(model.NamedParameters().Select(p => p.Value.Shape),
            Is.EqualTo(new[] { new[] { 8, 4 }, new[] { 8 }, new[] { 3, 8 }, new[] { 3 } }));
    }

    [Test]
    public void NamedParameters_OfCustomModule_UseOwnFirstThenChildrenByName()
    {
        var model = new TwoLayer(seed: 3);

        var names = model.NamedParameters().Select(p => p.Name).ToArray();

        Assert.That(names, Is.EqualTo(new[] { "scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }));
        Assert.That(model.Parameters().First(), Is.SameAs(model.Scale));
    }

    [Test]
    public void NamedParameters_OfNestedSequential_JoinNamesWithDots()
    {
        var model = new Sequential(new Linear(2, 2, seed: 1), new Sequential(new Tanh(), new Linear(2, 1, bias: false, seed: 2)));

        var names = model.NamedParameters().Select(p => p.Name).ToArray();

        Assert.That(names, Is.EqualTo(new[] { "0.weight", "0.bias", "1.1.weight" }));
    }

    [Test]
    public void NamedParameters_ListASharedTensorOnce()
    {
        var weight = Tensor.Zeros([2]);

        var named = new Shared(weight).NamedParameters().ToArray();

        Assert.That(named, Has.Length.EqualTo(1));
        Assert.That(named[0].Name, Is.EqualTo("a"));
    }

    [Test]
    public void RegisteredParameters_RequireGrad()
    {
        var model = new TwoLayer(seed: 3);

        Assert.That(model.Parameters().All(p => p.RequiresGrad && p.IsLeaf), Is.True);
    }

    [TestCase("w", "w")]
    [TestCase("a.b", "c")]
    [TestCase("", "c")]
    public void Register_RejectsDuplicateDottedOrEmptyNames(string first, string second)
    {
        Assert.That(() => new Naughty(first, second), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public void TrainAndEval_PropagateToEveryDescendant()
    {
        var inner = new Sequential(new Dropout(0.5, seed: 1));
        var model = new Sequential(new Linear(2, 2, seed: 1), inner);

        model.Eval();
        Assert.That(model.IsTraining || inner.IsTraining || inner[0].IsTraining || model[0].IsTraining, Is.False);

        model.Train();
        Assert.That(model.IsTraining && inner.IsTraining && inner[0].IsTraining && model[0].IsTraining, Is.True);
    }

    [Test]
    public void ZeroGrad_SetsEveryGradientToNull()
    {
        var model = new TwoLayer(seed: 3);
        model.Forward(Tensor.Randn([4, 3], seed: 5)).Sum().Backward();
        Assert.That(model.Parameters().All(p => p.Grad is not null), Is.True);

        model.ZeroGrad();

        Assert.That(model.Parameters().All(p => p.Grad is null), Is.True);
    }

    [Test]
    public void Sequential_ChainsLayersAndIndexes()
    {
        var first = new Linear(3, 4, seed: 1);
        var model = new Sequential(first, new Tanh(), new Linear(4, 2, seed: 2));
        var x = Tensor.Randn([5, 3], seed: 9);

        var y = model.Forward(x);
        var expected = model[2].Forward(model[1].Forward(first.Forward(x)));

        Assert.That(model, Has.Count.EqualTo(3));
        Assert.That(model[0], Is.SameAs(first));
        Assert.That(y.Shape, Is.EqualTo(new[] { 5, 2 }));
        Assert.That(y.ToArray<float>(), Is.EqualTo(expected.ToArray<float>()));
    }

    [Test]
    public void Mlp_IsSequentialOfLinearsWithActivationsBetween()
    {
        var model = new Mlp([784, 256, 128, 10], () => new LeakyReLU(0.1), seed: 7);

        Assert.That(model.Select(m => m.GetType()), Is.EqualTo(new[]
        {
            typeof(Linear), typeof(LeakyReLU), typeof(Linear), typeof(LeakyReLU), typeof(Linear),
        }));
        Assert.That(model.NamedParameters().Select(p => p.Name), Is.EqualTo(new[]
        {
            "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias",
        }));
        Assert.That(model.Forward(Tensor.Zeros([2, 784])).Shape, Is.EqualTo(new[] { 2, 10 }));
    }

    [Test]
    public void Mlp_WithSameSeed_IsReproducible_AndLayersDiffer()
    {
        var a = new Mlp([6, 6, 6], seed: 11);
        var b = new Mlp([6, 6, 6], seed: 11);
        var c = new Mlp([6, 6, 6], seed: 12);

        Assert.That(a[0].Parameters().First().ToArray<float>(), Is.EqualTo(b[0].Parameters().First().ToArray<float>()));
        Assert.That(a[0].Parameters().First().ToArray<float>(), Is.Not.EqualTo(c[0].Parameters().First().ToArray<float>()));
        Assert.That(a[0].Parameters().First().ToArray<float>(), Is.Not.EqualTo(a[2].Parameters().First().ToArray<float>()));
        Assert.That(a[1], Is.TypeOf<ReLU>());
    }

    [Test]
    public void Mlp_NeedsTwoSizes()
    {
        Assert.That(() => new Mlp([3]), Throws.ArgumentException);
    }
}
