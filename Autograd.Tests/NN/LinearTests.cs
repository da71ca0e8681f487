using Autograd.NN;

namespace Autograd.Tests.NN;

public class LinearTests
{
    [Test]
    public void Linear_HasPyTorchShapes_AndMapsBatches()
    {
        var layer = new Linear(5, 3, seed: 1);

        var y = layer.Forward(Tensor.Randn([7, 5], seed: 2));

        Assert.That(layer.Weight.Shape, Is.EqualTo(new[] { 3, 5 }));
        Assert.That(layer.Bias!.Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(y.Shape, Is.EqualTo(new[] { 7, 3 }));
    }

    [Test]
    public void Linear_TreatsLeadingAxesAsBatchAxes()
    {
        var layer = new Linear(5, 3, seed: 1, dtype: DType.Float64);
        var x = Tensor.Randn([2, 4, 5], seed: 2, dtype: DType.Float64);

        var y = layer.Forward(x);
        var flat = layer.Forward(x.Reshape(8, 5));
        var single = layer.Forward(Tensor.FromArray(x.ToArray<double>()[..5], 5));

        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 4, 3 }));
        Assert.That(y.ToArray<double>(), Is.EqualTo(flat.ToArray<double>()));
        Assert.That(single.Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(single.ToArray<double>(), Is.EqualTo(flat.ToArray<double>()[..3]).Within(1e-15));
    }

    [Test]
    public void Linear_WithoutBias_HasOnlyWeight()
    {
        var layer = new Linear(5, 3, bias: false, seed: 1);

        Assert.That(layer.Bias, Is.Null);
        Assert.That(layer.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight" }));
    }

    [Test]
    public void Linear_ComputesXWTransposePlusB()
    {
        var layer = new Linear(2, 2, seed: 1, dtype: DType.Float64);
        layer.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight"] = Tensor.FromArray(new[] { 1.0, 2.0, 3.0, 4.0 }, 2, 2),
            ["bias"] = Tensor.FromArray(new[] { 0.5, -0.5 }, 2),
        });

        var y = layer.Forward(Tensor.FromArray(new[] { 1.0, 1.0, 2.0, -1.0 }, 2, 2));

        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 3.5, 6.5, 0.5, 1.5 }));
    }

    [Test]
    public void Linear_DefaultInit_IsUniformWithinOneOverSqrtFanIn()
    {
        var layer = new Linear(64, 256, seed: 42);
        var bound = 1 / Math.Sqrt(64);
        var weight = layer.Weight.ToArray<double>();
        var bias = layer.Bias!.ToArray<double>();

        Assert.That(weight.All(w => Math.Abs(w) <= (float)bound), Is.True);
        Assert.That(bias.All(b => Math.Abs(b) <= (float)bound), Is.True);
        // Kaiming-uniform with a = √5 spans the whole interval, not √3/√5 of it.
        Assert.That(weight.Max(), Is.GreaterThan(0.98 * bound));
        Assert.That(weight.Min(), Is.LessThan(-0.98 * bound));
        Assert.That(weight.Average(), Is.EqualTo(0).Within(0.01 * bound * 10));
        var variance = weight.Select(w => w * w).Average();
        Assert.That(variance, Is.EqualTo(bound * bound / 3).Within(0.05 * bound * bound / 3));
        Assert.That(bias.Max() - bias.Min(), Is.GreaterThan(bound));
    }

    [Test]
    public void Linear_SameSeed_SameWeights_DifferentSeed_Different()
    {
        var a = new Linear(10, 4, seed: 5);
        var b = new Linear(10, 4, seed: 5);
        var c = new Linear(10, 4, seed: 6);

        Assert.That(a.Weight.ToArray<float>(), Is.EqualTo(b.Weight.ToArray<float>()));
        Assert.That(a.Bias!.ToArray<float>(), Is.EqualTo(b.Bias!.ToArray<float>()));
        Assert.That(a.Weight.ToArray<float>(), Is.Not.EqualTo(c.Weight.ToArray<float>()));
    }

    [Test]
    public void Linear_WithoutSeed_DrawsDifferentWeights()
    {
        var first = new Linear(10, 4).Weight.ToArray<float>();
        var second = new Linear(10, 4).Weight.ToArray<float>();

        Assert.That(second, Is.Not.EqualTo(first));
    }

    [Test]
    public void Linear_GradientsEqualThoseOfTheHandWrittenMatMulTransposeAdd()
    {
        // Composed, not hand-written: the module's gradients are those of the Tensor expression.
        var layer = new Linear(3, 4, seed: 8, dtype: DType.Float64);
        var x = Tensor.Randn([5, 3], seed: 9, dtype: DType.Float64);
        x.RequiresGrad = true;
        var target = Tensor.Randn([5, 4], seed: 10, dtype: DType.Float64);
        ((layer.Forward(x) - target).Pow(2).Sum() * 0.5).Backward();

        var w = Tensor.FromArray(layer.Weight.ToArray<double>(), 4, 3);
        var b = Tensor.FromArray(layer.Bias!.ToArray<double>(), 4);
        var x2 = Tensor.FromArray(x.ToArray<double>(), 5, 3);
        w.RequiresGrad = b.RequiresGrad = x2.RequiresGrad = true;
        var byHand = x2.MatMul(w.Transpose()) + b;
        ((byHand - target).Pow(2).Sum() * 0.5).Backward();

        TestFixtures.AssertClose(layer.Weight.Grad!.ToArray<double>(), w.Grad!.ToArray<double>(), 1e-12, "dL/dW");
        TestFixtures.AssertClose(layer.Bias.Grad!.ToArray<double>(), b.Grad!.ToArray<double>(), 1e-12, "dL/db");
        TestFixtures.AssertClose(x.Grad!.ToArray<double>(), x2.Grad!.ToArray<double>(), 1e-12, "dL/dx");
        Assert.That(w.Grad!.ToArray<double>().Any(g => g != 0), Is.True);
    }

    [Test]
    public void Linear_PassesGradCheck()
    {
        var layer = new Linear(3, 2, seed: 4, dtype: DType.Float64);
        var x = Tensor.Randn([4, 3], seed: 5, dtype: DType.Float64);

        var result = GradCheck.Check(
            inputs => Functional.Linear(inputs[0], inputs[1], inputs[2]).Tanh().Sum(),
            [x, layer.Weight, layer.Bias!]);

        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void Linear_RejectsNonPositiveSizes()
    {
        Assert.That(() => new Linear(0, 3), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new Linear(3, -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
