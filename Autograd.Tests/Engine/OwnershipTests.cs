using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>
/// The gradient-buffer rules (ARCHITECTURE.md "Gradient buffers"): a built-in VJP returns new storage or a view of
/// its incoming gradient, checked by the engine in debug builds; the engine never writes into a gradient the caller
/// passed to Backward, and a leaf's Grad never shares storage with it.
/// </summary>
public class OwnershipTests
{
    [SetUp]
    public void RequireTheDebugCheck() =>
        Assume.That(OwnershipTracker.Enabled, Is.True, "the ownership check runs in debug builds (or AUTOGRAD_CHECK_OWNERSHIP=1)");

    // ---- VJPs that return storage they do not own ----

    [Test]
    public void Backward_VjpReturningASavedTensor_ThrowsNamingTheOp()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor y = MisbehavingOps.ReturnsSaved(x);
        Assert.That(() => y.Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("ReturnsSaved").And.Message.Contains("does not own"));
        Assert.That(x.Grad, Is.Null, "nothing reached the leaf");
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 2.0, 4, 6 }), "the saved tensor is untouched");
    }

    [Test]
    public void Backward_VjpReturningItsInput_ThrowsNamingTheOp()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Assert.That(() => MisbehavingOps.ReturnsInput(x).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("ReturnsInput").And.Message.Contains("does not own"));
        Assert.That(x.Grad, Is.Null);
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 3 }));
    }

    [Test]
    public void Backward_VjpReturningANewTensorOverItsInputsStorage_Throws()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Assert.That(() => MisbehavingOps.ReturnsViewOfInput(x).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("ReturnsViewOfInput").And.Message.Contains("does not own"));
    }

    [Test]
    public void Backward_VjpReturningATensorMadeBeforeBackward_Throws()
    {
        Tensor cached = Tensor.FromArray(new[] { 5.0, 5, 5 }, 3);
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Assert.That(() => MisbehavingOps.ReturnsCachedTensor(x, cached).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("ReturnsCachedTensor").And.Message.Contains("does not own"));
        Assert.That(cached.ToArray<double>(), Is.EqualTo(new[] { 5.0, 5, 5 }));
    }

    [Test]
    public void Backward_VjpReturningStorageItDoesNotOwn_IsCaughtInFloat32Too()
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 2 }, 2);
        x.RequiresGrad = true;
        Assert.That(() => MisbehavingOps.ReturnsSaved(x).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("ReturnsSaved"));
    }

    [Test]
    public void Backward_VjpReturningStorageItDoesNotOwn_DeepInTheGraph_IsCaughtBeforeTheLeafIsWritten()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor w = Inputs.Of([3, 4], 2);
        Tensor y = ((MisbehavingOps.ReturnsSaved(x * 1.0) * w).Exp() + w).Sum();
        Assert.That(() => y.Backward(), Throws.InvalidOperationException.With.Message.Contains("ReturnsSaved"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void TapeGrad_VjpReturningStorageItDoesNotOwn_IsCaughtToo()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor y = (MisbehavingOps.ReturnsSaved(x) * 1.0).Sum();
        Assert.That(() => Tape.Grad(y, [x]), Throws.InvalidOperationException.With.Message.Contains("ReturnsSaved"));
    }

    // ---- VJPs that return a gradient of the wrong shape or dtype ----

    [Test]
    public void Backward_VjpReturningTheWrongShape_ThrowsNamingTheOpAndBothShapes()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Assert.That(() => MisbehavingOps.ReturnsWrongShape(x).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("ReturnsWrongShape").And.Message.Contains("[4]").And.Message.Contains("[3]"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void Backward_VjpReturningTheWrongDType_Throws()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Assert.That(() => MisbehavingOps.ReturnsWrongDType(x).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("ReturnsWrongDType").And.Message.Contains("Float32"));
    }

    [Test]
    public void Backward_VjpReturningTheWrongShape_WithCreateGraph_AlsoThrows()
    {
        // PyTorch validates every gradient's shape (validate_outputs), not only on the fast path: a wrong shape
        // would otherwise broadcast silently through the recorded sums.
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor y = (MisbehavingOps.ReturnsWrongShape(x) * 1.0).Sum();
        Assert.That(() => y.Backward(createGraph: true), Throws.InvalidOperationException.With.Message.Contains("ReturnsWrongShape"));
    }

    // ---- correct VJPs pass ----

    [Test]
    public void Backward_VjpReturningNewStorage_Passes()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        (MisbehavingOps.ReturnsNewStorage(x) * 3.0).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 6.0, 6, 6 }));
    }

    [Test]
    public void Backward_VjpReturningAViewOfGradOutput_Passes()
    {
        Tensor x = Inputs.Of([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor weights = Tensor.FromArray(new[] { 1.0, 2, 3, 4, 5, 6 }, 6);
        (MisbehavingOps.FlattenReturningAView(x) * weights).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 1.0, 2, 3, 4, 5, 6 }));
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 2, 3 }));
    }

    [Test]
    public void Backward_VjpReturningGradOutputItself_Passes_AndTheSharedGradientIsNotWrittenInto()
    {
        // y = id(x) used twice: the identity's result is gradOutput itself; fan-out at y and the leaf's accumulation
        // must not write into a buffer the other branch still reads.
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor y = MisbehavingOps.ReturnsGradOutputItself(x);
        Tensor z = MisbehavingOps.ReturnsGradOutputItself(y);
        ((z * 2.0) + (z * 3.0) + y.Exp()).Sum().Backward();
        double[] expected = [1, 2, 3];
        GradAssert.AssertClose(GradAssert.GradOf(x), expected.Select(v => 5 + Math.Exp(v)).ToArray(), 0, 1e-12, "dx");
    }

    [Test]
    public void Backward_VjpOverwritingGradOutputWhenAllowed_Passes_AndGivesTheRightGradient([Values(1, 2048)] int size)
    {
        Tensor x = Tensor.Rand([size], seed: 3, dtype: DType.Float64);
        x.RequiresGrad = true;
        Tensor other = Tensor.Rand([size], seed: 4, dtype: DType.Float64);
        Tensor h = x.Exp();
        Tensor y = (MisbehavingOps.OverwritesGradOutputWhenAllowed(h) * other).Sum();
        y.Backward();
        double[] xs = x.ToArray<double>(), os = other.ToArray<double>();
        GradAssert.AssertClose(GradAssert.GradOf(x), xs.Select((v, i) => 2 * os[i] * Math.Exp(v)).ToArray(), 1e-12, 0, "dx");
    }

    [Test]
    public void Backward_AfterAnOwnershipError_TheEngineStillChecksAndWorks()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Assert.That(() => MisbehavingOps.ReturnsSaved(x).Sum().Backward(), Throws.InvalidOperationException);
        Assert.That(Tape.IsGradEnabled, Is.True, "recording is restored after the failed pass");
        Tensor x2 = Inputs.Of([1, 2], 2);
        (MisbehavingOps.ReturnsNewStorage(x2) * x2).Sum().Backward();
        Assert.That(GradAssert.GradOf(x2), Is.EqualTo(new[] { 4.0, 8 }), "d(2x·x)/dx = 4x");
        Assert.That(() => MisbehavingOps.ReturnsInput(Inputs.Of([1], 1)).Sum().Backward(), Throws.InvalidOperationException,
            "the check is still active");
    }

    // ---- the caller's gradient passed to Backward(gradient) ----

    private static IEnumerable<TestCaseData> GraphShapes()
    {
        yield return new TestCaseData((Func<Tensor, Tensor>)(x => x)).SetArgDisplayNames("leaf itself");
        yield return new TestCaseData((Func<Tensor, Tensor>)(x => x + Tensor.Zeros(x.Shape, x.DType))).SetArgDisplayNames("add of a constant");
        yield return new TestCaseData((Func<Tensor, Tensor>)(x => x + 0.0)).SetArgDisplayNames("add of a scalar");
        yield return new TestCaseData((Func<Tensor, Tensor>)(x => x * 1.0)).SetArgDisplayNames("times one");
        yield return new TestCaseData((Func<Tensor, Tensor>)(x => x.Reshape(-1).Reshape(x.Shape))).SetArgDisplayNames("reshape");
        yield return new TestCaseData((Func<Tensor, Tensor>)(x => x + x)).SetArgDisplayNames("fan-out x + x");
        yield return new TestCaseData((Func<Tensor, Tensor>)(x => x.Reshape(-1).Reshape(x.Shape) + (x - Tensor.Zeros(x.Shape, x.DType)))).SetArgDisplayNames("fan-out of views");
        yield return new TestCaseData((Func<Tensor, Tensor>)(x =>
        {
            Tensor h = x + 0.0;
            return h + h.Reshape(-1).Reshape(x.Shape) + x;
        })).SetArgDisplayNames("fan-out of an intermediate and the leaf");
        yield return new TestCaseData((Func<Tensor, Tensor>)(x => -(Tensor.Zeros(x.Shape, x.DType) - x))).SetArgDisplayNames("subtract twice");
        yield return new TestCaseData((Func<Tensor, Tensor>)(x => MisbehavingOps.ReturnsGradOutputItself(x))).SetArgDisplayNames("identity returning gradOutput");
    }

    [TestCaseSource(nameof(GraphShapes))]
    public void Backward_WithACallersGradient_NeverModifiesIt_AndGradNeverSharesItsStorage(Func<Tensor, Tensor> f)
    {
        foreach (int size in new[] { 3, 2048 })   // 2048: large enough for the engine's buffer pool
        {
            foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
            {
                Tensor x = Tensor.Rand([size], seed: 1, dtype: dtype);
                x.RequiresGrad = true;
                Tensor g = Tensor.Rand([size], seed: 2, dtype: dtype);
                double[] original = g.ToArray<double>();

                Tensor y = f(x);
                y.Backward(g, retainGraph: true);
                Assert.That(x.Grad!.SharesStorageWith(g), Is.False, $"{size} {dtype}: the leaf took over the caller's gradient");
                y.Backward(g, retainGraph: true);   // accumulates in place into Grad: must not reach g
                f(x).Backward(g);
                ChurnThePool(size, dtype);

                Assert.That(g.ToArray<double>(), Is.EqualTo(original), $"{size} {dtype}: the caller's gradient was modified");
                Assert.That(x.Grad!.SharesStorageWith(g), Is.False, $"{size} {dtype}");
                double factor = f(Tensor.Ones([1], DType.Float64)).Item();   // these graphs are all linear: dy/dx = f(1)
                GradAssert.AssertClose(x.Grad.ToArray<double>(), original.Select(v => 3 * factor * v).ToArray(), 1e-6, 1e-6, $"{size} {dtype}: dx");
            }
        }
    }

    [Test]
    public void Backward_WithACallersGradient_AndCreateGraph_GradNeverSharesItsStorage()
    {
        // PyTorch's AccumulateGrad clones the incoming gradient when it cannot steal it (create_graph, or a tensor
        // the user holds): x.grad is never the caller's tensor, so changing one never changes the other.
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor g = Tensor.FromArray(new[] { 1.0, 10, 100 }, 3);
        x.Backward(g, createGraph: true);
        Assert.That(x.Grad!.SharesStorageWith(g), Is.False, "leaf itself");

        Tensor x2 = Inputs.Of([1, 2, 3], 3);
        x2.Reshape(3, 1).Backward(g.Reshape(3, 1), createGraph: true);
        Assert.That(x2.Grad!.SharesStorageWith(g), Is.False, "through a reshape");

        Tensor x3 = Inputs.Of([1, 2, 3], 3);
        (x3 + Tensor.Zeros([3], DType.Float64)).Backward(g, createGraph: true);
        Assert.That(x3.Grad!.SharesStorageWith(g), Is.False, "through an add");
        Assert.That(g.ToArray<double>(), Is.EqualTo(new[] { 1.0, 10, 100 }));
    }

    [Test]
    public void Backward_WithACallersGradient_AfterCreateGraph_AccumulationNeverReachesIt()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor g = Tensor.FromArray(new[] { 1.0, 10, 100 }, 3);
        Tensor y = x + Tensor.Zeros([3], DType.Float64);
        y.Backward(g, createGraph: true);
        y.Backward(g, retainGraph: true);
        y.Backward(g, createGraph: true);
        y.Backward(g);
        Assert.That(g.ToArray<double>(), Is.EqualTo(new[] { 1.0, 10, 100 }));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 4.0, 40, 400 }));
    }

    [Test]
    public void Grad_OfTwoLeaves_FedTheSameSharedGradient_AreSeparateStorage()
    {
        // Add hands the same view of gradOutput to both operands: each leaf must get its own copy, or accumulating
        // into one would change the other.
        Tensor a = Inputs.Of([1, 2], 2);
        Tensor b = Inputs.Of([3, 4], 2);
        Tensor g = Tensor.FromArray(new[] { 1.0, 1 }, 2);
        (a + b).Backward(g);
        Assert.That(a.Grad!.SharesStorageWith(b.Grad!), Is.False);
        (a * 5.0).Sum().Backward();
        Assert.That(GradAssert.GradOf(a), Is.EqualTo(new[] { 6.0, 6 }));
        Assert.That(GradAssert.GradOf(b), Is.EqualTo(new[] { 1.0, 1 }));
    }

    [Test]
    public void Grad_OfTwoLeaves_FedTheSameOwnedGradient_AreSeparateStorage([Values(4, 2048)] int size)
    {
        Tensor a = Tensor.Rand([size], seed: 5, dtype: DType.Float64);
        Tensor b = Tensor.Rand([size], seed: 6, dtype: DType.Float64);
        a.RequiresGrad = b.RequiresGrad = true;
        (a + b).Exp().Sum().Backward();   // the Exp VJP's buffer is owned by the pass and viewed twice by Add
        Assert.That(a.Grad!.SharesStorageWith(b.Grad!), Is.False);
        double[] before = b.Grad!.ToArray<double>();
        (a * 1.0).Sum().Backward();
        Assert.That(b.Grad.ToArray<double>(), Is.EqualTo(before), "accumulating into a.Grad changed b.Grad");
    }

    /// <summary>Allocates and frees gradient buffers of <paramref name="size"/> so that a wrongly pooled buffer would be reused and overwritten.</summary>
    internal static void ChurnThePool(int size, DType dtype)
    {
        for (int i = 0; i < 3; i++)
        {
            Tensor z = Tensor.Rand([size], seed: 100 + i, dtype: dtype);
            z.RequiresGrad = true;
            ((z * 3.0).Exp() * 0.5).Sum().Backward();
            _ = (z * 7.0).Exp() + 1.0;
        }
    }
}
