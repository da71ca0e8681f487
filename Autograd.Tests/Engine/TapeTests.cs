using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>Recording control (Tape.NoGrad), per-thread tapes, and depth.</summary>
public class TapeTests
{
    [Test]
    public void NoGrad_ResultsDoNotRequireGrad_AndRecordNothing()
    {
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y;
        using (Tape.NoGrad())
        {
            Assert.That(Tape.IsGradEnabled, Is.False);
            y = (x * 2).Exp().Sum();
        }

        Assert.That(Tape.IsGradEnabled, Is.True);
        Assert.That(y.RequiresGrad, Is.False);
        Assert.That(y.IsLeaf, Is.True);
        Assert.That(y.GradFn, Is.Null);
        Assert.That(() => y.Backward(), Throws.InvalidOperationException);
        Assert.That((x * 2).RequiresGrad, Is.True, "recording resumes after the scope");
    }

    [Test]
    public void NoGrad_ScopesNest_AndDisposingTwiceIsHarmless()
    {
        Tensor x = Inputs.Of([1], 1);
        Tape.NoGradScope outer = Tape.NoGrad();
        Tape.NoGradScope inner = Tape.NoGrad();
        inner.Dispose();
        inner.Dispose();
        Assert.That(Tape.IsGradEnabled, Is.False, "the outer scope still holds");
        Assert.That((x * 2).RequiresGrad, Is.False);
        outer.Dispose();
        Assert.That(Tape.IsGradEnabled, Is.True);
        Assert.That((x * 2).RequiresGrad, Is.True);
    }

    [Test]
    public void NoGrad_OnlyAffectsItsOwnThread()
    {
        Tensor x = Inputs.Of([1], 1);
        bool otherThreadRecorded = false;
        using (Tape.NoGrad())
        {
            var thread = new Thread(() => otherThreadRecorded = (x * 2).RequiresGrad);
            thread.Start();
            thread.Join();
        }

        Assert.That(otherThreadRecorded, Is.True);
    }

    [Test]
    public void NoGrad_DisposedOnAnotherThread_Throws()
    {
        Tape.NoGradScope scope = Tape.NoGrad();
        try
        {
            Exception? error = null;
            var thread = new Thread(() =>
            {
                try
                {
                    scope.Dispose();
                }
                catch (InvalidOperationException e)
                {
                    error = e;
                }
            });
            thread.Start();
            thread.Join();
            Assert.That(error, Is.Not.Null);
        }
        finally
        {
            scope.Dispose();
        }

        Assert.That(Tape.IsGradEnabled, Is.True);
    }

    [Test]
    public void DeepChain_Of100000Ops_BackwardDoesNotOverflowTheStack()
    {
        const int Depth = 100_000;
        Tensor x = Inputs.Of([1, 2], 2);
        Tensor y = x;
        for (int i = 0; i < Depth; i++)
        {
            y = y * 1.00001;
        }

        y.Sum().Backward();
        double expected = Math.Pow(1.00001, Depth);
        GradAssert.Values(x.Grad!, [expected, expected], 1e-9);
    }

    [Test]
    public void DeepChain_Of100000Ops_CanBeDroppedAndCollected()
    {
        WeakReference end = BuildDeepChain(100_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.That(end.IsAlive, Is.False);
    }

    [Test]
    public void TwoThreads_BuildAndDifferentiateSeparateGraphs_Concurrently()
    {
        const int Iterations = 200;
        double[][] expected = [ReferenceGradient(1), ReferenceGradient(2)];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var start = new Barrier(2);
        Thread[] threads = [.. Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < Iterations; i++)
            {
                // Thread 0 also toggles NoGrad scopes, which must not disturb thread 1's recording.
                if (t == 0)
                {
                    using (Tape.NoGrad())
                    {
                        _ = Tensor.Randn([4, 4], i, DType.Float64) * 2;
                    }
                }

                double[] actual = ComputeGradient(t + 1);
                for (int j = 0; j < actual.Length; j++)
                {
                    if (Math.Abs(actual[j] - expected[t][j]) > 1e-12)
                    {
                        failures.Enqueue($"thread {t}, iteration {i}, element {j}: {actual[j]} vs {expected[t][j]}");
                        return;
                    }
                }
            }
        }))];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.That(failures, Is.Empty);
    }

    private static double[] ReferenceGradient(int seed) => ComputeGradient(seed);

    /// <summary>A small network's weight gradient; deterministic per seed.</summary>
    private static double[] ComputeGradient(int seed)
    {
        Tensor x = Tensor.Randn([8, 5], seed, DType.Float64);
        Tensor w = Tensor.Randn([5, 3], seed + 100, DType.Float64);
        w.RequiresGrad = true;
        Tensor h = x.MatMul(w).Tanh();
        Tensor loss = Loss.CrossEntropy(h * h + h, [0, 1, 2, 0, 1, 2, 0, 1]);
        loss.Backward();
        return w.Grad!.ToArray<double>();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference BuildDeepChain(int depth)
    {
        Tensor x = Inputs.Of([1], 1);
        Tensor y = x;
        for (int i = 0; i < depth; i++)
        {
            y = y + 1;
        }

        Assert.That(y.Item(), Is.EqualTo(depth + 1));
        return new WeakReference(y);
    }
}
