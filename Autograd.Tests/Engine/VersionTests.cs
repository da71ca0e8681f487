using Autograd.NN;
using Autograd.Optim;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>
/// Saved-tensor versions (API.md, second part): every in-place writer bumps the version, views share it, and a
/// Backward through an op whose saved tensor changed throws, naming the op, before any gradient is written.
/// </summary>
public class VersionTests
{
    private static IEnumerable<TestCaseData> Writers()
    {
        yield return new TestCaseData((Action<Tensor>)(t => t.AddInPlace(Tensor.Ones([2, 2])))).SetArgDisplayNames("AddInPlace");
        yield return new TestCaseData((Action<Tensor>)(t => t.SubInPlace(Tensor.Ones([2]), alpha: 2))).SetArgDisplayNames("SubInPlace");
        yield return new TestCaseData((Action<Tensor>)(t => t.MulInPlace(Tensor.Ones([2, 1])))).SetArgDisplayNames("MulInPlaceTensor");
        yield return new TestCaseData((Action<Tensor>)(t => t.MulInPlace(2.0))).SetArgDisplayNames("MulInPlaceConstant");
        yield return new TestCaseData((Action<Tensor>)(t => t.CopyFrom(Tensor.Ones([2], DType.Float64)))).SetArgDisplayNames("CopyFrom");
        yield return new TestCaseData((Action<Tensor>)(t => t.Fill(3))).SetArgDisplayNames("Fill");
        yield return new TestCaseData((Action<Tensor>)(t => t.Zero())).SetArgDisplayNames("Zero");
        yield return new TestCaseData((Action<Tensor>)(t => Init.Zeros(t))).SetArgDisplayNames("Init.Zeros");
        yield return new TestCaseData((Action<Tensor>)(t => Init.Constant(t, 2))).SetArgDisplayNames("Init.Constant");
        yield return new TestCaseData((Action<Tensor>)(t => Init.Uniform(t, seed: 1))).SetArgDisplayNames("Init.Uniform");
        yield return new TestCaseData((Action<Tensor>)(t => Init.Normal(t, seed: 1))).SetArgDisplayNames("Init.Normal");
        yield return new TestCaseData((Action<Tensor>)(t => Init.KaimingUniform(t, seed: 1))).SetArgDisplayNames("Init.KaimingUniform");
        yield return new TestCaseData((Action<Tensor>)(t => Init.KaimingNormal(t, seed: 1))).SetArgDisplayNames("Init.KaimingNormal");
        yield return new TestCaseData((Action<Tensor>)(t => Init.XavierUniform(t, seed: 1))).SetArgDisplayNames("Init.XavierUniform");
        yield return new TestCaseData((Action<Tensor>)(t => Init.XavierNormal(t, seed: 1))).SetArgDisplayNames("Init.XavierNormal");
    }

    [TestCaseSource(nameof(Writers))]
    public void EveryInPlaceWriter_BumpsTheVersionOnce(Action<Tensor> write)
    {
        Tensor t = Tensor.Zeros([2, 2]);
        Assert.That(t.Version, Is.Zero);
        write(t);
        Assert.That(t.Version, Is.EqualTo(1));
        write(t);
        Assert.That(t.Version, Is.EqualTo(2));
    }

    [TestCaseSource(nameof(Writers))]
    public void EveryInPlaceWriter_WorksOnAParameterInsideNoGrad_AndBumpsItsVersion(Action<Tensor> write)
    {
        Tensor w = Tensor.Zeros([2, 2]);
        w.RequiresGrad = true;
        using (Tape.NoGrad())
        {
            write(w);
        }

        Assert.That(w.Version, Is.EqualTo(1));
        Assert.That(w.IsLeaf && w.RequiresGrad, Is.True);
    }

    [Test]
    public void ARecordedInPlaceOp_BumpsTheVersion()
    {
        Tensor h = Inputs.Of([1, 2], 2) * 2.0;
        int before = h.Version;
        h.AddInPlace(Inputs.Of([1, 1], 2));
        Assert.That(h.Version, Is.EqualTo(before + 1));
    }

