using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>Tape.Grad, torch.autograd.grad (API.md "Higher-order gradients, hooks, anomalies").</summary>
public class TapeGradTests
{
    // ---- what it computes ----

    [Test]
    public void Grad_OfLeaves_IsTheGradientOfTheOutput()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor w = Inputs.Of([4, 5, 6], 3);
        Tensor?[] grads = Tape.Grad((x * w).Sum() + (x * x).Sum(), [x, w]);
        Assert.That(grads, Has.Length.EqualTo(2));
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new[] { 6.0, 9, 12 }), "w + 2x");
        Assert.That(grads[1]!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 3 }), "x");
        Assert.That(grads[0]!.Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(grads[0]!.DType, Is.EqualTo(DType.Float64));
    }

    [Test]
    public void Grad_InputsInAnyOrder_AndRepeated_EachGetsItsGradient()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor w = Inputs.Of([3, 4], 2);
        Tensor y = (x * w).Sum();
        Tensor?[] grads = Tape.Grad(y, [w, x, w], retainGraph: true);
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2 }));
        Assert.That(grads[1]!.ToArray<double>(), Is.EqualTo(new[] { 3.0, 4 }));
        Assert.That(grads[2]!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2 }));
    }

    [Test]
    public void Grad_OfAnIntermediateTensor_IsTheGradientWithRespectToIt()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 3.0;
        Tensor y = (h * h).Sum();
        Tensor?[] grads = Tape.Grad(y, [h]);
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new[] { 6.0, 12 }), "2h");
    }

    [Test]
    public void Grad_OfAnIntermediateAndItsLeaf_Together()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x.Exp();
        Tensor y = (h * x).Sum();   // x reaches y directly and through h
        Tensor?[] grads = Tape.Grad(y, [h, x]);
        GradAssert.AssertClose(grads[0]!.ToArray<double>(), [1, 2], 0, 0, "dy/dh = x");
        GradAssert.AssertClose(grads[1]!.ToArray<double>(), [2 * Math.E, 3 * Math.Exp(2)], 1e-12, 0, "dy/dx = (1 + x)eˣ");
    }

    [Test]
    public void Grad_OfTheOutputItself_IsTheSeed()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = (x * 3.0).Sum();
        Assert.That(Tape.Grad(y, [y])[0]!.ToArray<double>(), Is.EqualTo(new[] { 1.0 }));
        Tensor leaf = Inputs.Of([5], 1);
        Assert.That(Tape.Grad(leaf, [leaf])[0]!.ToArray<double>(), Is.EqualTo(new[] { 1.0 }));
    }

    [Test]
    public void Grad_FanOutOfALeaf_IsSummed()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor y = ((x * x) + x + x.Exp()).Sum();
        double[] expected = new[] { 1.0, 2, 3 }.Select(v => (2 * v) + 1 + Math.Exp(v)).ToArray();
        GradAssert.AssertClose(Tape.Grad(y, [x])[0]!.ToArray<double>(), expected, 1e-12, 0, "dx");
    }

    [Test]
    public void Grad_FanOutOfAnIntermediate_IsSummed()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 2.0;
        Tensor y = (h * h).Sum() + h.Sum() + (h * 4.0).Sum();   // d/dh = 2h + 5
        Tensor?[] grads = Tape.Grad(y, [h, x]);
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new[] { 9.0, 13 }));
        Assert.That(grads[1]!.ToArray<double>(), Is.EqualTo(new[] { 18.0, 26 }));
    }

    [Test]
    public void Grad_FanOutWithLargeBuffers_IsSummed([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        Tensor x = Tensor.Rand([4096], seed: 21, low: -1, high: 1, dtype: dtype);
        x.RequiresGrad = true;
        Tensor h = x.Tanh();
        Tensor y = ((h * h) + h.Exp() + (h * x)).Sum();
        Tensor fromGrad = Tape.Grad(y, [x], retainGraph: true)[0]!;
        y.Backward();
        Assert.That(fromGrad.ToArray<double>(), Is.EqualTo(GradAssert.GradOf(x)));
    }

    [Test]
    public void Grad_WithGradOutput_ForANonScalarOutput_IsTheVjp()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor v = Tensor.FromArray(new[] { 1.0, 10, 100 }, 3);
        Tensor?[] grads = Tape.Grad(x * x, [x], v);
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new[] { 2.0, 40, 600 }));
        Assert.That(v.ToArray<double>(), Is.EqualTo(new[] { 1.0, 10, 100 }), "the caller's gradOutput is not modified");
    }

    [Test]
    public void Grad_WithGradOutput_ForAScalar_ScalesTheResult()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor?[] grads = Tape.Grad((x * x).Sum(), [x], Tensor.Scalar(0.5, DType.Float64));
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2 }));
    }

    [Test]
    public void Grad_NonScalarOutputWithoutGradOutput_ThrowsArgumentException()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Assert.That(() => Tape.Grad(x * 2.0, [x]), Throws.ArgumentException.With.Message.Contains("[2]"));
    }

    [Test]
    public void Grad_GradOutputOfTheWrongShapeOrDType_ThrowsArgumentException()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = x * 2.0;
        Assert.That(() => Tape.Grad(y, [x], Tensor.Zeros([3], DType.Float64)), Throws.ArgumentException);
        Assert.That(() => Tape.Grad(y, [x], Tensor.Zeros([2], DType.Float32)), Throws.ArgumentException);
        Assert.That(y.GradFn!.IsReleased, Is.False, "a rejected call releases nothing");
    }

    // ---- no Grad is touched ----

    [Test]
    public void Grad_LeavesGradStaysNull()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor w = Inputs.Of([3, 4], 2);
        Tensor b = Inputs.Of([5, 6], 2);
        Tape.Grad(((x * w) + b).Sum(), [x]);
        Assert.That(x.Grad, Is.Null);
        Assert.That(w.Grad, Is.Null, "a leaf that was not asked for");
        Assert.That(b.Grad, Is.Null);
    }

    [Test]
    public void Grad_OfAnIntermediate_LeavesTheLeavesBelowItUntouched()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 3.0;
        Tape.Grad((h * h).Sum(), [h]);
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void Grad_APreExistingGrad_IsUnchanged()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor w = Inputs.Of([3, 4], 2);
        (x * 10.0 + w * 20.0).Sum().Backward();
        Tensor xGrad = x.Grad!, wGrad = w.Grad!;
        Tensor?[] grads = Tape.Grad((x * w).Sum(), [x]);
        Tape.Grad((x * w).Sum(), [x, w], createGraph: true);
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new[] { 3.0, 4 }), "the result does not include the old Grad");
        Assert.That(x.Grad, Is.SameAs(xGrad));
        Assert.That(w.Grad, Is.SameAs(wGrad));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 10.0, 10 }));
        Assert.That(w.Grad!.ToArray<double>(), Is.EqualTo(new[] { 20.0, 20 }));
    }

    [Test]
    public void Grad_ResultIsNotTheStorageOfALeafsGrad_AndLaterBackwardsDoNotChangeIt()
    {
        Tensor x = Tensor.Rand([2048], seed: 22, dtype: DType.Float64);
        x.RequiresGrad = true;
        Tensor y = (x * 2.0).Exp().Sum();
        Tensor result = Tape.Grad(y, [x], retainGraph: true)[0]!;
        double[] snapshot = result.ToArray<double>();
        y.Backward(retainGraph: true);
        y.Backward();
        OwnershipTests.ChurnThePool(2048, DType.Float64);
        Assert.That(result.SharesStorageWith(x.Grad!), Is.False);
        Assert.That(result.ToArray<double>(), Is.EqualTo(snapshot));
    }

    // ---- unused inputs, inputs that need no gradient ----

    [Test]
    public void Grad_UnusedInput_ThrowsArgumentExceptionNamingIt()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor unused = Inputs.Of([3], 1);
        Assert.That(() => Tape.Grad(x.Sum(), [x, unused]), Throws.ArgumentException
            .With.Message.Contains("inputs[1]").And.Message.Contains("allowUnused"));
    }

    [Test]
    public void Grad_UnusedInput_WithAllowUnused_IsNull()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor unused = Inputs.Of([3], 1);
        Tensor?[] grads = Tape.Grad((x * 2.0).Sum(), [unused, x], allowUnused: true);
        Assert.That(grads[0], Is.Null);
        Assert.That(grads[1]!.ToArray<double>(), Is.EqualTo(new[] { 2.0, 2 }));
    }

    [Test]
    public void Grad_IntermediateNotOnThePathToTheOutput_IsUnused()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor sideBranch = x * 5.0;
        Tensor y = (x * 2.0).Sum();
        Assert.That(() => Tape.Grad(y, [sideBranch], retainGraph: true), Throws.ArgumentException.With.Message.Contains("inputs[0]"));
        Tensor?[] grads = Tape.Grad(y, [sideBranch, x], allowUnused: true);
        Assert.That(grads[0], Is.Null);
        Assert.That(grads[1]!.ToArray<double>(), Is.EqualTo(new[] { 2.0, 2 }));
    }

    [Test]
    public void Grad_InputThatDoesNotRequireGrad_ThrowsArgumentExceptionNamingIt()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor constant = Tensor.FromArray(new[] { 3.0, 4 }, 2);
        Tensor y = (x * constant).Sum();
        Assert.That(() => Tape.Grad(y, [x, constant]), Throws.ArgumentException
            .With.Message.Contains("inputs[1]").And.Message.Contains("does not require"));
        Assert.That(y.GradFn!.IsReleased, Is.False, "a rejected call releases nothing");
    }

    [Test]
    public void Grad_NullArguments_ThrowArgumentNullException()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = x.Sum();
        Assert.That(() => Tape.Grad(null!, [x]), Throws.ArgumentNullException);
        Assert.That(() => Tape.Grad(y, null!), Throws.ArgumentNullException);
        Assert.That(() => Tape.Grad(y, [x, null!]), Throws.ArgumentNullException.With.Message.Contains("inputs[1]"));
    }

    [Test]
    public void Grad_OfAnOutputThatDoesNotRequireGrad_Throws()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y;
        using (Tape.NoGrad())
        {
            y = x.Sum();
        }

        Assert.That(() => Tape.Grad(y, [x]), Throws.InvalidOperationException.With.Message.Contains("does not require"));
    }

    // ---- retainGraph ----

    [Test]
    public void Grad_WithoutRetainGraph_ReleasesTheGraph_ASecondCallThrows()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = (x * x).Sum();
        Tape.Grad(y, [x]);
        Assert.That(() => Tape.Grad(y, [x]), Throws.InvalidOperationException.With.Message.Contains("released"));
        Assert.That(() => y.Backward(), Throws.InvalidOperationException.With.Message.Contains("released"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void Grad_WithRetainGraph_AllowsAnotherCall_WithTheSameResult()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = (x * x).Exp().Sum();
        Tensor first = Tape.Grad(y, [x], retainGraph: true)[0]!;
        Tensor second = Tape.Grad(y, [x], retainGraph: true)[0]!;
        y.Backward();
        Assert.That(second.ToArray<double>(), Is.EqualTo(first.ToArray<double>()));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(first.ToArray<double>()));
    }

    [Test]
    public void Grad_OfAnIntermediate_WithoutRetainGraph_DoesNotReleaseTheGraphBelowIt()
    {
        // torch.autograd.grad runs (and frees) only the part of the graph between the output and its inputs: another
        // output computed from h can still back-propagate through the ops below h.
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x.Exp();
        Tensor y = (h * h).Sum();
        Tensor z = h.Sum();
        Tape.Grad(y, [h]);
        Assert.That(h.GradFn!.IsReleased, Is.False);
        z.Backward();
        GradAssert.AssertClose(GradAssert.GradOf(x), [Math.E, Math.Exp(2)], 1e-12, 0, "dz/dx");
    }

    // ---- createGraph ----

    [Test]
    public void Grad_WithCreateGraph_IsDifferentiable_SecondDerivativeOfXCubedIsSixX()
    {
        Tensor x = Inputs.Of([1, -2, 3], 3);
        Tensor first = Tape.Grad((x * x * x).Sum(), [x], createGraph: true)[0]!;
        Assert.That(first.RequiresGrad, Is.True);
        Assert.That(first.ToArray<double>(), Is.EqualTo(new[] { 3.0, 12, 27 }), "3x²");
        Tensor second = Tape.Grad(first.Sum(), [x], createGraph: true)[0]!;
        Assert.That(second.ToArray<double>(), Is.EqualTo(new[] { 6.0, -12, 18 }), "6x");
        Tensor third = Tape.Grad(second.Sum(), [x])[0]!;
        Assert.That(third.ToArray<double>(), Is.EqualTo(new[] { 6.0, 6, 6 }));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void Grad_WithCreateGraph_ImpliesRetainGraph()
    {
        Tensor x = Inputs.Of([2], 1);
        Tensor y = (x * x * x).Sum();
        Tape.Grad(y, [x], createGraph: true);
        Assert.That(Tape.Grad(y, [x])[0]!.ToArray<double>(), Is.EqualTo(new[] { 12.0 }));
    }

    [Test]
    public void Grad_WithoutCreateGraph_ResultCarriesNoGraph()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor g = Tape.Grad((x * x).Sum(), [x])[0]!;
        Assert.That(g.RequiresGrad, Is.False);
        Assert.That(g.IsLeaf, Is.True);
    }

    [Test]
    public void Grad_WithCreateGraph_OfAnIntermediate_IsDifferentiableWithRespectToTheLeaf()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * x;
        Tensor dh = Tape.Grad((h * h * h).Sum(), [h], createGraph: true)[0]!;   // 3h² = 3x⁴
        Tensor dx = Tape.Grad(dh.Sum(), [x])[0]!;                                // 12x³
        Assert.That(dx.ToArray<double>(), Is.EqualTo(new[] { 12.0, 96 }));
    }

    [Test]
    public void Grad_WithCreateGraph_AndAGradOutputThatRequiresGrad_IsDifferentiableWithRespectToIt()
    {
        // The double-backward trick behind Jvp: u ↦ Jᵀu is linear in u.
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor u = Inputs.Of([0, 0], 2);
        Tensor vjp = Tape.Grad(x * x * x, [x], u, createGraph: true)[0]!;   // 3x²·u
        Tensor du = Tape.Grad(vjp, [u], Tensor.FromArray(new[] { 1.0, 1 }, 2))[0]!;
        Assert.That(du.ToArray<double>(), Is.EqualTo(new[] { 3.0, 12 }));
    }

    // ---- agreement with Backward ----

    [Test]
    public void Grad_MatchesBackward_BitForBit_ForAnMlpInFloat32()
    {
        // Linear → ReLU → Linear → CrossEntropy, float32: the same graph differentiated by Tape.Grad and by Backward.
        const int Batch = 16, In = 7, Hidden = 32, Classes = 5;
        int[] labels = Enumerable.Range(0, Batch).Select(i => (i * 3) % Classes).ToArray();
        Tensor input = Tensor.Randn([Batch, In], seed: 31);
        input.RequiresGrad = true;
        Tensor w1 = Parameter(Tensor.Randn([Hidden, In], seed: 32) * 0.4);
        Tensor b1 = Parameter(Tensor.Randn([Hidden], seed: 33) * 0.1);
        Tensor w2 = Parameter(Tensor.Randn([Classes, Hidden], seed: 34) * 0.3);
        Tensor b2 = Parameter(Tensor.Randn([Classes], seed: 35) * 0.1);
        Tensor[] parameters = [input, w1, b1, w2, b2];

        Tensor Objective() => Loss.CrossEntropy(Functional.Linear(Functional.Linear(input, w1, b1).Relu(), w2, b2), labels);

        Tensor?[] grads = Tape.Grad(Objective(), parameters);
        Assert.That(parameters.Select(p => p.Grad), Has.All.Null);
        Objective().Backward();
        for (int i = 0; i < parameters.Length; i++)
        {
            Assert.That(grads[i]!.DType, Is.EqualTo(DType.Float32));
            Assert.That(grads[i]!.Shape, Is.EqualTo(parameters[i].Shape));
            Assert.That(grads[i]!.ToArray<float>(), Is.EqualTo(parameters[i].Grad!.ToArray<float>()), $"parameter {i}");
        }
    }

    [Test]
    public void Grad_MatchesBackward_BitForBit_WhenAParameterIsUsedTwice()
    {
        // Weight tying: w is used by two products, so its gradient is a sum in both passes.
        Tensor x = Tensor.Randn([6, 4], seed: 41);
        Tensor w = Parameter(Tensor.Randn([4, 4], seed: 42) * 0.5);
        Tensor Objective() => Functional.Linear(Functional.Linear(x, w).Tanh(), w).Sigmoid().Sum();
        Tensor fromGrad = Tape.Grad(Objective(), [w])[0]!;
        Objective().Backward();
        Assert.That(fromGrad.ToArray<float>(), Is.EqualTo(w.Grad!.ToArray<float>()));
    }

    private static Tensor Parameter(Tensor values)
    {
        Tensor p = values.Detach();
        p.RequiresGrad = true;
        return p;
    }
}
