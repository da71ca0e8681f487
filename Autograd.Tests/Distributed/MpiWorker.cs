using Autograd.Data;
using Autograd.Distributed;
using Autograd.NN;
using Autograd.Optim;

namespace Autograd.Tests.Distributed;

/// <summary>
/// What each rank runs when <see cref="DistributedTests"/> starts the test assembly under mpirun
/// (<c>dotnet Autograd.Tests.dll mpi-worker SCENARIO</c>). A scenario prints "OK rank R" when every check passed and
/// throws otherwise (which aborts the whole job with the message).
/// </summary>
internal static class MpiWorker
{
    public static int Run(string[] args)
    {
        string scenario = args.Length > 1 ? args[1] : throw new ArgumentException("usage: mpi-worker SCENARIO [ARGS]");
        using ProcessGroup group = ProcessGroup.InitMpi();
        switch (scenario)
        {
            case "collectives":
                Collectives(group);
                break;
            case "ddp":
                DdpMatchesOneProcess(group, Enum.Parse<DType>(args[2]), args[3]);
                break;
            case "fail":
                group.Barrier();
                if (group.Rank == 1)
                {
                    throw new InvalidOperationException("deliberate failure on rank 1");
                }

                group.Barrier();   // the other ranks wait here until the job is aborted
                break;
            case "timeout":
                group.Timeout = TimeSpan.FromSeconds(2);
                if (group.Rank == 0)
                {
                    group.AllReduce(Tensor.Ones([4]));   // the others never join
                }
                else
                {
                    Thread.Sleep(TimeSpan.FromSeconds(30));
                }

                break;
            default:
                throw new ArgumentException($"unknown scenario '{scenario}'");
        }

        Console.WriteLine($"OK rank {group.Rank} of {group.Size}");
        return 0;
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("check failed: " + what);
        }
    }

    private static void Collectives(ProcessGroup group)
    {
        int r = group.Rank, n = group.Size;
        var f = Tensor.FromArray(new float[] { r, 1, -r }, 3);
        group.AllReduce(f);
        int sum = n * (n - 1) / 2;
        Check(f.ToArray<float>().SequenceEqual(new float[] { sum, n, -sum }), $"float sum: {f}");

        var d = Tensor.FromArray(new double[] { r + 0.5, -r }, 2);
        group.AllReduce(d, ReduceOp.Max);
        Check(d.ToArray<double>().SequenceEqual(new[] { n - 0.5, 0 }), $"double max: {d}");

        var l = Tensor.FromArray(new long[] { r, 10 - r }, 2);
        group.AllReduce(l, ReduceOp.Min);
        Check(l.ToArray<long>().SequenceEqual(new long[] { 0, 10 - (n - 1) }), $"int64 min: {l}");

        int root = n - 1;
        var b = Tensor.Full([5], r == root ? 7 : 0, DType.Float64);
        group.Broadcast(b, root);
        Check(b.ToArray<double>().All(v => v == 7), $"broadcast from rank {root}: {b}");

        var mask = Tensor.FromArray(new[] { r == 0, r != 0 }, 2);
        group.Broadcast(mask);
        Check(mask.ToArray<bool>().SequenceEqual(new[] { true, false }), $"bool broadcast: {mask}");
        group.Barrier();
    }

    /// <summary>
    /// N ranks with DDP on batches of B/N reach, after k steps, the parameters one process reaches on batches of B
    /// (computed here on every rank, without communication).
    /// </summary>
    private static void DdpMatchesOneProcess(ProcessGroup group, DType dtype, string optimizerName)
    {
        const int Samples = 60, Steps = 5;
        int globalBatch = 12;   // divisible by 1, 2, 3 and 4 ranks
        Check(globalBatch % group.Size == 0, "the test needs B divisible by N");
        Tensor x = Tensor.Randn([Samples, 6], seed: 3, dtype);
        int[] labels = Enumerable.Range(0, Samples).Select(i => (i * 7) % 4).ToArray();

        // The reference: one process, batch B.
        Module reference = Model(dtype);
        Optimizer referenceOptimizer = Make(optimizerName, reference.Parameters());
        var referenceLoader = new DataLoader(x, labels, globalBatch, shuffle: true, seed: 9);
        Train(reference, referenceOptimizer, referenceLoader, Steps);

        // DDP: batch B/N per rank; rank 0's initial weights are broadcast, so perturb the others first.
        Module local = Model(dtype);
        if (group.Rank != 0)
        {
            using (Tape.NoGrad())
            {
                foreach (Tensor p in local.Parameters())
                {
                    p.Fill(group.Rank);
                }
            }
        }

        var ddp = new DistributedDataParallel(local, group, bucketCapBytes: 200);   // small buckets: several all-reduces
        Check(ddp.BucketCount > 1, $"several buckets ({ddp.BucketCount})");
        Optimizer optimizer = Make(optimizerName, ddp.Parameters());
        var loader = new DataLoader(x, labels, globalBatch / group.Size, shuffle: true, seed: 9, rank: group.Rank, worldSize: group.Size);
        Train(ddp, optimizer, loader, Steps);

        // Relative to the tensor's largest value: sums over shards round differently from one sum over the batch.
        double tolerance = dtype == DType.Float64 ? 1e-12 : 1e-6;
        foreach (var ((name, ours), (_, theirs)) in ddp.Module.NamedParameters().Zip(reference.NamedParameters()))
        {
            double[] a = ours.ToArray<double>(), e = theirs.ToArray<double>();
            double scale = e.Max(Math.Abs), worst = a.Zip(e, (u, v) => Math.Abs(u - v)).Max();
            Check(worst <= tolerance * scale,
                $"{name} on rank {group.Rank}: largest difference from one process {worst:E2}, relative {worst / scale:E2} > {tolerance}");
        }
    }

    private static Module Model(DType dtype) => new Sequential(
        new Linear(6, 16, seed: 1, dtype: dtype), new Tanh(), new Linear(16, 8, seed: 2, dtype: dtype), new Tanh(),
        new Linear(8, 4, seed: 3, dtype: dtype));

    private static Optimizer Make(string name, IEnumerable<Tensor> parameters) => name switch
    {
        "sgd" => new Sgd(parameters, lr: 0.1, momentum: 0.9),
        "adam" => new Adam(parameters, lr: 0.01),
        _ => throw new ArgumentException($"unknown optimizer '{name}'"),
    };

    private static void Train(Module model, Optimizer optimizer, DataLoader loader, int steps)
    {
        int done = 0;
        while (done < steps)
        {
            foreach (Batch batch in loader)
            {
                optimizer.ZeroGrad();
                Loss.CrossEntropy(model.Forward(batch.X), batch.Labels).Backward();
                optimizer.Step();
                if (++done == steps)
                {
                    return;
                }
            }
        }
    }
}
