using System.Runtime.CompilerServices;

namespace Autograd.Tests.Engine;

/// <summary>
/// The memory model: storage comes back to the pool when the engine proves it dead or when the GC finds its tensor
/// unreachable, and never while any tensor (or view) that reaches it is alive; Dispose gives it back at once.
/// </summary>
public class BufferPoolTests
{
    private const int Rows = 32, Columns = 64;   // 2,048 elements: above BufferPool.MinLength, so tracked

    [Test]
    public void TheStorageOfACollectedTensor_IsHandedOutAgain()
    {
        Tensor x = Tensor.Randn([33, 61], 1);   // a length no other test uses: the free list starts empty
        WeakReference<Array> storage = DropRelu(x);
        Collect();
        Tensor reused = Tensor.Empty([33, 61], DType.Float32);   // a miss after a collection scans first
        Assert.That(storage.TryGetTarget(out Array? array) && ReferenceEquals(array, reused.Storage), Is.True,
            "the storage of the collected ReLU output should be reused");
        GC.KeepAlive(x);   // else (optimised code) x is collected too, and its array, of the same length, may come first
    }

    [Test]
    public void AHeldTensor_KeepsItsData_WhileSameSizedTensorsComeAndGo()
    {
        Tensor x = Tensor.Randn([Rows, Columns], 2);
        Tensor held = x.Relu();
        float[] expected = held.ToArray<float>();
        for (int i = 0; i < 20; i++)
        {
            Churn(x, 10);
            Collect();
            Tensor fresh = Tensor.Empty([Rows, Columns], DType.Float32);
            Assert.That(fresh.SharesStorageWith(held), Is.False);
        }

        Assert.That(held.ToArray<float>(), Is.EqualTo(expected));
    }

    [Test]
    public void AView_KeepsTheStorage_AfterItsBaseIsDropped()
    {
        Tensor x = Tensor.Randn([Rows, Columns], 3);
        Tensor view = ReshapedRelu(x);   // the ReLU output itself is unreachable from here on
        float[] expected = x.Relu().ToArray<float>();
        for (int i = 0; i < 20; i++)
        {
            Churn(x, 10);
            Collect();
            Assert.That(Tensor.Empty([Rows, Columns], DType.Float32).SharesStorageWith(view), Is.False);
        }

        Assert.That(view.ToArray<float>(), Is.EqualTo(expected));
    }

    [Test]
    public void Dispose_GivesTheStorageBack_AndEveryLaterUseThrows()
    {
        Tensor t = Tensor.Randn([Rows, Columns], 4).Relu();
        Array storage = t.Storage;
        t.Dispose();
        Assert.That(t.IsDisposed, Is.True);
        Assert.That(Tensor.Empty([Rows, Columns], DType.Float32).Storage, Is.SameAs(storage));
        var error = Assert.Throws<ObjectDisposedException>(() => t.ToArray<float>());
        Assert.That(error!.Message, Does.Contain("[32,64]"));
        Assert.Throws<ObjectDisposedException>(() => _ = t + 1.0);
        Assert.Throws<ObjectDisposedException>(() => t.Sum());
        Assert.That(t.ToString(), Does.Contain("disposed"));
        t.Dispose();   // again: nothing
    }

    [Test]
    public void Dispose_OfATensorWithAView_LeavesTheViewItsData()
    {
        Tensor t = Tensor.Randn([Rows, Columns], 5).Relu();
        Tensor view = t.Reshape(Columns, Rows);
        float[] expected = t.ToArray<float>();
        t.Dispose();
        Assert.That(Tensor.Empty([Rows, Columns], DType.Float32).SharesStorageWith(view), Is.False);
        Assert.That(view.ToArray<float>(), Is.EqualTo(expected));
    }

    [Test]
    public void EmptyCache_DropsTheFreeBuffers_AndThoseOfCollectedTensors()
    {
        Tensor x = Tensor.Randn([35, 61], 14);
        Tensor.Empty([35, 61], DType.Float32).Dispose();   // one free buffer
        WeakReference<Array> storage = DropRelu(x);        // one tracked buffer whose tensor dies
        Collect();
        Tensor.EmptyCache();
        Assert.That(BufferPool.State.FreeBytes, Is.Zero);
        Collect();
        Assert.That(storage.TryGetTarget(out _), Is.False, "the pool no longer holds the collected tensor's storage");
        GC.KeepAlive(x);
    }

    [Test]
    public void ADisposedGrad_IsAsIfCleared()
    {
        Tensor w = Tensor.Randn([Rows, Columns], 6);
        w.RequiresGrad = true;
        (w * 2.0).Sum().Backward();
        w.Grad!.Dispose();
        (w * 3.0).Sum().Backward();
        Assert.That(w.Grad!.ToArray<float>(), Is.All.EqualTo(3f));
    }

