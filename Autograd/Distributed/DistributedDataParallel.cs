using Autograd.NN;

namespace Autograd.Distributed;

/// <summary>
/// Data-parallel training across the ranks of a <see cref="ProcessGroup"/>, PyTorch's <c>DistributedDataParallel</c>:
/// every rank holds the same model and trains on its own shard of each batch; during <c>Backward</c> every parameter's
/// gradient is averaged over the ranks, so that an optimizer step (any optimizer) moves every replica identically.
/// </summary>
/// <remarks>
/// <para>Construction broadcasts rank 0's parameters and buffers to every rank. Gradients are averaged in buckets of
/// about <c>bucketCapMB</c>, filled in reverse parameter order (the order backward produces them); a gradient hook
/// copies each gradient into its bucket as soon as it is computed, and a full bucket's all-reduce starts at once
/// (MPI_Iallreduce), overlapping the rest of the backward pass. Buckets start in the same order on every rank. When
/// the backward pass ends, the reductions are awaited and each parameter's Grad becomes the mean over ranks of its
/// accumulated Grad, as in PyTorch (so gradient accumulation, and <see cref="NoSync"/>, work as there).</para>
/// <para>Its state dict names the wrapped module's entries <c>module.*</c>, as PyTorch's does; save from rank 0 only.</para>
/// </remarks>
public sealed class DistributedDataParallel : Module
{
    private readonly ProcessGroup _group;
    private readonly List<GradientBucket> _buckets = [];
    private readonly Dictionary<Tensor, GradientBucket> _bucketOf = new(ReferenceEqualityComparer.Instance);
    private int _nextToStart;
    private bool _finishQueued;
    private int _noSyncDepth;

    /// <summary>Wraps <paramref name="module"/>; collective: every rank must construct it, with the same module structure.</summary>
    /// <param name="module">The model (the same architecture on every rank).</param>
    /// <param name="group">The ranks to average over.</param>
    /// <param name="bucketCapMB">The size of a bucket, in MiB (PyTorch's default 25).</param>
    public DistributedDataParallel(Module module, ProcessGroup group, int bucketCapMB = 25)
        : this(module, group, bucketCapBytes: (long)bucketCapMB << 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketCapMB);
    }

    /// <summary>With the bucket size in bytes (tests use small buckets to get several).</summary>
    internal DistributedDataParallel(Module module, ProcessGroup group, long bucketCapBytes)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketCapBytes);
        _group = group;
        Module = RegisterModule("module", module);
        using (Tape.NoGrad())
        {
            foreach (var (_, value) in module.NamedParameters().Concat(module.NamedBuffers()))
            {
                group.Broadcast(value, root: 0);
            }
        }

        BuildBuckets(module.Parameters().Where(p => p.RequiresGrad).ToList(), bucketCapBytes);
        foreach (GradientBucket bucket in _buckets)
        {
            foreach (Tensor parameter in bucket.Parameters)
            {
                _bucketOf[parameter] = bucket;
                parameter.RegisterHook(gradient => OnGradient(parameter, gradient));   // for the parameter's lifetime
            }
        }
    }

    /// <summary>The wrapped model.</summary>
    public Module Module { get; }

    /// <summary>The number of all-reduce buckets.</summary>
    public int BucketCount => _buckets.Count;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Module.Forward(input);

    /// <summary>
    /// Inside the returned scope, backward passes accumulate local gradients without communicating (PyTorch's
    /// <c>no_sync()</c>); the first backward after it averages everything accumulated.
    /// </summary>
    public IDisposable NoSync()
    {
        _noSyncDepth++;
        return new Scope(() => _noSyncDepth--);
    }

    private void BuildBuckets(List<Tensor> parameters, long capBytes)
    {
        // Reverse registration order: backward produces the last layers' gradients first.
        foreach (var group in Enumerable.Reverse(parameters).GroupBy(p => p.DType))
        {
            var current = new List<Tensor>();
            long bytes = 0;
            foreach (Tensor p in group)
            {
                if (p.DType is not (DType.Float32 or DType.Float64))
                {
                    continue;
                }

                current.Add(p);
                bytes += (long)p.Count * DTypeDispatch.ElementSize(p.DType);
                if (bytes >= capBytes)
                {
                    _buckets.Add(new GradientBucket(current, group.Key));
                    (current, bytes) = ([], 0);
                }
            }

            if (current.Count > 0)
            {
                _buckets.Add(new GradientBucket(current, group.Key));
            }
        }
    }

    private Tensor? OnGradient(Tensor parameter, Tensor gradient)
    {
        if (_noSyncDepth > 0)
        {
            return null;
        }

        if (!_finishQueued)
        {
            _finishQueued = true;
            BackwardPass.QueueCallback(FinishPass);
        }

        _bucketOf[parameter].Add(parameter, gradient, earlier: parameter.Grad);
        StartReadyBuckets();
        return null;
    }

    /// <summary>Starts full buckets in bucket order only, so that every rank issues the same collectives in the same order.</summary>
    private void StartReadyBuckets()
    {
        while (_nextToStart < _buckets.Count && _buckets[_nextToStart].IsFull)
        {
            _buckets[_nextToStart++].Start(_group);
        }
    }

    private void FinishPass()
    {
        try
        {
            for (; _nextToStart < _buckets.Count; _nextToStart++)
            {
                _buckets[_nextToStart].FillMissing();   // parameters this rank did not use this pass contribute zeros
                _buckets[_nextToStart].Start(_group);
            }

            using (Tape.NoGrad())
            {
                foreach (GradientBucket bucket in _buckets)
                {
                    bucket.Finish(_group);
                }
            }
        }
        finally
        {
            _nextToStart = 0;
            _finishQueued = false;
        }
    }

    private sealed class Scope(Action onDispose) : IDisposable
    {
        private Action? _onDispose = onDispose;

        public void Dispose()
        {
            _onDispose?.Invoke();
            _onDispose = null;
        }
    }
}
