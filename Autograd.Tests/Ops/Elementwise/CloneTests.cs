using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.Elementwise;

/// <summary>Tensor.Clone (PyTorch's clone): a recorded copy in new storage.</summary>
public class CloneTests
{
    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void Clone_CopiesValuesIntoNewStorage(DType dtype)
    {
        Tensor x = Tensor.FromArray(new[] { 1.5, -2, 3 }, 3).To(dtype);
        Tensor y = x.Clone();
        Assert.That(y.ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        Assert.That(y.SharesStorageWith(x), Is.False);
        Assert.That(y.DType, Is.EqualTo(dtype));
        using (Tape.NoGrad())
        {
            y.Fill(0);
        }

        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 1.5, -2, 3 }), "the original is untouched");
    }

    [Test]
    public void Clone_OfALeafThatRequiresGrad_IsRecorded_AndPassesTheGradientThrough()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor y = x.Clone();
        Assert.That(y.IsLeaf, Is.False);
        (y * y).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 2.0, 4, 6 }));
    }

    [Test]
    public void Clone_UnderNoGrad_IsALeafThatDoesNotRequireGrad()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        using (Tape.NoGrad())
        {
            Tensor y = x.Clone();
            Assert.That(y.IsLeaf, Is.True);
            Assert.That(y.RequiresGrad, Is.False);
        }
    }

    [Test]
    public void Clone_CanBeModifiedInPlace_WithoutTouchingTheSavedOriginal()
    {
        // The PyTorch idiom for changing a value that an op saved: change a clone instead.
        Tensor x = Inputs.Of([0.5, 1], 2);
        Tensor e = x.Exp();
        Tensor copy = e.Clone();
        copy.MulInPlace(2.0);
        (e.Sum() + copy.Sum()).Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 3 * Math.Exp(0.5), 3 * Math.Exp(1) }).Within(1e-12));
    }
}
