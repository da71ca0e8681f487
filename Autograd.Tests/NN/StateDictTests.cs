using Autograd.NN;

namespace Autograd.Tests.NN;

public class StateDictTests
{
    private static Sequential Model(int seed, DType dtype = DType.Float32) =>
        new(new Linear(4, 8, seed: seed, dtype: dtype), new ReLU(), new Linear(8, 3, seed: seed + 1, dtype: dtype));

    private static Dictionary<string, double[]> Snapshot(Module module) =>
        module.NamedParameters().ToDictionary(p => p.Name, p => p.Value.ToArray<double>());

    private static void AssertUnchanged(Module module, Dictionary<string, double[]> before)
    {
        var after = Snapshot(module);
        Assert.That(after.Keys, Is.EqualTo(before.Keys));
        foreach (var (name, values) in before)
        {
            Assert.That(after[name], Is.EqualTo(values), $"parameter '{name}' changed");
        }
    }

    [Test]
    public void StateDict_HoldsEveryParameterByDottedName_InOrder()
    {
        var model = Model(1);

        var state = model.StateDict();

        Assert.That(state.Keys, Is.EqualTo(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }));
        Assert.That(state["0.weight"].ToArray<float>(), Is.EqualTo(((Linear)model[0]).Weight.ToArray<float>()));
        Assert.That(state.Values.All(t => !t.RequiresGrad), Is.True, "state tensors are detached");
    }

    [Test]
    public void LoadStateDict_CopiesValues_SoOutputsMatch()
    {
        var source = Model(1);
        var target = Model(100);
        var x = Tensor.Randn([5, 4], seed: 3);
        Assert.That(target.Forward(x).ToArray<float>(), Is.Not.EqualTo(source.Forward(x).ToArray<float>()));

        target.LoadStateDict(source.StateDict());

        Assert.That(target.Forward(x).ToArray<float>(), Is.EqualTo(source.Forward(x).ToArray<float>()));
        Assert.That(((Linear)target[0]).Weight, Is.Not.SameAs(((Linear)source[0]).Weight), "values are copied, not shared");
        Assert.That(((Linear)target[0]).Weight.RequiresGrad, Is.True);
    }

    [Test]
    public void LoadStateDict_MissingKey_NamesItAndLeavesModuleUnchanged()
    {
        var target = Model(100);
        var before = Snapshot(target);
        var state = new Dictionary<string, Tensor>(Model(1).StateDict());
        state.Remove("2.bias");

        var error = Assert.Throws<ArgumentException>(() => target.LoadStateDict(state));

        Assert.That(error!.Message, Does.Contain("missing").And.Contain("'2.bias'"));
        AssertUnchanged(target, before);
    }

    [Test]
    public void LoadStateDict_UnexpectedKey_NamesItAndLeavesModuleUnchanged()
    {
        var target = Model(100);
        var before = Snapshot(target);
        var state = new Dictionary<string, Tensor>(Model(1).StateDict()) { ["4.weight"] = Tensor.Zeros([1]) };

        var error = Assert.Throws<ArgumentException>(() => target.LoadStateDict(state));

        Assert.That(error!.Message, Does.Contain("unexpected").And.Contain("'4.weight'"));
        AssertUnchanged(target, before);
    }

    [Test]
    public void LoadStateDict_ShapeMismatchInALaterKey_LeavesEarlierKeysUncopied()
    {
        var target = Model(100);
        var before = Snapshot(target);
        var state = new Dictionary<string, Tensor>(Model(1).StateDict()) { ["2.weight"] = Tensor.Zeros([8, 3]) };

        var error = Assert.Throws<ArgumentException>(() => target.LoadStateDict(state));

        Assert.That(error!.Message, Does.Contain("'2.weight'").And.Contain("[8,3]").And.Contain("[3,8]"));
        AssertUnchanged(target, before);
    }

    [Test]
    public void LoadStateDict_DTypeMismatch_NamesKeyAndLeavesModuleUnchanged()
    {
        var target = Model(100);
        var before = Snapshot(target);
        var state = new Dictionary<string, Tensor>(Model(1).StateDict()) { ["0.bias"] = Tensor.Zeros([8], DType.Float64) };

        var error = Assert.Throws<ArgumentException>(() => target.LoadStateDict(state));

        Assert.That(error!.Message, Does.Contain("'0.bias'").And.Contain("Float64"));
        AssertUnchanged(target, before);
    }

    [Test]
    public void SaveAndLoad_RoundTripThroughSafetensors_Float64()
    {
        var path = Path.Combine(Path.GetTempPath(), $"autograd-module-{Guid.NewGuid():N}.safetensors");
        try
        {
            var source = Model(1, DType.Float64);
            var target = Model(100, DType.Float64);
            source.Save(path);

            target.Load(path);

            AssertUnchanged(target, Snapshot(source));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
