using System.Diagnostics;
using System.Runtime.CompilerServices;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>Tape.DetectAnomaly and AnomalyException (API.md "Higher-order gradients, hooks, anomalies").</summary>
public class AnomalyTests
{
    private const string ThisFile = "AnomalyTests.cs";

    [TearDown]
    public void NoScopeLeaks() => Assert.That(Tape.IsAnomalyDetectionEnabled, Is.False, "a test left a DetectAnomaly scope open");

    // ---- NaN produced in a forward pass ----

    [Test]
    public void Forward_SqrtOfANegativeNumber_ThrowsNamingTheOpAndTheCallSite()
    {
        Tensor x = Tensor.FromArray(new[] { 4.0, -1 }, 2);
        using (Tape.DetectAnomaly())
        {
            (AnomalyException error, string site) = Throwing(() => x.Sqrt());
            Assert.That(error.OpName, Is.EqualTo("Sqrt"));
            Assert.That(error.InBackward, Is.False);
            Assert.That(error.CallSite, Is.EqualTo(site));
            Assert.That(error.Message, Does.Contain("Sqrt").And.Contain("forward").And.Contain(site));
        }
    }

    [Test]
    public void Forward_ZeroDividedByZero_ThrowsNamingDivide()
    {
        Tensor x = Inputs.Of([1, 0], 2);
        Tensor y = Tensor.FromArray(new[] { 2.0, 0 }, 2);
        using (Tape.DetectAnomaly())
        {
            (AnomalyException error, string site) = Throwing(() => x / y);
            Assert.That(error.OpName, Is.EqualTo("Divide"));
            Assert.That(error.InBackward, Is.False);
            Assert.That(error.CallSite, Is.EqualTo(site));
        }
    }

    [Test]
    public void Forward_InfinityMinusInfinity_ThrowsNamingSubtract()
    {
        Tensor x = Tensor.FromArray(new[] { float.PositiveInfinity, 1 }, 2);
        using (Tape.DetectAnomaly())
        {
            (AnomalyException error, string site) = Throwing(() => x - x);
            Assert.That(error.OpName, Is.EqualTo("Subtract"));
            Assert.That(error.CallSite, Is.EqualTo(site));
        }
    }

    [Test]
    public void Forward_SumOfInfinitiesOfBothSigns_ThrowsNamingSum_TheInputIsNotMistakenForNaN()
    {
        Tensor x = Tensor.FromArray(new[] { double.PositiveInfinity, double.NegativeInfinity }, 2);
        using (Tape.DetectAnomaly())
        {
            Tensor doubled = x * 2.0;   // holds ±inf, no NaN: no anomaly
            (AnomalyException error, _) = Throwing(() => doubled.Sum());
            Assert.That(error.OpName, Is.EqualTo("Sum"));
        }
    }

    [Test]
    public void Forward_IsCheckedWhetherOrNotTheOpRecords()
    {
        Tensor leaf = Inputs.Of([-1], 1);
        Tensor constant = Tensor.FromArray(new[] { -1.0 }, 1);
        using (Tape.DetectAnomaly())
        {
            Assert.That(() => leaf.Sqrt(), Throws.TypeOf<AnomalyException>(), "recorded");
            Assert.That(() => constant.Sqrt(), Throws.TypeOf<AnomalyException>(), "nothing requires a gradient");
            using (Tape.NoGrad())
            {
                Assert.That(() => leaf.Sqrt(), Throws.TypeOf<AnomalyException>(), "under NoGrad");
            }
        }
    }

    [Test]
    public void Forward_InFloat32_Throws()
    {
        Tensor x = Tensor.FromArray(new float[] { 0, 0 }, 2);
        using (Tape.DetectAnomaly())
        {
            (AnomalyException error, string site) = Throwing(() => x / x);
            Assert.That(error.OpName, Is.EqualTo("Divide"));
            Assert.That(error.CallSite, Is.EqualTo(site));
        }
    }

