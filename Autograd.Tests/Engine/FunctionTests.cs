using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>User-defined differentiable functions (Function, FunctionContext; API.md "User-defined differentiable functions").</summary>
public class FunctionTests
{
    // ---- gradient checks of user functions ----

    [Test]
    public void OneInput_GradCheck()
    {
        var cube = new Cube();
        GradAssert.GradCheck(x => cube.Apply(x[0]), [Inputs.Normal(1, 2, 3)]);
    }

    [Test]
    public void ThreeInputs_WithBroadcastingSummedByTheUser_GradCheck()
    {
        var f = new MultiplyAdd();
        GradAssert.GradCheck(x => f.Apply(x[0], x[1], x[2]), [Inputs.Normal(2, 2, 3), Inputs.Normal(3, 3), Inputs.Normal(4, 2, 1)]);
    }

    [Test]
    public void OutputUsedTwice_GradCheck()
    {
        var cube = new Cube();
        GradAssert.GradCheck(x =>
        {
            Tensor y = cube.Apply(x[0]);
            return (y * y) + y.Exp();
        }, [Inputs.Uniform(5, -1, 1, 4)]);
    }

    [Test]
    public void SameFunctionTwiceInOneGraph_GradCheck()
    {
        var cube = new Cube();
        GradAssert.GradCheck(x => cube.Apply(cube.Apply(x[0])) + cube.Apply(x[0] * x[1]), [Inputs.Normal(6, 3), Inputs.Normal(7, 3)]);
    }