    [Test]
    public void ViewsShareTheCounter_DetachAndReshape()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        Tensor detached = x.Detach();
        Tensor reshaped = x.Reshape(6);
        detached.AddInPlace(Tensor.Ones([3]));
        Assert.That((x.Version, detached.Version, reshaped.Version), Is.EqualTo((1, 1, 1)));
        reshaped.Fill(2);
        Assert.That((x.Version, detached.Version, reshaped.Version), Is.EqualTo((2, 2, 2)));
        Assert.That(x.ToArray<double>(), Is.All.EqualTo(2.0));
    }

    [Test]
    public void OptimizerSteps_BumpOnlyTheParametersTheyUpdate()
    {
        foreach (Func<Tensor[], Optimizer> create in new Func<Tensor[], Optimizer>[]
        {
            p => new Sgd(p, 0.1, momentum: 0.9), p => new Adam(p), p => new AdamW(p),
        })
        {
            Tensor used = Inputs.Of([1, 2], 2);
            Tensor unused = Inputs.Of([3], 1);
            Optimizer optimizer = create([used, unused]);
            (used * used).Sum().Backward();
            optimizer.Step();
            Assert.That(used.Version, Is.EqualTo(1), optimizer.GetType().Name);
            Assert.That(unused.Version, Is.Zero, optimizer.GetType().Name);
        }
    }

    [Test]
    public void LoadStateDict_BumpsEveryParameter()
    {
        var model = new Linear(3, 2, seed: 1);
        int weightVersion = model.Weight.Version, biasVersion = model.Bias!.Version;   // Init already wrote them
        model.LoadStateDict(new Linear(3, 2, seed: 2).StateDict());
        Assert.That(model.Weight.Version, Is.EqualTo(weightVersion + 1));
        Assert.That(model.Bias.Version, Is.EqualTo(biasVersion + 1));
    }

    // ---- Backward after a saved tensor changed ----

    [Test]
    public void ExpOutput_ModifiedInPlace_BackwardThrowsNamingExp_AndWritesNoGradient()
    {
        Tensor x = Inputs.Of([0.5, 1], 2);
        Tensor y = x.Exp();                      // Exp saves its output
        y.AddInPlace(Tensor.Ones([2], DType.Float64));
        Assert.That(() => y.Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("Exp").And.Message.Contains("modified in place"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void ExpOutput_ModifiedInsideNoGrad_BackwardThrowsToo()
    {
        Tensor x = Inputs.Of([0.5, 1], 2);
        Tensor y = x.Exp();
        Tensor loss = y.Sum();
        using (Tape.NoGrad())
        {
            y.MulInPlace(2.0);
        }

        Assert.That(() => loss.Backward(), Throws.InvalidOperationException
            .With.Message.Contains("Exp").And.Message.Contains("modified in place"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void NoGradientIsWritten_EvenThroughTheBranchesThatAreStillValid()
    {
        Tensor x = Inputs.Of([0.5, 1], 2);
        Tensor y = x.Exp();
        Tensor loss = (x * 3.0).Sum() + y.Sum();   // x * 3 alone could deliver its gradient
        using (Tape.NoGrad())
        {
            y.Zero();
        }

        Assert.That(() => loss.Backward(), Throws.InvalidOperationException.With.Message.Contains("modified in place"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void MatMulWeight_UpdatedBySgd_TheOldGraphThrows_AndTheGradientsAreUnchanged()
    {
        Tensor x = Inputs.Of([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor w = Inputs.Of([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 3, 2);
        var optimizer = new Sgd([w], lr: 0.1);
        Tensor loss = (x * 2.0).MatMul(w).Sum();   // MatMul saves w for the gradient of its other operand
        loss.Backward(retainGraph: true);
        double[] gradW = GradAssert.GradOf(w);
        double[] gradX = GradAssert.GradOf(x);

        optimizer.Step();
        Assert.That(() => loss.Backward(), Throws.InvalidOperationException
            .With.Message.Contains("MatMul").And.Message.Contains("modified in place"));
        Assert.That(GradAssert.GradOf(w), Is.EqualTo(gradW), "no gradient written");
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(gradX), "no gradient written");

        // A graph built after the step is fine.
        optimizer.ZeroGrad();
        x.ZeroGrad();
        (x * 2.0).MatMul(w).Sum().Backward();
        Assert.That(GradAssert.GradOf(w), Is.EqualTo(gradW));   // linear in w: same gradient
    }

    [Test]
    public void HandWrittenUpdate_OfASavedWeight_TheOldGraphThrows()
    {
        Tensor x = Inputs.Of([1, 2], 1, 2);
        Tensor w = Inputs.Of([3, 4], 2, 1);
        Tensor loss = x.MatMul(w).Sum();
        using (Tape.NoGrad())
        {
            w.SubInPlace(Tensor.Ones([2, 1], DType.Float64), alpha: 0.1);
        }

        Assert.That(() => loss.Backward(), Throws.InvalidOperationException
            .With.Message.Contains("MatMul").And.Message.Contains("modified in place"));
        Assert.That(w.Grad, Is.Null);
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void Init_OnASavedWeight_BackwardThrows_AndWritesNoGradient()
    {
        var layer = new Linear(3, 2, seed: 1, dtype: DType.Float64);
        Tensor x = Inputs.Of([1, 2, 3], 1, 3);
        Tensor loss = layer.Forward(x).Sum();
        Init.Normal(layer.Weight, seed: 5);
        Assert.That(() => loss.Backward(), Throws.InvalidOperationException.With.Message.Contains("modified in place"));
        Assert.That(layer.Weight.Grad, Is.Null);
        Assert.That(layer.Bias!.Grad, Is.Null);
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void LoadStateDict_OnASavedWeight_BackwardThrows_AndWritesNoGradient()
    {
        var model = new Sequential(new Linear(3, 4, seed: 1, dtype: DType.Float64), new ReLU(),
            new Linear(4, 2, seed: 2, dtype: DType.Float64));
        var other = new Sequential(new Linear(3, 4, seed: 3, dtype: DType.Float64), new ReLU(),
            new Linear(4, 2, seed: 4, dtype: DType.Float64));
        Tensor x = Inputs.Of([1, -2, 3], 1, 3);
        Tensor loss = model.Forward(x).Sum();
        model.LoadStateDict(other.StateDict());
        Assert.That(() => loss.Backward(), Throws.InvalidOperationException.With.Message.Contains("modified in place"));
        Assert.That(model.Parameters().Select(p => p.Grad), Is.All.Null);
        Assert.That(x.Grad, Is.Null);

        model.Forward(x).Sum().Backward();   // the new weights work
        Assert.That(model.Parameters().Select(p => p.Grad), Is.All.Not.Null);
    }

    [Test]
    public void ADetachedView_ModifiedInPlace_InvalidatesTheOriginalsSavingOp()
    {
        Tensor x = Inputs.Of([1, 2, 3], 3);
        Tensor z = x * x;                        // Multiply saves x
        x.Detach().MulInPlace(2.0);              // a leaf without grad: allowed anywhere, same storage and counter
        Assert.That(x.Version, Is.EqualTo(1));
        Assert.That(x.ToArray<double>(), Is.EqualTo(new[] { 2.0, 4, 6 }));
        Assert.That(() => z.Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("Multiply").And.Message.Contains("modified in place"));
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void ATensorThatNoOpSaved_CanBeModified_AndBackwardWorks()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor c = Tensor.FromArray(new[] { 10.0, 20 }, 2);
        Tensor z = x + c;                        // Add saves nothing
        c.AddInPlace(Tensor.Ones([2], DType.Float64));
        z.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 1.0, 1 }));
    }

    [Test]
    public void TheSavedCopyOfAMulInPlace_IsNotTheTarget_SoLaterInPlaceOpsOnItAreFine()
    {
        // MulInPlace saves a copy of the old values, not the tensor it writes: further in-place ops on it are allowed.
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = Inputs.Of([3, 4], 2);
        Tensor h = x * 1.0;
        h.MulInPlace(y);
        h.AddInPlace(y);
        h.MulInPlace(3.0);
        h.Sum().Backward();
        Assert.That(GradAssert.GradOf(x), Is.EqualTo(new[] { 9.0, 12 }));   // 3·y
        Assert.That(GradAssert.GradOf(y), Is.EqualTo(new[] { 6.0, 9 }));    // 3·(x + 1)
    }

    [Test]
    public void MulInPlace_ThenTheOperandChanges_BackwardThrowsNamingMulInPlace()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = Inputs.Of([3, 4], 2);
        Tensor h = x * 1.0;
        h.MulInPlace(y);                         // saves y for the gradient of h's old value
        using (Tape.NoGrad())
        {
            y.Fill(0);
        }

        Assert.That(() => h.Sum().Backward(), Throws.InvalidOperationException
            .With.Message.Contains("MulInPlace").And.Message.Contains("modified in place"));
        Assert.That(x.Grad, Is.Null);
        Assert.That(y.Grad, Is.Null);
    }
}