    [Test]
    public void Forward_OfAnOpCalledInsideTheLibrary_CallSiteIsTheUsersLine()
    {
        // Linear is composed from MatMul and Add inside the library: the call site is the user's call of Linear.
        Tensor input = Tensor.FromArray(new[] { double.PositiveInfinity }, 1, 1);
        Tensor weight = Inputs.Of([0], 1, 1);
        using (Tape.DetectAnomaly())
        {
            (AnomalyException error, string site) = Throwing(() => Functional.Linear(input, weight));
            Assert.That(error.CallSite, Is.EqualTo(site));
            Assert.That(error.InBackward, Is.False);
        }
    }

    [Test]
    public void Forward_OpWhoseInputAlreadyHoldsNaN_DoesNotThrow()
    {
        Tensor x = Inputs.Of([double.NaN, 4], 2);
        Tensor y = Tensor.FromArray(new[] { 1.0, 0 }, 2);
        using (Tape.DetectAnomaly())
        {
            Tensor result = ((x.Sqrt() * 2.0) + y).Exp().Sum();
            Assert.That(double.IsNaN(result.Item()), Is.True, "the NaN is propagated, not produced");
            Tensor mixed = y / (x - x);   // NaN in one input: 1/NaN and 0/NaN are propagated NaNs
            Assert.That(mixed.ToArray<double>().All(double.IsNaN), Is.True);
        }
    }

    [Test]
    public void Forward_WithoutNaN_GivesTheSameValuesAndGradientsAsOutsideTheScope()
    {
        double[] Run()
        {
            Tensor x = Inputs.Of([0.5, 1, 2], 3);
            Tensor y = ((x.Sqrt() / (x + 1.0)).Log() * x.Tanh()).Sum();
            y.Backward();
            return [y.Item(), .. GradAssert.GradOf(x)];
        }

        double[] outside = Run();
        double[] inside;
        using (Tape.DetectAnomaly())
        {
            inside = Run();
        }

        Assert.That(inside, Is.EqualTo(outside));
    }

    // ---- NaN produced by a VJP ----

    [Test]
    public void Backward_VjpProducingNaNFromANaNFreeGradient_ThrowsNamingTheOpAndWhereItWasRecorded()
    {
        // √x at 0 is 0 and √x·0 is 0 (no NaN forward); its VJP is g / (2√x) = 0/0 = NaN.
        Tensor x = Inputs.Of([0, 1], 2);
        using (Tape.DetectAnomaly())
        {
            Tensor root = AtThisLine(x.Sqrt(), out string site);
            Tensor y = (root * 0.0).Sum();
            var error = Assert.Throws<AnomalyException>(() => y.Backward())!;
            Assert.That(error.OpName, Is.EqualTo("Sqrt"));
            Assert.That(error.InBackward, Is.True);
            Assert.That(error.CallSite, Is.EqualTo(site));
            Assert.That(error.Message, Does.Contain("Sqrt").And.Contain("backward").And.Contain(site));
        }

        Assert.That(x.Grad, Is.Null, "the NaN never reached the leaf");
    }

    [Test]
    public void Backward_VjpProducingNaN_WhenItsIncomingGradientIsShared_Throws()
    {
        // The same graph as above with a hook on √x's output: the engine then cannot reuse the incoming gradient's
        // buffer for √x's VJP result.
        Tensor x = Inputs.Of([0, 1], 2);
        using (Tape.DetectAnomaly())
        {
            Tensor root = AtThisLine(x.Sqrt(), out string site);
            root.RegisterHook(_ => null);
            Tensor y = (root * 0.0).Sum();
            var error = Assert.Throws<AnomalyException>(() => y.Backward())!;
            Assert.That(error.OpName, Is.EqualTo("Sqrt"));
            Assert.That(error.InBackward, Is.True);
            Assert.That(error.CallSite, Is.EqualTo(site));
        }
    }

