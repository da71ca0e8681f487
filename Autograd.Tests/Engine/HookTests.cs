using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>Tensor.RegisterHook (API.md "Higher-order gradients, hooks, anomalies"), with PyTorch's semantics.</summary>
public class HookTests
{
    // ---- what a hook sees ----

    [Test]
    public void RegisterHook_OnLeaf_SeesTheGradientWithRespectToIt()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        var seen = new List<double[]>();
        x.RegisterHook(g => Record(seen, g));
        (x * x).Sum().Backward();
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0], Is.EqualTo(new[] { 2.0, 4, 6 }));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 2.0, 4, 6 }));
    }

    [Test]
    public void RegisterHook_OnLeaf_SeesTheSummedGradientOnce()
    {
        // x is used by three ops (and twice by one of them): the hook sees the total, once.
        Tensor x = Inputs.Of([1, 2, 3], 3);
        var seen = new List<double[]>();
        x.RegisterHook(g => Record(seen, g));
        ((x * x).Sum() + (x * 5.0).Sum() + x.Exp().Sum()).Backward();
        Assert.That(seen, Has.Count.EqualTo(1));
        double[] expected = new[] { 1.0, 2, 3 }.Select(v => (2 * v) + 5 + Math.Exp(v)).ToArray();
        GradAssert.AssertClose(seen[0], expected, 1e-12, 0, "hook");
        GradAssert.AssertClose(GradAssert.GradOf(x), expected, 1e-12, 0, "Grad");
    }

    [Test]
    public void RegisterHook_OnIntermediate_SeesTheSummedGradientOnce()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor h = x * 2.0;
        var seen = new List<double[]>();
        h.RegisterHook(g => Record(seen, g));
        ((h * h).Sum() + h.Sum()).Backward();   // d/dh = 2h + 1
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0], Is.EqualTo(new[] { 5.0, 9, 13 }));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 10.0, 18, 26 }));
    }

    [Test]
    public void RegisterHook_OnTheOutput_SeesTheSeed()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = (x * 3.0).Sum();
        var seen = new List<double[]>();
        y.RegisterHook(g => Record(seen, g));
        y.Backward(Tensor.Scalar(0.5, DType.Float64));
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0], Is.EqualTo(new[] { 0.5 }));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 1.5, 1.5 }));
    }

    [Test]
    public void RegisterHook_OnALeafThatIsTheOutput_SeesTheCallersGradient()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        var seen = new List<double[]>();
        x.RegisterHook(g => Record(seen, g));
        x.Backward(Tensor.FromArray(new[] { 3.0, 4 }, 2));
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0], Is.EqualTo(new[] { 3.0, 4 }));
    }

    [Test]
    public void RegisterHook_OnLeaf_RunsBeforeAccumulation_SeeingOnlyThisPassesGradient()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        (x * 10.0).Sum().Backward();
        var seen = new List<double[]>();
        x.RegisterHook(g => Record(seen, g));
        (x * 3.0).Sum().Backward();
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0], Is.EqualTo(new[] { 3.0, 3 }), "not the accumulated 13");
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 13.0, 13 }));
    }

    [Test]
    public void RegisterHook_IsCalledOncePerBackward()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 2.0;
        Tensor y = (h * h).Sum();
        int leafCalls = 0, intermediateCalls = 0;
        x.RegisterHook(_ =>
        {
            leafCalls++;
            return null;
        });
        h.RegisterHook(_ =>
        {
            intermediateCalls++;
            return null;
        });
        y.Backward(retainGraph: true);
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.That(leafCalls, Is.EqualTo(3));
        Assert.That(intermediateCalls, Is.EqualTo(3));
    }

    [Test]
    public void RegisterHook_OnATensorOffThePath_IsNotCalled()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor unused = Inputs.Of([1, 2], 2);
        Tensor sideBranch = x * 4.0;
        int calls = 0;
        unused.RegisterHook(_ =>
        {
            calls++;
            return null;
        });
        sideBranch.RegisterHook(_ =>
        {
            calls++;
            return null;
        });
        (x * 2.0).Sum().Backward();
        Assert.That(calls, Is.Zero);
    }

    // ---- replacing the gradient ----

    [Test]
    public void RegisterHook_OnLeaf_ReturningATensor_ReplacesTheGradient()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        x.RegisterHook(g => g * 2.0);
        (x * x).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 4.0, 8, 12 }));
    }

    [Test]
    public void RegisterHook_OnIntermediate_ReturningATensor_IsWhatUpstreamLeavesSee()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor w = Inputs.Of([4, 5, 6], 3);
        Tensor h = x * w;
        h.RegisterHook(g => g * 2.0);
        (h * 3.0).Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 24.0, 30, 36 }), "2·3·w");
        Assert.That(GradAssert.GradOf(w), Is.EqualTo(new[] { 6.0, 12, 18 }), "2·3·x");
    }

    [Test]
    public void RegisterHook_ReturningNull_KeepsTheGradient()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 3.0;
        h.RegisterHook(_ => null);
        x.RegisterHook(_ => null);
        h.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 3.0, 3 }));
    }

    [Test]
    public void RegisterHook_ReturningTheWrongShape_ThrowsInvalidOperationException()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        x.RegisterHook(_ => Tensor.Zeros([2], DType.Float64));
        Assert.That(() => (x * 2.0).Sum().Backward(), Throws.InvalidOperationException.With.Message.Contains("[2]").And.Message.Contains("[3]"));
        Assert.That(x.Grad, Is.Null);

        Tensor z = Inputs.Of([1, 2, 3], 3);
        Tensor h = z * 2.0;
        h.RegisterHook(_ => Tensor.Zeros([3, 1], DType.Float64));
        Assert.That(() => h.Sum().Backward(), Throws.InvalidOperationException.With.Message.Contains("[3, 1]").Or.Message.Contains("[3,1]"));
        Assert.That(z.Grad, Is.Null);
    }

    [Test]
    public void RegisterHook_ReturningTheWrongDType_ThrowsInvalidOperationException()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        x.RegisterHook(g => g.To(DType.Float32));
        Assert.That(() => (x * 2.0).Sum().Backward(), Throws.InvalidOperationException.With.Message.Contains("Float32"));
    }

    [Test]
    public void RegisterHook_ReturningATensorTheCallerKeeps_ThatTensorIsNeverWrittenInto()
    {
        Tensor replacement = Tensor.FromArray(new[] { 7.0, 8 }, 2);
        Tensor x = Inputs.Of([1, 2], 2);
        x.RegisterHook(_ => replacement);
        Tensor y = (x * x).Sum();
        y.Backward(retainGraph: true);
        y.Backward(retainGraph: true);   // accumulates into Grad
        Tensor h = x * 1.0;
        h.RegisterHook(_ => replacement);
        (h + h).Sum().Backward();
        Assert.That(replacement.ToArray<double>(), Is.EqualTo(new[] { 7.0, 8 }));
        Assert.That(x.Grad!.SharesStorageWith(replacement), Is.False);
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 21.0, 24 }));
    }

    [Test]
    public void RegisterHook_ThatThrows_PropagatesTheException_AndTheEngineRecovers()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        x.RegisterHook(_ => throw new InvalidTimeZoneException("from the hook"));
        Assert.That(() => (x * 2.0).Sum().Backward(), Throws.TypeOf<InvalidTimeZoneException>());
        Assert.That(Tape.IsGradEnabled, Is.True);
        Tensor z = Inputs.Of([1, 2], 2);
        (z * z).Sum().Backward();
        Assert.That(GradAssert.GradOf(z), Is.EqualTo(new[] { 2.0, 4 }));
    }

    // ---- order and removal ----

    [Test]
    public void RegisterHook_SeveralHooks_RunInRegistrationOrder_EachSeeingThePreviousResult()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        var order = new List<string>();
        var seen = new List<double[]>();
        x.RegisterHook(g =>
        {
            order.Add("first");
            Record(seen, g);
            return g * 2.0;
        });
        x.RegisterHook(g =>
        {
            order.Add("second");
            Record(seen, g);
            return g + 1.0;
        });
        x.RegisterHook(g =>
        {
            order.Add("third");
            Record(seen, g);
            return null;
        });
        (x * 3.0).Sum().Backward();
        Assert.That(order, Is.EqualTo(new[] { "first", "second", "third" }));
        Assert.That(seen[0], Is.EqualTo(new[] { 3.0, 3 }));
        Assert.That(seen[1], Is.EqualTo(new[] { 6.0, 6 }));
        Assert.That(seen[2], Is.EqualTo(new[] { 7.0, 7 }));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 7.0, 7 }));
    }

    [Test]
    public void RegisterHook_OnIntermediate_SeveralHooks_RunInRegistrationOrder()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 3.0;
        var order = new List<int>();
        for (int i = 0; i < 4; i++)
        {
            int index = i;
            h.RegisterHook(g =>
            {
                order.Add(index);
                return g + 1.0;
            });
        }

        h.Sum().Backward();
        Assert.That(order, Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 15.0, 15 }), "(1 + 4)·3");
    }

    [Test]
    public void Dispose_RemovesTheHook_AndDisposingTwiceIsHarmless()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        int calls = 0;
        IDisposable handle = x.RegisterHook(g =>
        {
            calls++;
            return g * 2.0;
        });
        (x * 1.0).Sum().Backward();
        handle.Dispose();
        handle.Dispose();
        x.ZeroGrad();
        (x * 1.0).Sum().Backward();
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 1.0, 1 }));
    }

    [Test]
    public void Dispose_OnIntermediate_RemovesTheHook()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 1.0;
        Tensor y = h.Sum();
        int calls = 0;
        IDisposable handle = h.RegisterHook(g =>
        {
            calls++;
            return g * 2.0;
        });
        y.Backward(retainGraph: true);
        handle.Dispose();
        handle.Dispose();
        y.Backward();
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 3.0, 3 }), "2 from the first pass, 1 from the second");
    }

    [Test]
    public void Dispose_RemovesOnlyItsOwnHook_EvenWhenTheSameDelegateIsRegisteredTwice()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        int calls = 0;
        Func<Tensor, Tensor?> hook = _ =>
        {
            calls++;
            return null;
        };
        IDisposable first = x.RegisterHook(hook);
        IDisposable second = x.RegisterHook(hook);
        (x * 1.0).Sum().Backward();
        Assert.That(calls, Is.EqualTo(2));
        first.Dispose();
        first.Dispose();   // must not remove the second registration
        (x * 1.0).Sum().Backward();
        Assert.That(calls, Is.EqualTo(3));
        second.Dispose();
        (x * 1.0).Sum().Backward();
        Assert.That(calls, Is.EqualTo(3));
    }

    [Test]
    public void Dispose_FromInsideTheHook_TakesEffectFromTheNextPass()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        int calls = 0;
        IDisposable? handle = null;
        handle = x.RegisterHook(_ =>
        {
            calls++;
            handle!.Dispose();
            return null;
        });
        (x * 1.0).Sum().Backward();
        (x * 1.0).Sum().Backward();
        Assert.That(calls, Is.EqualTo(1));
    }

    // ---- where a hook can be registered ----

    [Test]
    public void RegisterHook_OnATensorThatDoesNotRequireGrad_ThrowsInvalidOperationException()
    {
        Tensor constant = Tensor.FromArray(new[] { 1.0, 2 }, 2);
        Assert.That(() => constant.RegisterHook(_ => null), Throws.InvalidOperationException.With.Message.Contains("does not require"));
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor detached = (x * 2.0).Detach();
        Assert.That(() => detached.RegisterHook(_ => null), Throws.InvalidOperationException);
        Tensor underNoGrad;
        using (Tape.NoGrad())
        {
            underNoGrad = x * 2.0;
        }

        Assert.That(() => underNoGrad.RegisterHook(_ => null), Throws.InvalidOperationException);
    }

    [Test]
    public void RegisterHook_Null_ThrowsArgumentNullException()
    {
        Tensor x = Inputs.Of([1], 1);
        Assert.That(() => x.RegisterHook(null!), Throws.ArgumentNullException);
    }

    // ---- with createGraph and Tape.Grad ----

    [Test]
    public void RegisterHook_WithCreateGraph_SeesADifferentiableGradient_AndItsReplacementIsRecorded()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        var seen = new List<Tensor>();
        IDisposable handle = x.RegisterHook(g =>
        {
            seen.Add(g);
            return g * 2.0;
        });
        (x * x * x).Sum().Backward(createGraph: true);
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0].RequiresGrad, Is.True, "the gradient carries a graph");
        Assert.That(seen[0].ToArray<double>(), Is.EqualTo(new[] { 3.0, 12, 27 }));
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 6.0, 24, 54 }));
        Assert.That(x.Grad!.RequiresGrad, Is.True);
        handle.Dispose();
        Tensor second = Tape.Grad(x.Grad.Sum(), [x])[0]!;   // d(2·3x²)/dx = 12x
        Assert.That(second.ToArray<double>(), Is.EqualTo(new[] { 12.0, 24, 36 }));
    }

    [Test]
    public void RegisterHook_OnIntermediate_WithCreateGraph_ReplacementFlowsUpstream()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * x;
        h.RegisterHook(g => g * 3.0);
        h.Exp().Sum().Backward(createGraph: true);
        double[] expected = [3 * 2 * Math.Exp(1), 3 * 4 * Math.Exp(4)];
        GradAssert.AssertClose(GradAssert.GradOf(x), expected, 1e-12, 0, "dx");
        Assert.That(x.Grad!.RequiresGrad, Is.True);
    }

    [Test]
    public void RegisterHook_OnLeaf_WorksWithTapeGrad_AndTheReplacementIsReturned()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        int calls = 0;
        x.RegisterHook(g =>
        {
            calls++;
            return g * 2.0;
        });
        Tensor?[] grads = Tape.Grad(((x * x) + x).Sum(), [x]);
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new[] { 6.0, 10 }), "2·(2x + 1)");
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void RegisterHook_OnIntermediate_WorksWithTapeGrad()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 3.0;
        var seen = new List<double[]>();
        h.RegisterHook(g =>
        {
            Record(seen, g);
            return g * 2.0;
        });
        Tensor?[] grads = Tape.Grad((h * h).Sum(), [x]);
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0], Is.EqualTo(new[] { 6.0, 12 }), "2h");
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new[] { 36.0, 72 }), "2·2h·3");
    }

    [Test]
    public void RegisterHook_OnLeafThatIsNotAnInputOfTapeGrad_IsNotCalled()
    {
        // torch.autograd.grad runs only the part of the graph that leads to its inputs: a leaf that is not asked
        // for accumulates nothing, and its hooks do not fire.
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor w = Inputs.Of([3, 4], 2);
        int calls = 0;
        w.RegisterHook(_ =>
        {
            calls++;
            return null;
        });
        Tape.Grad((x * w).Sum(), [x]);
        Assert.That(calls, Is.Zero);
        Assert.That(w.Grad, Is.Null);
    }

    [Test]
    public void RegisterHook_UpstreamOfAnIntermediateInputOfTapeGrad_IsNotCalled()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor h = x * 3.0;
        int calls = 0;
        x.RegisterHook(_ =>
        {
            calls++;
            return null;
        });
        Tensor?[] grads = Tape.Grad((h * h).Sum(), [h]);
        Assert.That(grads[0]!.ToArray<double>(), Is.EqualTo(new[] { 6.0, 12 }));
        Assert.That(calls, Is.Zero, "the graph below h is not needed for d/dh");
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void RegisterHook_ThatRunsAnotherBackward_BothPassesComplete()
    {
        // Reentrant backward, as PyTorch: a hook runs with recording off (unless the pass creates a graph), so the
        // other graph is built before; the hook only differentiates it.
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor other = Inputs.Of([5, 6], 2);
        Tensor otherLoss = (other * other).Sum();
        x.RegisterHook(g =>
        {
            otherLoss.Backward();
            return null;
        });
        Tensor h = x.Exp();
        (h * 2.0).Sum().Backward();
        GradAssert.AssertClose(GradAssert.GradOf(x), [2 * Math.Exp(1), 2 * Math.Exp(2)], 1e-12, 0, "dx");
        Assert.That(GradAssert.GradOf(other), Is.EqualTo(new[] { 10.0, 12 }));
    }

    [Test]
    public void RegisterHook_RunsWithRecordingOff_InAPlainBackward_AndOn_WithCreateGraph()
    {
        // As PyTorch: the backward pass records exactly when it creates a graph, hooks included.
        Tensor x = Inputs.Of([1, 2], 2);
        var recording = new List<bool>();
        x.RegisterHook(g =>
        {
            recording.Add(Tape.IsGradEnabled);
            return null;
        });
        (x * x).Sum().Backward();
        (x * x).Sum().Backward(createGraph: true);
        Assert.That(recording, Is.EqualTo(new[] { false, true }));
        Assert.That(Tape.IsGradEnabled, Is.True);
    }

    // ---- a hook that keeps the gradient it saw ----

    [TestCase(DType.Float32, 3)]
    [TestCase(DType.Float32, 4096)]
    [TestCase(DType.Float64, 3)]
    [TestCase(DType.Float64, 4096)]
    public void RegisterHook_KeepingTheGradientItReceives_KeepsCorrectValuesAfterBackward(DType dtype, int size)
    {
        // Every hooked tensor's gradient would otherwise be overwritten in place by the next VJP (Exp and ×2 may reuse
        // their incoming buffer) or returned to the buffer pool (4096 elements is above the pool's threshold) and
        // handed out again to a later op.
        Tensor x = Tensor.Rand([size], seed: 11, low: -1, high: 1, dtype: dtype);
        x.RequiresGrad = true;
        var kept = new List<(string Name, Tensor Gradient, double[] Snapshot)>();
        Func<Tensor, Tensor?> Keep(string name) => g =>
        {
            kept.Add((name, g, g.ToArray<double>()));
            return null;
        };

        IDisposable onX = x.RegisterHook(Keep("x"));
        Tensor h = x * 2.0;
        h.RegisterHook(Keep("h"));
        Tensor e = h.Exp();
        e.RegisterHook(Keep("e"));
        Tensor s = e * 0.5;
        s.RegisterHook(Keep("s"));
        Tensor y = s.Sum();
        y.Backward();

        OwnershipTests.ChurnThePool(size, dtype);
        onX.Dispose();
        Tensor y2 = ((x * 2.0).Exp() * 0.5).Sum();   // the same chain without hooks: its buffers are all reusable
        y2.Backward();
        OwnershipTests.ChurnThePool(size, dtype);

        Assert.That(kept.Select(k => k.Name), Is.EqualTo(new[] { "s", "e", "h", "x" }));
        foreach ((string name, Tensor gradient, double[] snapshot) in kept)
        {
            Assert.That(gradient.ToArray<double>(), Is.EqualTo(snapshot), $"the gradient of {name} changed after its hook saw it");
        }

        double[] xs = x.ToArray<double>();
        double tolerance = dtype == DType.Float32 ? 1e-5 : 1e-12;
        GradAssert.AssertClose(kept[3].Snapshot, xs.Select(v => Math.Exp(2 * v)).ToArray(), tolerance, 0, "dy/dx");
        GradAssert.AssertClose(GradAssert.GradOf(x), xs.Select(v => 2 * Math.Exp(2 * v)).ToArray(), tolerance, 0, "x.Grad after two passes");
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void RegisterHook_KeepingTheGradient_WithFanOut_KeepsCorrectValuesAfterBackward(DType dtype)
    {
        const int Size = 2048;
        Tensor x = Tensor.Rand([Size], seed: 12, low: -1, high: 1, dtype: dtype);
        x.RequiresGrad = true;
        var kept = new List<(Tensor Gradient, double[] Snapshot)>();
        Tensor? Keep(Tensor g)
        {
            kept.Add((g, g.ToArray<double>()));
            return null;
        }

        Tensor h = x.Exp();
        h.RegisterHook(Keep);
        x.RegisterHook(Keep);
        Tensor y = ((h * 3.0) + h.Tanh() + (h * x)).Sum();
        y.Backward(retainGraph: true);
        y.Backward(retainGraph: true);
        OwnershipTests.ChurnThePool(Size, dtype);
        Assert.That(kept, Has.Count.EqualTo(4));
        foreach ((Tensor gradient, double[] snapshot) in kept)
        {
            Assert.That(gradient.ToArray<double>(), Is.EqualTo(snapshot));
        }

        Assert.That(kept[2].Snapshot, Is.EqualTo(kept[0].Snapshot), "the second pass sees the same gradient of h");
        Assert.That(kept[3].Snapshot, Is.EqualTo(kept[1].Snapshot), "the second pass sees the same gradient of x");
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(kept[1].Snapshot.Select(v => 2 * v).ToArray()).Within(1e-5).Percent);
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void RegisterHook_KeepingTheGradient_ThroughViewsAndAdds_KeepsCorrectValuesAfterBackward(DType dtype)
    {
        // Reshape and Add pass their incoming gradient on as a view: a kept gradient must not be written through one.
        const int Size = 2048;
        Tensor x = Tensor.Rand([Size], seed: 14, low: -1, high: 1, dtype: dtype);
        Tensor c = Tensor.Rand([Size / 2, 2], seed: 15, dtype: dtype);
        x.RequiresGrad = true;
        var kept = new List<(Tensor Gradient, double[] Snapshot)>();
        Tensor? Keep(Tensor g)
        {
            kept.Add((g, g.ToArray<double>()));
            return null;
        }

        Tensor h = x * 2.0;
        h.RegisterHook(Keep);
        Tensor r = h.Reshape(Size / 2, 2);
        r.RegisterHook(Keep);
        Tensor s = r + c;
        s.RegisterHook(Keep);
        Tensor e = s.Exp();
        e.RegisterHook(Keep);
        (e * 3.0).Sum().Backward();
        ((x * 2.0).Reshape(Size / 2, 2) + c).Exp().Sum().Backward();
        OwnershipTests.ChurnThePool(Size, dtype);
        Assert.That(kept, Has.Count.EqualTo(4));
        foreach ((Tensor gradient, double[] snapshot) in kept)
        {
            Assert.That(gradient.ToArray<double>(), Is.EqualTo(snapshot));
        }
    }

    [Test]
    public void RegisterHook_KeepingTheGradient_WithTapeGrad_KeepsCorrectValues()
    {
        const int Size = 2048;
        Tensor x = Tensor.Rand([Size], seed: 13, dtype: DType.Float64);
        x.RequiresGrad = true;
        Tensor h = x * 2.0;
        Tensor? keptGradient = null;
        double[]? snapshot = null;
        h.RegisterHook(g =>
        {
            keptGradient = g;
            snapshot = g.ToArray<double>();
            return null;
        });
        Tensor result = Tape.Grad(h.Exp().Sum(), [x])[0]!;
        OwnershipTests.ChurnThePool(Size, DType.Float64);
        Assert.That(keptGradient!.ToArray<double>(), Is.EqualTo(snapshot));
        Assert.That(result.ToArray<double>(), Is.EqualTo(snapshot!.Select(v => 2 * v).ToArray()));
    }

    private static Tensor? Record(List<double[]> seen, Tensor gradient)
    {
        seen.Add(gradient.ToArray<double>());
        return null;
    }
}
