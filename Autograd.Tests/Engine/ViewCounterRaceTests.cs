namespace Autograd.Tests.Engine;

/// <summary>
/// Threads taking their first view of one tensor at the same moment (data-parallel workers viewing a shared
/// parameter) must all end up on one version counter: an in-place write through any view is then seen by all.
/// </summary>
[NonParallelizable]
public class ViewCounterRaceTests
{
    [Test]
    public void FirstViewsTakenAtOnce_ShareOneCounter()
    {
        const int Threads = 4, Rounds = 20000;
        var views = new Tensor[Threads];
        Tensor source = Tensor.Zeros([2]);
        using var start = new Barrier(Threads + 1);
        using var end = new Barrier(Threads + 1);
        var workers = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                start.SignalAndWait();
                views[i] = Volatile.Read(ref source).Detach();
                end.SignalAndWait();
            }
        })).ToArray();
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        int split = 0;
        for (int round = 0; round < Rounds; round++)
        {
            Volatile.Write(ref source, Tensor.Zeros([2]));   // no counter yet: the views race to make it
            start.SignalAndWait();
            end.SignalAndWait();
            views[0].BumpVersion();
            if (source.Version != 1 || views.Any(v => v.Version != 1))
            {
                split++;
            }
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Assert.That(split, Is.Zero, $"in {split} of {Rounds} rounds a view missed a write made through another");
    }
}
