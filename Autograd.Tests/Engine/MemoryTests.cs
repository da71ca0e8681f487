using System.Runtime.CompilerServices;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>No global tape keeps graphs alive; Backward drops what it no longer needs.</summary>
public class MemoryTests
{
    [Test]
    public void GraphDroppedWithoutBackward_IsCollectable()
    {
        Tensor w = Inputs.Normal(1, 16, 16);   // a long-lived parameter, as in a training loop
        (WeakReference output, WeakReference intermediate, WeakReference input) = BuildAndDrop(w);
        Collect();
        Assert.That(output.IsAlive, Is.False, "the output");
        Assert.That(intermediate.IsAlive, Is.False, "the intermediate");
        Assert.That(input.IsAlive, Is.False, "the input");
        GC.KeepAlive(w);
    }

    [Test]
    public void LoopBuildingAndDroppingGraphs_DoesNotGrowMemory()
    {
        Tensor w = Inputs.Normal(2, 32, 32);
        RunSteps(w, 200, backward: false);   // warm up JIT and pools
        long before = TotalMemory();
        RunSteps(w, 5_000, backward: false);
        long after = TotalMemory();
        // Each dropped graph holds ~25 KB; keeping them would grow by > 100 MB.
        Assert.That(after - before, Is.LessThan(2_000_000), $"grew from {before} to {after} bytes");
    }

    [Test]
    public void TrainingLoop_WithBackward_DoesNotGrowMemory()
    {
        Tensor w = Inputs.Normal(3, 32, 32);
        RunSteps(w, 200, backward: true);
        long before = TotalMemory();
        RunSteps(w, 5_000, backward: true);
        long after = TotalMemory();
        Assert.That(after - before, Is.LessThan(2_000_000), $"grew from {before} to {after} bytes");
    }

    [Test]
    public void AfterBackward_EntriesAreReleased_AndIntermediatesCollectable_WhileTheOutputLives()
    {
        Tensor x = Inputs.Normal(4, 8, 8);
        (Tensor loss, WeakReference intermediate, TapeEntry[] entries) = Build(x);
        Collect();
        Assert.That(intermediate.IsAlive, Is.True, "before Backward the graph keeps its intermediates");

        loss.Backward();
        Assert.That(entries.Select(e => e.IsReleased), Has.All.True);
        Assert.That(loss.GradFn!.IsReleased, Is.True);
        Collect();
        Assert.That(intermediate.IsAlive, Is.False, "after Backward nothing holds the intermediates");
        GC.KeepAlive(loss);
    }

    [Test]
    public void WithRetainGraph_IntermediatesStayUntilTheLastBackward()
    {
        Tensor x = Inputs.Normal(5, 8, 8);
        (Tensor loss, WeakReference intermediate, TapeEntry[] entries) = Build(x);
        loss.Backward(retainGraph: true);
        Collect();
        Assert.That(intermediate.IsAlive, Is.True);
        Assert.That(entries.Select(e => e.IsReleased), Has.All.False);
        loss.Backward();
        Collect();
        Assert.That(intermediate.IsAlive, Is.False);
        GC.KeepAlive(loss);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Output, WeakReference Intermediate, WeakReference Input) BuildAndDrop(Tensor w)
    {
        Tensor x = Tensor.Randn([4, 16], 7, DType.Float64);
        Tensor h = x.MatMul(w).Tanh();
        Tensor loss = (h * h).Mean();
        return (new WeakReference(loss), new WeakReference(h), new WeakReference(x));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Tensor Loss, WeakReference Intermediate, TapeEntry[] Entries) Build(Tensor x)
    {
        Tensor a = x.MatMul(x);
        Tensor b = a.Sigmoid();
        Tensor loss = (b * a).Sum();
        return (loss, new WeakReference(b), [a.GradFn!, b.GradFn!]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunSteps(Tensor w, int steps, bool backward)
    {
        Tensor x = Tensor.Randn([8, 32], 11, DType.Float64);
        for (int i = 0; i < steps; i++)
        {
            Tensor loss = (x.MatMul(w).Tanh() * 0.5).Mean();
            if (backward)
            {
                loss.Backward();
            }
        }
    }

    private static long TotalMemory()
    {
        Collect();
        Tensor.EmptyCache();   // the buffer pool keeps up to a collection budget of arrays for reuse, by design
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