    [Test]
    public void BackwardThroughADisposedSavedTensor_Throws()
    {
        Tensor w = Tensor.Randn([Rows, Columns], 7);
        w.RequiresGrad = true;
        Tensor h = w.Tanh();
        Tensor loss = (h * h).Sum();
        h.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loss.Backward());
    }

    [Test]
    public void ABufferReturnedTwice_IsRefused()
    {
        if (!BufferPool.Checked)
        {
            Assert.Ignore("checked in debug builds only");
        }

        var buffer = new float[3000];
        BufferPool.Return(buffer);
        var error = Assert.Throws<InvalidOperationException>(() => BufferPool.Return(buffer));
        Assert.That(error!.Message, Does.Contain("returned twice"));
        Assert.That(BufferPool.Rent<float>(3000), Is.SameAs(buffer));
    }

    [Test]
    public void AReturnedBuffer_IsPoisonedWithNaN()
    {
        if (!BufferPool.Checked)
        {
            Assert.Ignore("checked in debug builds only");
        }

        var buffer = new double[3001];
        BufferPool.Return(buffer);
        Assert.That(buffer, Is.All.NaN);
        Assert.That(BufferPool.Rent<double>(3001), Is.SameAs(buffer));
    }

    [Test]
    public void AGradientAHookSaw_IsNeverRecycled()
    {
        // The engine recycles (and revokes) only the intermediate gradients nobody else saw; one a hook kept stays its.
        Tensor x = Tensor.Randn([Rows, Columns], 8);
        x.RequiresGrad = true;
        Tensor h = x.Tanh();
        Tensor? seen = null;
        h.RegisterHook(g => { seen = g; return null; });
        (h.Sigmoid() * 2.0).Sum().Backward();
        Assert.That(seen!.IsDisposed, Is.False);
        Assert.That(seen.ToArray<float>(), Has.All.GreaterThan(0f));
    }

    [Test]
    public void ATrainingLoop_AllocatesNoStorage_InSteadyState()
    {
        PoolState pool = BufferPool.State;
        bool induce = BufferPool.InduceCollections;
        BufferPool.InduceCollections = true;
        try
        {
            var model = new Autograd.NN.Sequential(new Autograd.NN.Linear(64, 128), new Autograd.NN.ReLU(), new Autograd.NN.Linear(128, 10));
            Tensor x = Tensor.Randn([64, 64], 9);
            int[] labels = [.. Enumerable.Range(0, 64).Select(i => i % 10)];
            void Step()
            {
                foreach (Tensor p in model.Parameters())
                {
                    p.ZeroGrad();
                }

                Loss.CrossEntropy(model.Forward(x), labels).Backward();
            }

            // Until the pool holds a collection budget's worth of buffers (a few hundred steps), then as many again.
            for (int i = 0; i < 20 && !QuietFor(pool, Step, 400); i++)
            {
            }

            long misses = pool.Misses;
            for (int i = 0; i < 400; i++)
            {
                Step();
            }

            Assert.That(pool.Misses - misses, Is.Zero, "storage allocated in steady state");
        }
        finally
        {
            BufferPool.InduceCollections = induce;
        }
    }

    [Test]
    public void ADroppedGraphOfLargeTensors_IsCollectable_AndTheirStorageReused()
    {
        Tensor w = Tensor.Randn([Columns, Columns], 10);
        w.RequiresGrad = true;
        (WeakReference output, WeakReference intermediate) = BuildAndDrop(w);
        Collect();
        Assert.That(output.IsAlive, Is.False, "the pool holds storage, never tensors or graphs");
        Assert.That(intermediate.IsAlive, Is.False);
    }

    [Test]
    public void ATensorMadeOnOneThread_AndTrainedOnAnother_GetsTheSameGradients()
    {
        static float[] Gradient(bool otherThread)
        {
            Tensor w = Tensor.Randn([Columns, Columns], 11);
            w.RequiresGrad = true;
            Tensor x = Tensor.Randn([Rows, Columns], 12);
            Tensor loss = x.MatMul(w).Relu().Sum();
            if (otherThread)
            {
                var thread = new Thread(() => loss.Backward());
                thread.Start();
                thread.Join();
            }
            else
            {
                loss.Backward();
            }

            return w.Grad!.ToArray<float>();
        }

        Assert.That(Gradient(otherThread: true), Is.EqualTo(Gradient(otherThread: false)));
    }

    private static bool QuietFor(PoolState pool, Action step, int steps)
    {
        long misses = pool.Misses;
        for (int i = 0; i < steps; i++)
        {
            step();
        }

        return pool.Misses == misses;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<Array> DropRelu(Tensor x)
    {
        Tensor y = x.Relu();
        return new WeakReference<Array>(y.Storage);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Tensor ReshapedRelu(Tensor x) => x.Relu().Reshape(Columns, Rows);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Churn(Tensor x, int count)
    {
        for (int i = 0; i < count; i++)
        {
            _ = (x * 2.0).Relu().Exp();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Output, WeakReference Intermediate) BuildAndDrop(Tensor w)
    {
        Tensor h = Tensor.Randn([Rows, Columns], 13).MatMul(w).Tanh();
        Tensor loss = (h * h).Mean();
        return (new WeakReference(loss), new WeakReference(h));
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
