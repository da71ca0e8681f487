using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>The semantics of Tensor.Backward (API.md, issue 2 "Tensor and tape"), one test per rule.</summary>
public class BackwardTests
{
    [Test]
    public void ScalarOutput_DefaultGradientIsOne()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        (x * 3).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 3.0, 3, 3 }));
    }

    [Test]
    public void SingleElementOutputOfAnyRank_DefaultGradientIsOne()
    {
        Tensor x = Inputs.Of([2], 1, 1);
        (x * x).Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 4.0 }));
    }

    [Test]
    public void NonScalarOutput_WithoutGradient_ThrowsArgumentException()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor y = x * 2;
        Assert.That(() => y.Backward(), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("[3]").And.Message.Contains("Backward(gradient)"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void ExplicitGradient_IsTheVectorOfTheVjp()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor g = Tensor.FromArray(new[] { 1.0, 10, 100 }, 3);
        (x * x).Backward(g);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 2.0, 40, 600 }));
        Assert.That(g.ToArray<double>(), Is.EqualTo(new[] { 1.0, 10, 100 }), "the caller's gradient is not modified");
    }

    [Test]
    public void ExplicitGradient_ForAScalar_ScalesTheResult()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        x.Sum().Backward(Tensor.Scalar(2.5, DType.Float64));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 2.5, 2.5 }));
    }

    [Test]
    public void ExplicitGradient_OfWrongShapeOrDType_Throws()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor y = x * 2;
        Assert.That(() => y.Backward(Tensor.Zeros([2], DType.Float64)), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("[2]").And.Message.Contains("[3]"));
        Assert.That(() => y.Backward(Tensor.Zeros([3], DType.Float32)), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("Float32"));
        Assert.That(y.GradFn!.IsReleased, Is.False, "a rejected Backward releases nothing");
    }

    [Test]
    public void Backward_OnATensorThatRequiresNoGradient_Throws()
    {
        Tensor x = Tensor.Ones([2]);
        Assert.That(() => (x * 2).Sum().Backward(), Throws.InvalidOperationException.With.Message.Contains("does not require a gradient"));
    }

    [Test]
    public void Backward_OnALeaf_AccumulatesTheGradientIntoIt()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor g = Tensor.FromArray(new[] { 3.0, 4 }, 2);
        x.Backward(g);
        x.Backward(g);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 6.0, 8 }));
        Assert.That(g.ToArray<double>(), Is.EqualTo(new[] { 3.0, 4 }));
    }

    [Test]
    public void GraphIsReleasedAfterBackward_SecondBackwardThrowsClearly()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x.Exp();
        Tensor loss = (h * 2).Sum();
        loss.Backward();
        Assert.That(loss.GradFn!.IsReleased, Is.True);
        Assert.That(h.GradFn!.IsReleased, Is.True);
        Assert.That(() => loss.Backward(), Throws.InvalidOperationException
            .With.Message.Contains("already released").And.Message.Contains("retainGraph"));
    }

    [Test]
    public void BackwardThroughAReleasedPart_OfANewGraph_Throws()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x.Exp();
        h.Sum().Backward();
        Tensor later = (h * 3).Sum();
        Assert.That(() => later.Backward(), Throws.InvalidOperationException.With.Message.Contains("Exp"));
    }

    [Test]
    public void RetainGraph_AllowsAnotherBackward_AndGradientsAccumulate()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor loss = (x * x).Sum();
        loss.Backward(retainGraph: true);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 2.0, 4 }));
        Assert.That(loss.GradFn!.IsReleased, Is.False);
        loss.Backward(retainGraph: true);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 4.0, 8 }));
        loss.Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 6.0, 12 }));
        Assert.That(loss.GradFn.IsReleased, Is.True);
        Assert.That(() => loss.Backward(), Throws.InvalidOperationException);
    }

    [Test]
    public void Gradients_AccumulateAcrossBackwardCalls_OfSeparateGraphs()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = Inputs.Of([5, 7], 2);
        (x + y).Sum().Backward();
        (x * 3).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 4.0, 4 }));
        // y's gradient buffer is its own: accumulating into x's must not touch it.
        Assert.That(GradAssert.GradOf(y), Is.EqualTo(new[] { 1.0, 1 }));
    }

    [Test]
    public void ZeroGrad_ForgetsTheGradient()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        (x * 3).Sum().Backward();
        x.ZeroGrad();
        Assert.That(x.Grad, Is.Null);
        (x * 5).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 5.0, 5 }));
    }

    [Test]
    public void Detach_SharesData_ButCutsTheTape()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor h = x * 2;
        Tensor d = h.Detach();
        Assert.That(d.IsLeaf, Is.True);
        Assert.That(d.RequiresGrad, Is.False);
        Assert.That(d.ToArray<double>(), Is.EqualTo(h.ToArray<double>()));
        Assert.That(d.SharesStorageWith(h), Is.True);
        // d/dx (detach(2x) · x) = 2x only: no gradient flows through the detached factor.
        (d * x).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 2.0, 4, 6 }));
        Assert.That(d.Grad, Is.Null);
    }

    [Test]
    public void LeavesAndNonLeaves()
    {
        Tensor x = Inputs.Of([1], 1);
        Tensor constant = Tensor.Ones([1], DType.Float64);
        Tensor y = x * 2;
        Assert.That(x.IsLeaf, Is.True);
        Assert.That(constant.IsLeaf, Is.True);
        Assert.That(y.IsLeaf, Is.False);
        Assert.That(y.RequiresGrad, Is.True);
        Assert.That((constant * 2).IsLeaf, Is.True, "an op on inputs that need no gradient records nothing");
        Assert.That((constant * 2).RequiresGrad, Is.False);

        Assert.That(() => y.RequiresGrad = false, Throws.InvalidOperationException.With.Message.Contains("leaf"));
        x.RequiresGrad = false;
        Assert.That((x * 2).RequiresGrad, Is.False);
        x.RequiresGrad = true;
        Assert.That((x * 2).RequiresGrad, Is.True);

        // Non-leaves get no Grad; only leaves accumulate.
        (y * y).Sum().Backward();
        Assert.That(y.Grad, Is.Null);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 8.0 }));
    }

    [Test]
    public void FanOut_TimesItself()
    {
        Tensor x = Inputs.Of([1, -2, 3], 3);
        (x * x).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 2.0, -4, 6 }));
    }

    [Test]
    public void FanOut_PlusItself_WithExplicitGradient_LeavesTheCallersGradientAlone()
    {
        // Both VJPs of Add pass the caller's buffer through; summing them must not write into it.
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor g = Tensor.FromArray(new[] { 3.0, 3, 3 }, 3);
        (x + x).Backward(g);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 6.0, 6, 6 }));
        Assert.That(g.ToArray<double>(), Is.EqualTo(new[] { 3.0, 3, 3 }));

        // Accumulating a second time (into x.Grad) must not write into g either.
        x.Reshape(3).Backward(g);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 9.0, 9, 9 }));
        Assert.That(g.ToArray<double>(), Is.EqualTo(new[] { 3.0, 3, 3 }));
    }

    [Test]
    public void FanOut_OfAnIntermediate_WithExplicitGradient_LeavesTheCallersGradientAlone()
    {
        // a's pending gradient starts as the caller's buffer itself; the second contribution must go to a new one.
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor a = x * 2;
        Tensor g = Tensor.FromArray(new[] { 1.0, 10 }, 2);
        (a + a).Backward(g);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 4.0, 40 }));
        Assert.That(g.ToArray<double>(), Is.EqualTo(new[] { 1.0, 10 }));
    }

    [Test]
    public void FanOut_IntermediateUsedThreeTimes()
    {
        // a = x + x passes its gradient through to x twice; a feeds three consumers.
        Tensor x = Inputs.Of([0.5, 1.5], 2);
        Tensor a = x + x;
        Tensor loss = (a + a.Reshape(2) + (a * a)).Sum();
        loss.Backward();
        // loss = Σ 2a + a², da = 2 + 2a, dx = 2·da = 4 + 8x.
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 8.0, 16 }));
    }

    [Test]
    public void FanOut_Diamond()
    {
        // a = 2x; b = e^a; c = 3a; loss = Σ b + c → dx = 2(e^(2x) + 3).
        Tensor x = Inputs.Of([0.1, -0.4], 2);
        Tensor a = x * 2;
        Tensor loss = (a.Exp() + (a * 3)).Sum();
        loss.Backward();
        GradAssert.Values(x.Grad!, [2 * (Math.Exp(0.2) + 3), 2 * (Math.Exp(-0.8) + 3)], 1e-14);
    }

    [Test]
    public void FanOut_DiamondsAtSeveralLevels_GradCheck() =>
        GradAssert.GradCheck(v =>
        {
            Tensor a = v[0] * v[1];
            Tensor b = a.Tanh() + a;
            Tensor c = (b * a).Sigmoid() - b.Exp();
            return (c + (a * c)).Sum(0) + v[0].Sum(0);
        }, [Inputs.Normal(5, 3, 2), Inputs.Normal(6, 2)]);

    [Test]
    public void InputsThatDoNotRequireGrad_GetNoGradient_AndCostNoBackwardWork()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor constant = Tensor.FromArray(new[] { 3.0, 4 }, 2);
        int[] calls = new int[2];
        Tensor y = TestOps.CountingAdd(x, constant, calls);
        Assert.That(y.GradFn!.Inputs[1], Is.Null, "the entry does not even keep the constant");
        (y * constant).Sum().Backward();
        Assert.That(calls, Is.EqualTo(new[] { 1, 0 }));
        Assert.That(constant.Grad, Is.Null);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 3.0, 4 }));
    }

    [Test]
    public void BranchesThatNeedNoGradient_AreNotWalked()
    {
        // The subtree built only from constants records no entries at all.
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor constant = Tensor.FromArray(new[] { 3.0, 4 }, 2);
        Tensor branch = (constant.Exp() * 2).Log();
        Assert.That(branch.GradFn, Is.Null);
        (x * branch).Sum().Backward();
        GradAssert.Values(x.Grad!, [3 + Math.Log(2), 4 + Math.Log(2)], 1e-14);
    }
}