    [Test]
    public void Backward_NaNInAVjpThatIsItselfMadeOfOps_IsReportedAsThatOpsBackward()
    {
        // (a·b) = 0, √0 = 0: no NaN forward. √'s VJP gives 1/0 = inf (not NaN); MatMul's VJP then gives
        // da = inf · bᵀ = inf · 0 = NaN. MatMul's VJP is computed by a product: still MatMul's backward, recorded at
        // the line of a.MatMul(b), not a forward MatMul called from the line of Backward.
        Tensor a = Inputs.Of([1], 1, 1);
        Tensor b = Inputs.Of([0], 1, 1);
        using (Tape.DetectAnomaly())
        {
            Tensor product = AtThisLine(a.MatMul(b), out string site);
            Tensor y = product.Sqrt().Sum();
            var error = Assert.Throws<AnomalyException>(() => y.Backward())!;
            Assert.That(error.OpName, Is.EqualTo("MatMul"));
            Assert.That(error.InBackward, Is.True);
            Assert.That(error.CallSite, Is.EqualTo(site));
        }
    }

    [Test]
    public void Backward_VjpProducingNaN_InFloat32_Throws()
    {
        Tensor x = Tensor.FromArray(new float[] { 0 }, 1);
        x.RequiresGrad = true;
        using (Tape.DetectAnomaly())
        {
            Tensor y = (AtThisLine(x.Sqrt(), out string site) * 0.0).Sum();
            var error = Assert.Throws<AnomalyException>(() => y.Backward())!;
            Assert.That(error.OpName, Is.EqualTo("Sqrt"));
            Assert.That(error.CallSite, Is.EqualTo(site));
        }
    }

    [Test]
    public void Backward_WithTapeGrad_AlsoThrows()
    {
        Tensor x = Inputs.Of([0], 1);
        using (Tape.DetectAnomaly())
        {
            Tensor y = (AtThisLine(x.Sqrt(), out string site) * 0.0).Sum();
            var error = Assert.Throws<AnomalyException>(() => Tape.Grad(y, [x]))!;
            Assert.That(error.OpName, Is.EqualTo("Sqrt"));
            Assert.That(error.InBackward, Is.True);
            Assert.That(error.CallSite, Is.EqualTo(site));
        }
    }

    [Test]
    public void Backward_WithCreateGraph_VjpProducingNaN_StillNamesTheOpAndTheBackwardPass()
    {
        // With createGraph the VJP is made of recorded ops (√x's is g / (2√x), a Divide): the anomaly is still √x's
        // backward, recorded at the line of x.Sqrt(), not a forward Divide called from the Backward line.
        Tensor x = Inputs.Of([0], 1);
        using (Tape.DetectAnomaly())
        {
            Tensor y = (AtThisLine(x.Sqrt(), out string site) * 0.0).Sum();
            var error = Assert.Throws<AnomalyException>(() => y.Backward(createGraph: true))!;
            Assert.That(error.OpName, Is.EqualTo("Sqrt"));
            Assert.That(error.InBackward, Is.True);
            Assert.That(error.CallSite, Is.EqualTo(site));
        }
    }

    [Test]
    public void Backward_NaNAlreadyInTheIncomingGradient_DoesNotThrow()
    {
        Tensor x = Inputs.Of([1, 4], 2);
        using (Tape.DetectAnomaly())
        {
            Tensor y = x.Sqrt() * 2.0;
            y.Backward(Tensor.FromArray(new[] { double.NaN, 1 }, 2));
        }

        double[] grad = GradAssert.GradOf(x);
        Assert.That(double.IsNaN(grad[0]), Is.True);
        Assert.That(grad[1], Is.EqualTo(0.5));
    }

    [Test]
    public void Backward_OfAGraphRecordedOutsideTheScope_IsStillChecked()
    {
        Tensor x = Inputs.Of([0], 1);
        Tensor y = (x.Sqrt() * 0.0).Sum();
        using (Tape.DetectAnomaly())
        {
            var error = Assert.Throws<AnomalyException>(() => y.Backward())!;
            Assert.That(error.OpName, Is.EqualTo("Sqrt"));
            Assert.That(error.InBackward, Is.True);
        }
    }

