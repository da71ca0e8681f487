using System.Globalization;

namespace Autograd.Tests;

/// <summary>Tensor's own members: Shape, ToArray, Item, ToString, Detach and RequiresGrad.</summary>
public class TensorTests
{
    [Test]
    public void Shape_ReturnsACopy_MutatingItDoesNotReshapeTheTensor()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        int[] shape = x.Shape;
        shape[0] = 6;
        shape[1] = 1;
        Assert.That(x.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(shape, Is.Not.SameAs(x.Shape), "each call returns a fresh array");
        Assert.That(x.Rank, Is.EqualTo(2));
        Assert.That(x.Count, Is.EqualTo(6));
    }

    [Test]
    public void ToArray_Float32ToDouble_WidensExactly()
    {
        float[] data = [0.1f, -3.5f, float.MaxValue, float.Epsilon];
        Tensor x = Tensor.FromArray(data, 4);
        Assert.That(x.ToArray<double>(), Is.EqualTo(data.Select(v => (double)v).ToArray()));
    }

    [Test]
    public void ToArray_Float64ToFloat_RoundsToNearest()
    {
        double[] data = [0.1, 1.0 / 3.0, -2.5, 1e300];
        Tensor x = Tensor.FromArray(data, 2, 2);
        float[] values = x.ToArray<float>();
        Assert.That(values, Is.EqualTo(new[] { 0.1f, 1f / 3f, -2.5f, float.PositiveInfinity }));
    }

    [Test]
    public void ToArray_SameType_ReturnsACopy_MutatingItDoesNotChangeTheTensor()
    {
        Tensor x = Tensor.FromArray(new double[] { 1, 2 }, 2);
        double[] values = x.ToArray<double>();
        values[0] = 99;
        Assert.That(x.ToArray<double>(), Is.EqualTo(new double[] { 1, 2 }));
        Assert.That(values, Is.Not.SameAs(x.ToArray<double>()));
    }