    [Test]
    public void NullGradientForAnInput_MeansZero()
    {
        var f = new FirstOnly();
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = Inputs.Of([3, 4], 2);
        (f.Apply(x, y) * 5).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 5.0, 5 }));
        Assert.That(y.Grad, Is.Null, "no contribution reached y");
    }

    // ---- worked examples ----

    [Test]
    public void StableSoftplus_IsFiniteAndCorrect_AtPlusMinus1000()
    {
        var softplus = new Softplus();
        Tensor x = Inputs.Of([-1000, -1, 0, 1, 1000], 5);
        Tensor y = softplus.Apply(x);
        y.Sum().Backward();
        double[] expected = [0, Math.Log(1 + Math.Exp(-1)), Math.Log(2), 1 + Math.Log(1 + Math.Exp(-1)), 1000];
        GradAssert.Values(y, expected, 1e-12, "softplus");
        GradAssert.AssertClose(GradAssert.GradOf(x), [0, 1 / (1 + Math.E), 0.5, 1 / (1 + Math.Exp(-1)), 1], 0, 1e-12, "sigmoid");
        Assert.That((x.Detach().Exp() + 1).Log().ToArray<double>()[4], Is.EqualTo(double.PositiveInfinity),
            "the naive formula overflows where the function does not");
    }

    [Test]
    public void StableSoftplus_GradCheck()
    {
        var softplus = new Softplus();
        GradAssert.GradCheck(x => softplus.Apply(x[0]), [Inputs.Normal(8, 3, 2)]);
    }

    [Test]
    public void StraightThroughEstimator_RoundsForward_PassesTheGradientThrough()
    {
        var ste = new RoundStraightThrough();
        Tensor x = Inputs.Of([0.3, 1.7, -2.2], 3);
        Tensor weights = Tensor.FromArray(new[] { 2.0, 3, 4 }, 3);
        Tensor y = ste.Apply(x);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 0.0, 2, -2 }));
        ((y * weights).Sum() + x.Sum()).Backward();   // x is also used directly: the two gradients are summed
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 3.0, 4, 5 }));
        Assert.That(weights.ToArray<double>(), Is.EqualTo(new[] { 2.0, 3, 4 }));
    }

    [Test]
    public void GradientTheUserKeeps_IsNeverWrittenInto()
    {
        var f = new ConstantGradient(Tensor.FromArray(new[] { 1.0, 2 }, 2));
        Tensor x = Inputs.Of([0, 0], 2);
        (f.Apply(x) + f.Apply(x)).Sum().Backward();
        (f.Apply(x) * 1.0).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 3.0, 6 }));
        Assert.That(f.Gradient.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2 }), "the function's own tensor is unchanged");

        Tensor z = Inputs.Of([0, 0], 2);
        Tensor ones = Tensor.Ones([2], DType.Float64);
        f.Apply(z).Backward(ones, createGraph: true);   // the first gradient may be the user's tensor itself ...
        f.Apply(z).Backward(ones);                      // ... so the next one must not be added into it
        Assert.That(GradAssert.GradOf(z), Is.EqualTo(new[] { 2.0, 4 }));
        Assert.That(f.Gradient.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2 }));
    }

    // ---- NeedsInputGrad ----

    [Test]
    public void NeedsInputGrad_ReportsWhichInputsRequireAGradient_InForwardAndBackward()
    {
        var f = new NeedsProbe();
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = Tensor.FromArray(new[] { 3.0, 4 }, 2);
        Tensor output = f.Apply(x, y);
        Assert.That(f.InForward, Is.EqualTo(new[] { true, false }));
        output.Sum().Backward();
        Assert.That(f.InBackward, Is.EqualTo(new[] { true, false }));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 3.0, 4 }));
    }

    [Test]
    public void NeedsInputGrad_InBackward_FollowsALeafThatStoppedRequiringAGradient()
    {
        var f = new NeedsProbe();
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = Inputs.Of([3, 4], 2);
        Tensor output = f.Apply(x, y);
        Assert.That(f.InForward, Is.EqualTo(new[] { true, true }));
        x.RequiresGrad = false;
        output.Sum().Backward();
        Assert.That(f.InBackward, Is.EqualTo(new[] { false, true }));
        Assert.That(x.Grad, Is.Null);
        Assert.That(GradAssert.GradOf(y), Is.EqualTo(new[] { 1.0, 2 }));
    }

    [Test]
    public void NeedsInputGrad_UnderNoGrad_IsFalse_AndNothingIsRecorded()
    {
        var f = new NeedsProbe();
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor output;
        using (Tape.NoGrad())
        {
            output = f.Apply(x, x);
        }

        Assert.That(f.InForward, Is.EqualTo(new[] { false, false }));
        Assert.That(output.RequiresGrad, Is.False);
        Assert.That(output.IsLeaf, Is.True);
    }

    [Test]
    public void NeedsInputGrad_OutOfRange_Throws()
    {
        var f = new Lambda((ctx, inputs) =>
        {
            Assert.That(() => ctx.NeedsInputGrad(1), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("1 input"));
            Assert.That(() => ctx.NeedsInputGrad(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
            return inputs[0] * 2;
        });
        f.Apply(Inputs.Of([1], 1));
    }

    // ---- recording ----

    [Test]
    public void Apply_WithoutAnInputThatRequiresGrad_RecordsNothing()
    {
        var cube = new Cube();
        Tensor y = cube.Apply(Tensor.FromArray(new[] { 2.0 }, 1));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 8.0 }));
        Assert.That(y.RequiresGrad, Is.False);
        Assert.That(y.IsLeaf, Is.True);
    }

    [Test]
    public void Apply_RecordsOneEntryNamedAfterTheFunction()
    {
        Tensor x = Inputs.Of([2], 1);
        Tensor y = new Cube().Apply(x);
        Assert.That(y.RequiresGrad, Is.True);
        Assert.That(y.IsLeaf, Is.False);
        Assert.That(y.ToString(), Does.Contain("grad_fn=Cube"));
    }

    [Test]
    public void Forward_RunsWithRecordingOff_AndRecordingResumesEvenWhenItThrows()
    {
        bool? enabledInForward = null;
        var probe = new Lambda((_, inputs) =>
        {
            enabledInForward = Tape.IsGradEnabled;
            Tensor inner = inputs[0] * 2;
            Assert.That(inner.RequiresGrad, Is.False, "ops inside Forward record nothing");
            return inner;
        });
        probe.Apply(Inputs.Of([1], 1));
        Assert.That(enabledInForward, Is.False);
        Assert.That(Tape.IsGradEnabled, Is.True);

        var failing = new Lambda((_, _) => throw new FormatException("user error"));
        Assert.That(() => failing.Apply(Inputs.Of([1], 1)), Throws.InstanceOf<FormatException>());
        Assert.That(Tape.IsGradEnabled, Is.True);
    }

    [Test]
    public void ReturningAnInput_KeepsTheInputALeaf()
    {
        var identity = new Lambda((_, inputs) => inputs[0]);
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = identity.Apply(x);
        Assert.That(y, Is.Not.SameAs(x));
        Assert.That(x.IsLeaf, Is.True);
        Assert.That(y.IsLeaf, Is.False);
        (y * 3).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 3.0, 3 }));
    }

    [Test]
    public void ReturningAViewOfAnInputOrATensorTheUserKeeps_LeavesThemUntouched()
    {
        Tensor kept = Tensor.FromArray(new[] { 5.0, 6 }, 2);
        kept.RequiresGrad = true;
        var reshape = new Lambda((_, inputs) => inputs[0].Reshape(2), (_, g) => [g.Reshape(1, 2)]);
        var constant = new Lambda((_, _) => kept, (_, _) => [null]);
        Tensor x = Inputs.Of([1, 2], 1, 2);

        Tensor y = reshape.Apply(x);
        Tensor z = constant.Apply(x);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2 }));
        Assert.That(x.IsLeaf && kept.IsLeaf, Is.True);
        Assert.That(z.ToArray<double>(), Is.EqualTo(new[] { 5.0, 6 }));
        (y + z).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 1.0, 1 }));
        Assert.That(kept.Grad, Is.Null);
    }

    [Test]
    public void FunctionInstance_IsReusableAcrossThreads()
    {
        var cube = new Cube();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 16, i =>
        {
            Tensor x = Inputs.Of([i], 1);
            cube.Apply(x).Sum().Backward();
            if (x.Grad!.Item() != 3.0 * i * i)
            {
                failures.Add($"{i}: {x.Grad.Item()}");
            }
        });
        Assert.That(failures, Is.Empty);
    }

    // ---- errors ----

    [Test]
    public void Apply_NullInput_ThrowsArgumentNullException()
    {
        var cube = new Cube();
        Assert.That(() => cube.Apply(null!), Throws.ArgumentNullException);
        Assert.That(() => cube.Apply(Inputs.Of([1], 1), null!), Throws.ArgumentNullException.With.Message.Contains("inputs[1]"));
    }

    [Test]
    public void Forward_ReturningNull_ThrowsNamingTheFunction()
    {
        var f = new Lambda((_, _) => null!);
        Assert.That(() => f.Apply(Inputs.Of([1], 1)), Throws.InvalidOperationException
            .With.Message.Contains("Lambda").And.Message.Contains("null"));
    }

    [Test]
    public void Backward_WrongGradientCount_ThrowsNamingTheFunction()
    {
        var f = new Lambda((_, inputs) => inputs[0] * 1.0, (_, g) => [g, g]);
        Tensor x = Inputs.Of([1, 2], 2);
        Assert.That(() => f.Apply(x).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("Lambda").And.Message.Contains("2 gradient(s)").And.Message.Contains("exactly one per input: 1"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void Backward_ReturningNullArray_ThrowsNamingTheFunction()
    {
        var f = new Lambda((_, inputs) => inputs[0] * 1.0, (_, _) => null!);
        Assert.That(() => f.Apply(Inputs.Of([1], 1)).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("Lambda").And.Message.Contains("returned null"));
    }

    [Test]
    public void Backward_WrongGradientShapeOrDType_ThrowsNamingTheFunctionTheInputAndBothShapes()
    {
        var wrongShape = new Lambda((_, inputs) => inputs[0] * 1.0, (_, g) => [g.Sum()]);
        Assert.That(() => wrongShape.Apply(Inputs.Of([1, 2], 2)).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("Lambda").And.Message.Contains("input 0").And.Message.Contains("[]").And.Message.Contains("[2]"));

        var wrongDType = new Lambda((_, inputs) => inputs[0] * 1.0, (_, g) => [g.To(DType.Float32)]);
        Assert.That(() => wrongDType.Apply(Inputs.Of([1, 2], 2)).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("Float32").And.Message.Contains("Float64"));
    }

    [Test]
    public void Backward_GradientForAnInputThatNeedsNone_IsIgnored()
    {
        var f = new Lambda((_, inputs) => inputs[0] + inputs[1], (_, g) => [g, Tensor.Zeros([7])]);
        Tensor x = Inputs.Of([1, 2], 2);
        f.Apply(x, Tensor.FromArray(new[] { 1.0, 1 }, 2)).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 1.0, 1 }));
    }

    [Test]
    public void SaveForBackward_OutsideForwardOrTwice_Throws()
    {
        var inBackward = new Lambda((_, inputs) => inputs[0] * 1.0, (ctx, g) =>
        {
            ctx.SaveForBackward(g);
            return [g];
        });
        Assert.That(() => inBackward.Apply(Inputs.Of([1], 1)).Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("Lambda").And.Message.Contains("only be called from Forward"));

        var twice = new Lambda((ctx, inputs) =>
        {
            ctx.SaveForBackward(inputs[0]);
            ctx.SaveForBackward(inputs[0]);
            return inputs[0] * 1.0;
        });
        Assert.That(() => twice.Apply(Inputs.Of([1], 1)), Throws.InvalidOperationException.With.Message.Contains("already called"));
    }

    [Test]
    public void SavedInputModifiedInPlace_BackwardThrowsBeforeAnyGradientIsWritten()
    {
        var cube = new Cube();
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor w = Inputs.Of([3], 1);
        Tensor loss = cube.Apply(x).Sum() + (w * 2).Sum();
        x.BumpVersion();   // what an in-place op or an optimizer step does
        Assert.That(() => loss.Backward(), Throws.InvalidOperationException
            .With.Message.Contains("Cube").And.Message.Contains("modified in place"));
        Assert.That(x.Grad, Is.Null);
        Assert.That(w.Grad, Is.Null);
    }

    [Test]
    public void SavedOutputModifiedInPlace_BackwardThrows()
    {
        var exp = new ExpSavingOutput();
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = exp.Apply(x);
        y.BumpVersion();
        Assert.That(() => y.Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("ExpSavingOutput").And.Message.Contains("modified in place"));
    }

    [Test]
    public void GraphIsReleasedAfterBackward_SecondBackwardThrowsClearly()
    {
        var probe = new ContextKeeper();
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = probe.Apply(x);
        Tensor g = Tensor.Ones([2], DType.Float64);
        Assert.That(probe.Context!.SavedTensors, Has.Count.EqualTo(1));
        y.Backward(g);
        Assert.That(y.GradFn!.IsReleased, Is.True);
        Assert.That(() => probe.Context.SavedTensors, Throws.InvalidOperationException.With.Message.Contains("released"));
        Assert.That(() => y.Backward(g), Throws.InvalidOperationException
            .With.Message.Contains("already released").And.Message.Contains("ContextKeeper"));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 2.0, 2 }), "the failed Backward wrote nothing");
    }

    [Test]
    public void RetainGraph_AllowsAnotherBackward()
    {
        var cube = new Cube();
        Tensor x = Inputs.Of([2], 1);
        Tensor loss = cube.Apply(x).Sum();
        loss.Backward(retainGraph: true);
        loss.Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 24.0 }));
    }

    // ---- higher order ----

    [Test]
    public void CreateGraph_BackwardIsRecorded_SecondAndThirdDerivatives()
    {
        var cube = new Cube();
        Tensor x = Inputs.Of([0.5, -1.5, 2], 3);
        Tensor ones = Tensor.Ones([3], DType.Float64);
        Tensor first = Tape.Grad(cube.Apply(x), [x], ones, createGraph: true)[0]!;
        GradAssert.Values(first, [0.75, 6.75, 12], 1e-12, "3x²");
        Tensor second = Tape.Grad(first, [x], ones, createGraph: true)[0]!;
        GradAssert.Values(second, [3, -9, 12], 1e-12, "6x");
        Tensor third = Tape.Grad(second, [x], ones)[0]!;
        GradAssert.Values(third, [6, 6, 6], 1e-12, "6");
    }

    [Test]
    public void CreateGraph_ThroughASavedOutput_FlowsThroughTheRecordedOutput()
    {
        var exp = new ExpSavingOutput();
        Tensor x = Inputs.Of([0.5, -1], 2);
        Tensor ones = Tensor.Ones([2], DType.Float64);
        Tensor first = Tape.Grad(exp.Apply(x), [x], ones, createGraph: true)[0]!;
        Tensor second = Tape.Grad(first, [x], ones)[0]!;
        GradAssert.Values(second, [Math.Exp(0.5), Math.Exp(-1)], 1e-12, "d²eˣ/dx²");
    }

    [Test]
    public void CreateGraph_WithBackwardOnTheLoss_GradIsDifferentiableAgain()
    {
        var cube = new Cube();
        Tensor x = Inputs.Of([1.5], 1);
        cube.Apply(x).Sum().Backward(createGraph: true);
        Tensor first = x.Grad!;
        Assert.That(first.RequiresGrad, Is.True, "the accumulated gradient carries a graph");
        x.ZeroGrad();
        first.Sum().Backward();
        GradAssert.Values(x.Grad!, [9], 1e-12, "6x");
    }

    [Test]
    public void Hessian_OfAFunctionWithTwoInputs()
    {
        var f = new MultiplyAdd();
        Tensor b = Tensor.FromArray(new[] { 2.0, -1, 0.5 }, 3);
        Tensor c = Tensor.Zeros([1, 1], DType.Float64);
        Tensor h = Tape.Hessian(a =>
        {
            Tensor y = f.Apply(a, b, c);
            return y.MatMul(y.Transpose());   // Σ (a·b)², as a [1,1] product
        }, Tensor.FromArray(new[] { 1.0, 2, 3 }, 1, 3));
        // The Hessian of Σ (a·b)² is diag(2b²).
        GradAssert.Values(h, [8, 0, 0, 0, 2, 0, 0, 0, 0.5], 1e-12, "Hessian");
    }

    // ---- the functions under test ----

    /// <summary>x³, backward 3x²·g from the saved input (differentiable again under createGraph).</summary>
    private sealed class Cube : Function
    {
        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs)
        {
            ctx.SaveForBackward(inputs[0]);
            return inputs[0] * inputs[0] * inputs[0];
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            Tensor x = ctx.SavedTensors[0];
            return [3 * x * x * gradOutput];
        }
    }

    /// <summary>eˣ, saving its output: backward g·y.</summary>
    private sealed class ExpSavingOutput : Function
    {
        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs)
        {
            Tensor y = inputs[0].Exp();
            ctx.SaveForBackward(y);
            return y;
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [gradOutput * ctx.SavedTensors[0]];
    }

    /// <summary>a·b + c with broadcasting: a [m,n], b [n], c [m,1]; backward sums over the broadcast axes.</summary>
    private sealed class MultiplyAdd : Function
    {
        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs)
        {
            ctx.SaveForBackward(inputs[0], inputs[1]);
            return (inputs[0] * inputs[1]) + inputs[2];
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            Tensor a = ctx.SavedTensors[0], b = ctx.SavedTensors[1];
            return
            [
                ctx.NeedsInputGrad(0) ? gradOutput * b : null,
                ctx.NeedsInputGrad(1) ? (gradOutput * a).Sum(0) : null,
                ctx.NeedsInputGrad(2) ? gradOutput.Sum(1, keepDim: true) : null,
            ];
        }
    }

    /// <summary>log(1 + eˣ) = max(x, 0) + log(1 + e^−|x|), finite for any x; backward g·σ(x).</summary>
    private sealed class Softplus : Function
    {
        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs)
        {
            Tensor x = inputs[0];
            ctx.SaveForBackward(x);
            return x.Relu() + ((-x.Abs()).Exp() + 1).Log();
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) =>
            [gradOutput * ctx.SavedTensors[0].Sigmoid()];
    }

    /// <summary>Rounds forward; the gradient passes through unchanged (straight-through estimator).</summary>
    private sealed class RoundStraightThrough : Function
    {
        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs) =>
            Tensor.FromArray(inputs[0].ToArray<double>().Select(v => Math.Round(v)).ToArray(), inputs[0].Shape).To(inputs[0].DType);

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [gradOutput];
    }

    /// <summary>x + y, whose backward gives x the gradient and y none (null).</summary>
    private sealed class FirstOnly : Function
    {
        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs) => inputs[0] + inputs[1];

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [gradOutput, null];
    }

    /// <summary>Returns one tensor it keeps as every gradient: the engine must copy it before summing into it.</summary>
    private sealed class ConstantGradient(Tensor gradient) : Function
    {
        public Tensor Gradient { get; } = gradient;

        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs) => inputs[0] * 1.0;

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [Gradient];
    }

    /// <summary>x·y, recording NeedsInputGrad in Forward and in Backward.</summary>
    private sealed class NeedsProbe : Function
    {
        public bool[] InForward { get; private set; } = [];

        public bool[] InBackward { get; private set; } = [];

        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs)
        {
            InForward = [ctx.NeedsInputGrad(0), ctx.NeedsInputGrad(1)];
            ctx.SaveForBackward(inputs[0], inputs[1]);
            return inputs[0] * inputs[1];
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            InBackward = [ctx.NeedsInputGrad(0), ctx.NeedsInputGrad(1)];
            return
            [
                ctx.NeedsInputGrad(0) ? gradOutput * ctx.SavedTensors[1] : null,
                ctx.NeedsInputGrad(1) ? gradOutput * ctx.SavedTensors[0] : null,
            ];
        }
    }

    /// <summary>Keeps the context of its last Apply, to look at it after Backward.</summary>
    private sealed class ContextKeeper : Function
    {
        public FunctionContext? Context { get; private set; }

        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs)
        {
            Context = ctx;
            ctx.SaveForBackward(inputs[0]);
            return inputs[0] * 2;
        }

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [gradOutput * 2];
    }

    /// <summary>A function from delegates; without a backward delegate it has one input and passes g through.</summary>
    private sealed class Lambda(Func<FunctionContext, Tensor[], Tensor> forward,
        Func<FunctionContext, Tensor, Tensor?[]>? backward = null) : Function
    {
        protected override Tensor Forward(FunctionContext ctx, Tensor[] inputs) => forward(ctx, inputs);

        protected override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) =>
            backward is null ? [gradOutput] : backward(ctx, gradOutput);
    }
}
