namespace Autograd.Tests.Engine;

/// <summary>BackwardPass.QueueCallback (PyTorch's queue_callback): work a hook starts, finished when the pass ends.</summary>
public class EndOfPassCallbackTests
{
    [Test]
    public void ACallbackQueuedFromAHook_RunsOnceAfterEveryGradientIsWritten()
    {
        var w = Tensor.FromArray(new[] { 1.0, 2.0 }, 2);
        var v = Tensor.FromArray(new[] { 3.0 }, 1);
        w.RequiresGrad = v.RequiresGrad = true;
        var log = new List<string>();
        using var hook = w.RegisterHook(g =>
        {
            BackwardPass.QueueCallback(() => log.Add($"end: w.Grad={w.Grad?.ToArray<double>()[0]} v.Grad={v.Grad?.ToArray<double>()[0]}"));
            log.Add("hook");
            return null;
        });
        ((w * v).Sum() * 2).Backward();
        Assert.That(log, Is.EqualTo(new[] { "hook", "end: w.Grad=6 v.Grad=6" }));

        log.Clear();
        w.ZeroGrad();
        v.ZeroGrad();
        (w.Sum() * 1).Backward();
        Assert.That(log, Has.Count.EqualTo(2), "queued again by the next pass, and run once");
    }

    [Test]
    public void QueueCallback_OutsideABackwardPass_Throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => BackwardPass.QueueCallback(() => { }));
        Assert.That(ex!.Message, Does.Contain("no backward pass"));
    }

    [Test]
    public void APassThatThrows_DropsItsCallbacks()
    {
        var w = Tensor.FromArray(new[] { 1.0 }, 1);
        w.RequiresGrad = true;
        int runs = 0;
        using var hook = w.RegisterHook(_ =>
        {
            BackwardPass.QueueCallback(() => runs++);
            throw new InvalidOperationException("boom");
        });
        Assert.Throws<InvalidOperationException>(() => (w * 2).Sum().Backward());
        var other = Tensor.FromArray(new[] { 1.0 }, 1);
        other.RequiresGrad = true;
        (other * 2).Sum().Backward();
        Assert.That(runs, Is.Zero);
    }
}
