using Autograd.NN;

namespace Autograd.Tests.NN;

public class ActivationTests
{
    private static readonly double[] _inputs = [-3.0, -0.5, 0.0, 0.25, 2.0, 7.0];

    private static double[] Apply(Module module) =>
        module.Forward(Tensor.FromArray(_inputs, 2, 3)).ToArray<double>();

    [Test]
    public void ReLU_ZeroesNegatives()
    {
        Assert.That(Apply(new ReLU()), Is.EqualTo(new[] { 0.0, 0.0, 0.0, 0.25, 2.0, 7.0 }));
    }

    [Test]
    public void LeakyReLU_ScalesNegativesBySlope()
    {
        Assert.That(Apply(new LeakyReLU(0.1)), Is.EqualTo(new[] { -0.3, -0.05, 0.0, 0.25, 2.0, 7.0 }).Within(1e-15));
        Assert.That(new LeakyReLU().NegativeSlope, Is.EqualTo(0.01));
    }

    [Test]
    public void Sigmoid_And_Tanh_MatchMath()
    {
        TestFixtures.AssertClose(Apply(new Sigmoid()), _inputs.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(), 1e-15, "sigmoid");
        TestFixtures.AssertClose(Apply(new Tanh()), _inputs.Select(Math.Tanh).ToArray(), 1e-15, "tanh");
    }

    [Test]
    public void Softmax_RowsSumToOne_AlongTheGivenAxis()
    {
        var rows = Apply(new Softmax(axis: 1));
        var columns = Apply(new Softmax(axis: 0));

        Assert.That(rows[0] + rows[1] + rows[2], Is.EqualTo(1).Within(1e-15));
        Assert.That(rows[3] + rows[4] + rows[5], Is.EqualTo(1).Within(1e-15));
        Assert.That(columns[0] + columns[3], Is.EqualTo(1).Within(1e-15));
        var e = _inputs[3..].Select(Math.Exp).ToArray();
        Assert.That(rows[5], Is.EqualTo(e[2] / e.Sum()).Within(1e-15));
    }

    [Test]
    public void Flatten_KeepsTheBatchAxis()
    {
        var y = new Flatten().Forward(Tensor.Zeros([2, 3, 4]));

        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 12 }));
    }

    [Test]
    public void Activations_HaveNoParameters()
    {
        Module[] modules = [new ReLU(), new LeakyReLU(), new Sigmoid(), new Tanh(), new Softmax(-1), new Dropout(), new Flatten()];

        Assert.That(modules.SelectMany(m => m.Parameters()), Is.Empty);
    }
}