    [Test]
    public void OutsideTheScope_NothingThrows_TheNaNSimplyAppears()
    {
        Tensor x = Inputs.Of([0, -1], 2);
        Tensor root = x.Sqrt();
        Assert.That(double.IsNaN(root.ToArray<double>()[1]), Is.True);
        Tensor y = (root * 0.0).Sum();
        y.Backward();
        Assert.That(GradAssert.GradOf(x).All(double.IsNaN), Is.True);
        Assert.That(double.IsNaN((Tensor.FromArray(new[] { 0.0 }, 1) / Tensor.FromArray(new[] { 0.0 }, 1)).Item()), Is.True);
    }

    [Test]
    public void Backward_OfAGraphRecordedInsideTheScope_RunAfterIt_DoesNotThrow()
    {
        Tensor x = Inputs.Of([0], 1);
        Tensor y;
        using (Tape.DetectAnomaly())
        {
            y = (x.Sqrt() * 0.0).Sum();
        }

        y.Backward();
        Assert.That(double.IsNaN(GradAssert.GradOf(x)[0]), Is.True);
    }

    [Test]
    public void AfterAnAnomaly_InBackward_TheEngineRecovers()
    {
        Tensor x = Inputs.Of([0], 1);
        using (Tape.DetectAnomaly())
        {
            Tensor root = x.Sqrt();
            root.RegisterHook(_ => null);   // see Backward_VjpProducingNaN_WhenItsIncomingGradientIsShared_Throws
            Tensor y = (root * 0.0).Sum();
            Assert.That(() => y.Backward(), Throws.TypeOf<AnomalyException>());
            Assert.That(Tape.IsGradEnabled, Is.True, "recording is restored after the failed pass");
            Tensor z = Inputs.Of([1, 2], 2);
            (z * z).Sum().Backward();
            Assert.That(GradAssert.GradOf(z), Is.EqualTo(new[] { 2.0, 4 }));
        }
    }

    // ---- the scope ----

    [Test]
    public void DetectAnomaly_IsOffByDefault_OnInsideTheScope_AndDoesNotAffectRecording()
    {
        Assert.That(Tape.IsAnomalyDetectionEnabled, Is.False);
        Tensor x = Inputs.Of([1], 1);
        using (Tape.DetectAnomaly())
        {
            Assert.That(Tape.IsAnomalyDetectionEnabled, Is.True);
            Assert.That(Tape.IsGradEnabled, Is.True);
            Assert.That((x * 2.0).RequiresGrad, Is.True);
        }

        Assert.That(Tape.IsAnomalyDetectionEnabled, Is.False);
        Assert.That(() => Tensor.FromArray(new[] { -1.0 }, 1).Sqrt(), Throws.Nothing);
    }

    [Test]
    public void DetectAnomaly_ScopesNest_AndDisposingRestoresThePreviousState()
    {
        Tensor negative = Tensor.FromArray(new[] { -1.0 }, 1);
        IDisposable outer = Tape.DetectAnomaly();
        IDisposable inner = Tape.DetectAnomaly();
        inner.Dispose();
        Assert.That(Tape.IsAnomalyDetectionEnabled, Is.True, "the outer scope still holds");
        Assert.That(() => negative.Sqrt(), Throws.TypeOf<AnomalyException>());
        inner.Dispose();   // disposing twice is harmless: it does not end the outer scope
        Assert.That(Tape.IsAnomalyDetectionEnabled, Is.True);
        outer.Dispose();
        Assert.That(Tape.IsAnomalyDetectionEnabled, Is.False);
        Assert.That(() => negative.Sqrt(), Throws.Nothing);
        outer.Dispose();
        Assert.That(Tape.IsAnomalyDetectionEnabled, Is.False);
    }