    [Test]
    public void ToArray_UnsupportedType_ThrowsNotSupportedNamingTheType()
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 2 }, 2);
        Assert.That(() => x.ToArray<int>(), Throws.TypeOf<NotSupportedException>().With.Message.Contains("Int32"));
        Assert.That(() => x.ToArray<Half>(), Throws.TypeOf<NotSupportedException>());
        Assert.That(() => Tensor.Zeros([1], DType.Float64).ToArray<long>(), Throws.TypeOf<NotSupportedException>());
    }

    [TestCase(new[] { 2, 3 }, "[2,3]")]
    [TestCase(new[] { 0 }, "[0]")]
    [TestCase(new[] { 2 }, "[2]")]
    public void Item_NotExactlyOneElement_ThrowsWithTheShapeInTheMessage(int[] shape, string shapeText)
    {
        Tensor x = Tensor.Zeros(shape);
        Assert.That(() => x.Item(), Throws.InvalidOperationException.With.Message.Contains(shapeText));
    }

    [Test]
    public void Item_AnySingleElementShape_ReturnsTheValue()
    {
        Assert.That(Tensor.FromArray(new float[] { 1.5f }, 1, 1, 1).Item(), Is.EqualTo(1.5));
        Assert.That(Tensor.FromArray(new double[] { -0.1 }, 1).Item(), Is.EqualTo(-0.1));
    }

    [Test]
    public void ToString_ShowsShapeDTypeAndValues()
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 2.5f, -3 }, 3, 1);
        Assert.That(x.ToString(), Is.EqualTo("Tensor([3,1] Float32: 1, 2.5, -3)"));
        Assert.That(Tensor.Scalar(0.25, DType.Float64).ToString(), Is.EqualTo("Tensor([] Float64: 0.25)"));
    }

    [Test]
    public void ToString_LongTensor_ShowsTheFirstEightValuesAndAnEllipsis()
    {
        Tensor x = Tensor.FromArray(Enumerable.Range(0, 10).Select(i => (double)i).ToArray(), 10);
        Assert.That(x.ToString(), Is.EqualTo("Tensor([10] Float64: 0, 1, 2, 3, 4, 5, 6, 7, ...)"));
    }

    [Test]
    public void ToString_MarksRequiresGradOnLeaves_AndTheOpOnResults()
    {
        Tensor x = Tensor.FromArray(new double[] { 1, 2 }, 2);
        x.RequiresGrad = true;
        Assert.That(x.ToString(), Does.EndWith(", requires_grad)"));
        Assert.That((x + x).ToString(), Does.EndWith(", grad_fn=Add)"));
        Assert.That(x.Sum().ToString(), Is.EqualTo("Tensor([] Float64: 3, grad_fn=Sum)"));
    }

    [Test]
    public void ToString_IsCultureInvariant()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.That(Tensor.FromArray(new double[] { 2.5, 1e-7 }, 2).ToString(), Does.Contain("2.5, 1E-07"));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Test]
    public void Detach_SharesTheData()
    {
        Tensor x = Tensor.FromArray(new double[] { 1, 2, 3 }, 3);
        Tensor d = x.Detach();
        Assert.That(d.SharesStorageWith(x), Is.True);
        x.Data<double>()[1] = 20;
        Assert.That(d.ToArray<double>(), Is.EqualTo(new double[] { 1, 20, 3 }), "a write through the original shows in the detached tensor");
        Assert.That(d.Shape, Is.EqualTo(x.Shape));
        Assert.That(d.DType, Is.EqualTo(x.DType));
    }

    [Test]
    public void Detach_OfAnOpResult_IsALeafWithoutGraph_AndGradientStopsThere()
    {
        Tensor x = Tensor.FromArray(new double[] { 1, 2 }, 2);
        x.RequiresGrad = true;
        Tensor y = x * 3;
        Tensor d = y.Detach();
        Assert.That(d.IsLeaf, Is.True);
        Assert.That(d.RequiresGrad, Is.False);
        Assert.That(d.Grad, Is.Null);
        Assert.That(y.IsLeaf, Is.False, "detaching does not cut the original from its graph");

        // Gradient flows through y but not through d.
        (y * d).Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 9, 18 }), "d(3x · const)/dx = 3·d = 3·3x");
    }

    [Test]
    public void Detach_DoesNotCopyTheGradient()
    {
        Tensor x = Tensor.FromArray(new double[] { 1 }, 1);
        x.RequiresGrad = true;
        (x * 2).Sum().Backward();
        Assert.That(x.Grad, Is.Not.Null);
        Assert.That(x.Detach().Grad, Is.Null);
    }

    [Test]
    public void RequiresGrad_SetOnANonLeaf_ThrowsNamingTheOpAndSuggestingDetach()
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 2 }, 2);
        x.RequiresGrad = true;
        Tensor y = x.Exp();
        Assert.That(() => y.RequiresGrad = false,
            Throws.InvalidOperationException.With.Message.Contains("Exp").And.Message.Contains("Detach"));
        Assert.That(y.RequiresGrad, Is.True, "a failed set leaves the flag alone");
    }

    [Test]
    public void RequiresGrad_OnLeaves_CanBeToggled()
    {
        Tensor x = Tensor.Zeros([2]);
        x.RequiresGrad = true;
        Assert.That(x.RequiresGrad, Is.True);
        Assert.That((x + 1).RequiresGrad, Is.True);
        x.RequiresGrad = false;
        Assert.That(x.RequiresGrad, Is.False);
        Assert.That((x + 1).RequiresGrad, Is.False, "ops recorded after the change see the new flag");
    }

    // PyTorch (checked with python3-torch 2.x): x = ones(3, requires_grad=True); y = x*2; x.requires_grad_(False);
    // y.sum().backward() leaves x.grad None: the recorded graph still has an edge to x, but AccumulateGrad does
    // nothing for a leaf that no longer requires grad. The graph itself is unchanged: the op still
    // back-propagates through its recorded edges.
    [Test]
    public void RequiresGrad_TurnedOffAfterRecording_GraphStillRuns_ButTheLeafAccumulatesNothing()
    {
        Tensor x = Tensor.FromArray(new double[] { 1, 2, 3 }, 3);
        Tensor w = Tensor.FromArray(new double[] { 4, 5, 6 }, 3);
        x.RequiresGrad = true;
        w.RequiresGrad = true;
        Tensor y = (x * w).Sum();
        x.RequiresGrad = false;
        Assert.That(y.RequiresGrad, Is.True, "the output recorded while x required grad keeps its graph");
        y.Backward();
        Assert.That(x.Grad, Is.Null, "as PyTorch: a leaf that stopped requiring grad receives none");
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, 2, 3 }), "the rest of the graph is unaffected");
    }

    // PyTorch: x = ones(3); y = x*w; x.requires_grad_(True); y.sum().backward() leaves x.grad None: the op was
    // recorded without an edge to x, and turning the flag on later does not add one.
    [Test]
    public void RequiresGrad_TurnedOnAfterRecording_DoesNotAddTheLeafToTheRecordedGraph()
    {
        Tensor x = Tensor.FromArray(new double[] { 1, 2, 3 }, 3);
        Tensor w = Tensor.FromArray(new double[] { 4, 5, 6 }, 3);
        w.RequiresGrad = true;
        Tensor y = (x * w).Sum();
        x.RequiresGrad = true;
        y.Backward();
        Assert.That(x.Grad, Is.Null);
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, 2, 3 }));
    }

    [Test]
    public void ZeroGrad_SetsGradToNull()
    {
        Tensor x = Tensor.FromArray(new double[] { 1 }, 1);
        x.RequiresGrad = true;
        (x * 2).Sum().Backward();
        x.ZeroGrad();
        Assert.That(x.Grad, Is.Null);
    }
}
