using System.Numerics.Tensors;

namespace Autograd;

/// <summary>
/// The reverse walk. The tape is the set of entries reachable from the output; it is visited in reverse
/// topological order (an entry runs once every consumer of its output has passed its gradient back),
/// with explicit stacks, never recursion, so graphs of any depth work.
/// </summary>
internal static class BackwardPass
{
    private static int _lastMark;

    // The walk's two stacks, kept per thread and reused: a backward pass of a tiny graph then allocates
    // nothing of its own. Both are empty between passes (a pass that throws clears them on the next one).
    [ThreadStatic]
    private static Stack<TapeEntry>? _ready;

    [ThreadStatic]
    private static Stack<TapeEntry>? _pending;

    public static void Run(Tensor root, Tensor? gradient, bool retainGraph)
    {
        Tensor seed = SeedGradient(root, gradient);
        TapeEntry? rootEntry = root.GradFn;
        if (rootEntry is null)
        {
            // A leaf: its gradient is the seed itself.
            root.AccumulateGrad(seed, exclusive: gradient is null);
            return;
        }

        Tape.EnterNoGrad();   // gradients are values, not new graph
        try
        {
            Walk(rootEntry, seed, exclusive: gradient is null, retainGraph);
        }
        finally
        {
            Tape.ExitNoGrad();
        }
    }

    /// <remarks>
    /// Ownership of gradient buffers: a pending gradient is <i>exclusive</i> when this pass made it and only one
    /// consumer receives it. An entry that owns its output gradient and has one input to differentiate may write
    /// its VJP over it (<see cref="TapeEntry.CanOverwriteGradOutput"/>); a gradient that an entry owned and no
    /// input received a view of is dead afterwards and goes back to the <see cref="BufferPool"/>. A gradient
    /// passed in by the caller is never exclusive, so it is never written to or recycled.
    /// </remarks>
    private static void Walk(TapeEntry rootEntry, Tensor seed, bool exclusive, bool retainGraph)
    {
        int mark = Interlocked.Increment(ref _lastMark);
        CountConsumers(rootEntry, mark);

        rootEntry.PendingGrad = seed;
        rootEntry.PendingGradExclusive = exclusive;
        Stack<TapeEntry> ready = _ready ??= new Stack<TapeEntry>();
        ready.Clear();
        ready.Push(rootEntry);
        while (ready.Count > 0)
        {
            TapeEntry entry = ready.Pop();
            Tensor gradOutput = entry.PendingGrad!;
            bool ownsGradOutput = entry.PendingGradExclusive;
            entry.PendingGrad = null;

            // Both VJPs run before either result is delivered: a result may be a view of gradOutput, and whether
            // it can be handed on exclusively depends on whether the other input received a view too.
            ReadOnlySpan<Tensor?> inputs = entry.Inputs;
            Tensor? input0 = Wanted(inputs[0]);
            Tensor? input1 = inputs.Length > 1 ? Wanted(inputs[1]) : null;
            entry.CanOverwriteGradOutput = ownsGradOutput && (input0 is null || input1 is null);
            Tensor? grad0 = input0 is null ? null : entry.Vjp(0, gradOutput);
            Tensor? grad1 = input1 is null ? null : entry.Vjp(1, gradOutput);
            entry.CanOverwriteGradOutput = false;

            bool view0 = grad0 is not null && grad0.SharesStorageWith(gradOutput);
            bool view1 = grad1 is not null && grad1.SharesStorageWith(gradOutput);
            bool oneView = view0 != view1;
            Deliver(input0, grad0, exclusive: !view0 || (ownsGradOutput && oneView), ready);
            Deliver(input1, grad1, exclusive: !view1 || (ownsGradOutput && oneView), ready);
            if (ownsGradOutput && !view0 && !view1)
            {
                BufferPool.Return(gradOutput.Storage);
            }

            if (!retainGraph)
            {
                entry.Release();
            }
        }
    }

    /// <summary>
    /// The input if it still wants a gradient: a leaf whose RequiresGrad was turned off after the op was recorded
    /// receives none (as PyTorch's AccumulateGrad).
    /// </summary>
    private static Tensor? Wanted(Tensor? input) => input is { IsLeaf: true, RequiresGrad: false } ? null : input;