    [Test]
    public void DetectAnomaly_AndNoGrad_AreIndependentScopes()
    {
        Tensor x = Inputs.Of([1], 1);
        IDisposable anomaly = Tape.DetectAnomaly();
        IDisposable noGrad = Tape.NoGrad();
        anomaly.Dispose();
        Assert.That(Tape.IsGradEnabled, Is.False, "ending anomaly detection does not end NoGrad");
        Assert.That(Tape.IsAnomalyDetectionEnabled, Is.False);
        noGrad.Dispose();
        Assert.That(Tape.IsGradEnabled, Is.True);
        Assert.That((x * 2.0).RequiresGrad, Is.True);
    }

    [Test]
    public void DetectAnomaly_ScopeExitedByAnException_IsRestored()
    {
        Assert.That(() =>
        {
            using (Tape.DetectAnomaly())
            {
                _ = Tensor.FromArray(new[] { -1.0 }, 1).Sqrt();
            }
        }, Throws.TypeOf<AnomalyException>());
        Assert.That(Tape.IsAnomalyDetectionEnabled, Is.False);
    }

    [Test]
    public void DetectAnomaly_OnlyAffectsItsOwnThread()
    {
        Tensor negative = Tensor.FromArray(new[] { -1.0 }, 1);
        bool otherThreadEnabled = true;
        Exception? otherThreadError = null;
        using (Tape.DetectAnomaly())
        {
            var thread = new Thread(() =>
            {
                otherThreadEnabled = Tape.IsAnomalyDetectionEnabled;
                try
                {
                    _ = negative.Sqrt();
                }
                catch (Exception e)
                {
                    otherThreadError = e;
                }
            });
            thread.Start();
            thread.Join();
            Assert.That(() => negative.Sqrt(), Throws.TypeOf<AnomalyException>(), "this thread still detects");
        }

        Assert.That(otherThreadEnabled, Is.False);
        Assert.That(otherThreadError, Is.Null);
    }

    [Test]
    public void DetectAnomaly_OpenedOnAnotherThread_DoesNotAffectThisOne()
    {
        Tensor negative = Tensor.FromArray(new[] { -1.0 }, 1);
        using var opened = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        bool otherThreadThrew = false;
        var thread = new Thread(() =>
        {
            using (Tape.DetectAnomaly())
            {
                opened.Set();
                release.Wait();
                try
                {
                    _ = negative.Sqrt();
                }
                catch (AnomalyException)
                {
                    otherThreadThrew = true;
                }
            }
        });
        thread.Start();
        opened.Wait();
        try
        {
            Assert.That(Tape.IsAnomalyDetectionEnabled, Is.False);
            Assert.That(() => negative.Sqrt(), Throws.Nothing);
        }
        finally
        {
            release.Set();
            thread.Join();
        }

        Assert.That(otherThreadThrew, Is.True);
    }

    [Test]
    public void DetectAnomaly_DisposedOnAnotherThread_Throws()
    {
        IDisposable scope = Tape.DetectAnomaly();
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                scope.Dispose();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        Assert.That(Tape.IsAnomalyDetectionEnabled, Is.True);
        scope.Dispose();
        Assert.That(error, Is.InstanceOf<InvalidOperationException>());
    }

    // ---- helpers: the expected "File.cs:line" of a call, computed from the line that makes it ----

    /// <summary>Runs <paramref name="op"/> (written on the caller's line), which must throw an AnomalyException.</summary>
    private static (AnomalyException Error, string Site) Throwing(Func<Tensor> op, [CallerLineNumber] int line = 0)
    {
        try
        {
            Tensor result = op();
            Assert.Fail($"expected an AnomalyException; got {result}");
        }
        catch (AnomalyException error)
        {
            return (error, $"{ThisFile}:{line}");
        }

        throw new UnreachableException();
    }

    /// <summary>Returns <paramref name="tensor"/>, computed on the caller's line, with that line as "AnomalyTests.cs:NN".</summary>
    private static Tensor AtThisLine(Tensor tensor, out string site, [CallerLineNumber] int line = 0)
    {
        site = $"{ThisFile}:{line}";
        return tensor;
    }
}
