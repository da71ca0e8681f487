using Autograd.NN;
using Autograd.Optim;

namespace Autograd.Tests.NN;

public class ConvolutionModuleTests
{
    [Test]
    public void Conv2d_HasPyTorchShapesAndStateDictNames()
    {
        var layer = new Conv2d(4, 6, 3, stride: 2, padding: 1, seed: 1, groups: 2);
        Assert.That(layer.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight", "bias" }));
        Assert.That(layer.Weight.Shape, Is.EqualTo(new[] { 6, 2, 3, 3 }));
        Assert.That(layer.Bias!.Shape, Is.EqualTo(new[] { 6 }));
        Assert.That(layer.StateDict().Keys, Is.EqualTo(new[] { "weight", "bias" }));
        Assert.That(layer.Forward(Tensor.Randn([5, 4, 9, 8], seed: 2)).Shape, Is.EqualTo(new[] { 5, 6, 5, 4 }));
    }

    [Test]
    public void Conv1d_HasPyTorchShapesAndStateDictNames()
    {
        var layer = new Conv1d(3, 8, 5, padding: 2, bias: false, seed: 1, dilation: 2);
        Assert.That(layer.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight" }));
        Assert.That(layer.Weight.Shape, Is.EqualTo(new[] { 8, 3, 5 }));
        Assert.That(layer.Bias, Is.Null);
        Assert.That(layer.Forward(Tensor.Randn([2, 3, 20], seed: 2)).Shape, Is.EqualTo(new[] { 2, 8, 16 }));
    }

    [Test]
    public void Forward_IsTheFunctionalConvolutionWithTheLayersArguments()
    {
        var layer = new Conv2d(2, 4, 3, stride: 2, padding: 1, seed: 3, dilation: 2, groups: 2, dtype: DType.Float64);
        Tensor x = Tensor.Randn([2, 2, 9, 9], seed: 4, DType.Float64);
        Tensor expected = Functional.Conv2d(x, layer.Weight, layer.Bias, 2, 1, 2, 2);
        Assert.That(layer.Forward(x).ToArray<double>(), Is.EqualTo(expected.ToArray<double>()));

        var layer1d = new Conv1d(2, 2, 3, stride: 2, seed: 3, dtype: DType.Float64);
        Tensor x1d = Tensor.Randn([2, 2, 9], seed: 5, DType.Float64);
        Assert.That(layer1d.Forward(x1d).ToArray<double>(),
            Is.EqualTo(Functional.Conv1d(x1d, layer1d.Weight, layer1d.Bias, 2).ToArray<double>()));
    }

    [Test]
    public void DefaultInit_IsUniformWithinOneOverSqrtFanIn()
    {
        // fan_in = C/groups · k² = 8/2 · 9 = 36.
        var layer = new Conv2d(8, 64, 3, seed: 42, groups: 2);
        double bound = 1 / Math.Sqrt(36);
        double[] weight = layer.Weight.ToArray<double>();
        double[] bias = layer.Bias!.ToArray<double>();
        Assert.That(weight.All(w => Math.Abs(w) <= (float)bound), Is.True);
        Assert.That(bias.All(b => Math.Abs(b) <= (float)bound), Is.True);
        Assert.That(weight.Max(), Is.GreaterThan(0.98 * bound));
        Assert.That(weight.Min(), Is.LessThan(-0.98 * bound));
        Assert.That(weight.Select(w => w * w).Average(), Is.EqualTo(bound * bound / 3).Within(0.05 * bound * bound / 3));
        Assert.That(bias.Max() - bias.Min(), Is.GreaterThan(bound));
    }

    [Test]
    public void SameSeed_SameParameters_DifferentSeed_Different()
    {
        var a = new Conv2d(3, 4, 3, seed: 7);
        var b = new Conv2d(3, 4, 3, seed: 7);
        var c = new Conv2d(3, 4, 3, seed: 8);
        Assert.That(a.Weight.ToArray<float>(), Is.EqualTo(b.Weight.ToArray<float>()));
        Assert.That(a.Bias!.ToArray<float>(), Is.EqualTo(b.Bias!.ToArray<float>()));
        Assert.That(a.Weight.ToArray<float>(), Is.Not.EqualTo(c.Weight.ToArray<float>()));
    }

    [Test]
    public void BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Conv2d(0, 4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Conv2d(3, 4, 3, stride: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Conv1d(3, 4, 3, padding: -1));
        var e = Assert.Throws<ArgumentException>(() => _ = new Conv2d(3, 4, 3, groups: 2));
        Assert.That(e!.Message, Does.StartWith("Conv2d: groups 2 must divide both inChannels (3) and outChannels (4)."));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new MaxPool2d(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new AvgPool2d(3, padding: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new MaxPool2d(2, stride: 0));
    }

    [Test]
    public void Pools_AreTheFunctionalPools_WithStrideDefaultingToTheKernel()
    {
        Tensor x = Tensor.Randn([2, 3, 7, 6], seed: 9);
        var max = new MaxPool2d(2);
        var avg = new AvgPool2d(3, stride: 2, padding: 1);
        Assert.That(max.Stride, Is.EqualTo(2));
        Assert.That(max.Forward(x).ToArray<float>(), Is.EqualTo(Functional.MaxPool2d(x, 2, 2).ToArray<float>()));
        Assert.That(avg.Forward(x).ToArray<float>(), Is.EqualTo(Functional.AvgPool2d(x, 3, 2, 1).ToArray<float>()));
        Assert.That(max.Parameters(), Is.Empty);
        Assert.That(avg.Parameters(), Is.Empty);
    }

    [Test]
    public void ToString_ReadsLikePyTorch()
    {
        Assert.That(new Conv2d(1, 32, 3, padding: 1).ToString(),
            Is.EqualTo("Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"));
        Assert.That(new Conv2d(4, 8, 3, stride: 2, bias: false, dilation: 2, groups: 4).ToString(),
            Is.EqualTo("Conv2d(4, 8, kernel_size=(3, 3), stride=(2, 2), dilation=(2, 2), groups=4, bias=False)"));
        Assert.That(new Conv1d(3, 8, 5).ToString(), Is.EqualTo("Conv1d(3, 8, kernel_size=(5,), stride=(1,))"));
        Assert.That(new MaxPool2d(2).ToString(),
            Is.EqualTo("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"));
        Assert.That(new AvgPool2d(3, 1, 1).ToString(), Is.EqualTo("AvgPool2d(kernel_size=3, stride=1, padding=1)"));
    }

    [Test]
    public void ASmallCnn_Learns()
    {
        // Conv → ReLU → MaxPool → Conv → AvgPool → Flatten → Linear on a separable toy task (a bright top half vs a
        // bright bottom half); the loss must fall well below its starting value.
        var model = new Sequential(
            new Conv2d(1, 4, 3, padding: 1, seed: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(4, 4, 3, padding: 1, seed: 2), new AvgPool2d(2), new Flatten(), new Linear(16, 2, seed: 3));
        double[] images = new double[16 * 64];
        int[] labels = new int[16];
        var random = new Random(4);
        for (int n = 0; n < 16; n++)
        {
            labels[n] = n % 2;
            for (int p = 0; p < 64; p++)
            {
                bool top = p < 32;
                images[(n * 64) + p] = random.NextDouble() + ((top == (labels[n] == 0)) ? 1 : 0);
            }
        }

        Tensor x = Tensor.FromArray(images.Select(v => (float)v).ToArray(), 16, 1, 8, 8);
        var optimizer = new Adam(model.Parameters(), lr: 0.01);
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            optimizer.ZeroGrad();
            Tensor loss = Loss.CrossEntropy(model.Forward(x), labels);
            loss.Backward();
            optimizer.Step();
            last = loss.Item();
            if (step == 0)
            {
                first = last;
            }
        }

        Assert.That(last, Is.LessThan(first * 0.2));
    }
}