    /// <summary>Passes an input's gradient to its producer (queued once all its consumers have delivered) or its leaf.</summary>
    private static void Deliver(Tensor? input, Tensor? inputGrad, bool exclusive, Stack<TapeEntry> ready)
    {
        if (input is null)
        {
            return;
        }

        if (input.GradFn is { } producer)
        {
            Accumulate(producer, inputGrad!, exclusive);
            if (--producer.PendingConsumers == 0)
            {
                ready.Push(producer);
            }
        }
        else if (!input.AccumulateGrad(inputGrad!, exclusive) && exclusive)
        {
            BufferPool.Return(inputGrad!.Storage);   // added into the leaf's gradient: dead
        }
    }

    private static Tensor SeedGradient(Tensor root, Tensor? gradient)
    {
        if (!root.RequiresGrad)
        {
            throw new InvalidOperationException(
                "Backward: this tensor does not require a gradient and has no recorded op: no input of the "
                + "computation has RequiresGrad = true, or it was computed under Tape.NoGrad() or from Detach().");
        }

        if (root.GradFn is { IsReleased: true } released)
        {
            throw ReleasedGraph(released);
        }

        if (gradient is null)
        {
            if (root.Count != 1)
            {
                throw new ArgumentException(
                    $"Backward: the output has shape {ShapeText.Format(root.ShapeSpan)}; a gradient can only be "
                    + "implied for a single-element output. Pass Backward(gradient) with the output's shape.");
            }

            return Tensor.Full(root.ShapeArray, 1.0, root.DType);
        }

        if (gradient.DType != root.DType || !gradient.ShapeSpan.SequenceEqual(root.ShapeSpan))
        {
            throw new ArgumentException(
                $"Backward: the gradient ({ShapeText.Format(gradient.ShapeSpan)} {gradient.DType}) must have the "
                + $"output's shape and dtype ({ShapeText.Format(root.ShapeSpan)} {root.DType}).");
        }

        return gradient;
    }

    /// <summary>Finds every entry reachable from the root and counts its consumers within this graph.</summary>
    private static void CountConsumers(TapeEntry rootEntry, int mark)
    {
        rootEntry.VisitMark = mark;
        rootEntry.PendingConsumers = 0;
        Stack<TapeEntry> stack = _pending ??= new Stack<TapeEntry>();
        stack.Clear();
        stack.Push(rootEntry);
        while (stack.Count > 0)
        {
            TapeEntry entry = stack.Pop();
            if (entry.IsReleased)
            {
                throw ReleasedGraph(entry);
            }

            foreach (Tensor? input in entry.Inputs)
            {
                if (input?.GradFn is not { } producer)
                {
                    continue;
                }

                if (producer.VisitMark != mark)
                {
                    producer.VisitMark = mark;
                    producer.PendingConsumers = 0;
                    producer.PendingGrad = null;
                    stack.Push(producer);
                }

                producer.PendingConsumers++;
            }
        }
    }

    /// <summary>Sums a contribution into an entry's pending gradient (fan-out: a tensor used several times).</summary>
    private static void Accumulate(TapeEntry producer, Tensor contribution, bool exclusive)
    {
        Tensor? pending = producer.PendingGrad;
        if (pending is null)
        {
            producer.PendingGrad = contribution;
            producer.PendingGradExclusive = exclusive;
            return;
        }

        if (!producer.PendingGradExclusive)
        {
            if (exclusive)
            {
                // Add into the contribution instead: the pending buffer is shared with another consumer.
                AddInto(pending, contribution, contribution);
                producer.PendingGrad = contribution;
                producer.PendingGradExclusive = true;
                return;
            }

            // Both are shared: add into a fresh buffer.
            Tensor sum = Tensor.Empty(pending.ShapeArray, pending.DType);
            AddInto(pending, contribution, sum);
            producer.PendingGrad = sum;
            producer.PendingGradExclusive = true;
            return;
        }

        AddInto(pending, contribution, pending);
        if (exclusive)
        {
            BufferPool.Return(contribution.Storage);   // summed into the pending buffer: dead
        }
    }

    private static void AddInto(Tensor x, Tensor y, Tensor destination)
    {
        if (x.DType == DType.Float32)
        {
            TensorPrimitives.Add(x.Span<float>(), y.Span<float>(), destination.Span<float>());
        }
        else
        {
            TensorPrimitives.Add(x.Span<double>(), y.Span<double>(), destination.Span<double>());
        }
    }

    private static InvalidOperationException ReleasedGraph(TapeEntry entry) => new(
        $"Backward: the graph through {entry.Name} was already released by an earlier Backward, which freed the "
        + "buffers it saved. Call Backward(retainGraph: true) the first time to back-propagate through it again.");
}
