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

        using var _ = Tape.NoGrad();   // gradients are values, not new graph
        int mark = Interlocked.Increment(ref _lastMark);
        CountConsumers(rootEntry, mark);

        rootEntry.PendingGrad = seed;
        rootEntry.PendingGradExclusive = gradient is null;
        var ready = new Stack<TapeEntry>();
        ready.Push(rootEntry);
        while (ready.Count > 0)
        {
            TapeEntry entry = ready.Pop();
            Tensor gradOutput = entry.PendingGrad!;
            entry.PendingGrad = null;
            ReadOnlySpan<Tensor?> inputs = entry.Inputs;
            for (int i = 0; i < inputs.Length; i++)
            {
                Tensor? input = inputs[i];
                if (input is null || (input.IsLeaf && !input.RequiresGrad))
                {
                    // No gradient wanted; a leaf whose RequiresGrad was turned off after the op was recorded
                    // receives none either (as PyTorch's AccumulateGrad).
                    continue;
                }

                Tensor inputGrad = entry.Vjp(i, gradOutput);
                bool exclusive = !inputGrad.SharesStorageWith(gradOutput);
                if (input.GradFn is { } producer)
                {
                    Accumulate(producer, inputGrad, exclusive);
                    if (--producer.PendingConsumers == 0)
                    {
                        ready.Push(producer);
                    }
                }
                else
                {
                    input.AccumulateGrad(inputGrad, exclusive);
                }
            }

            if (!retainGraph)
            {
                entry.Release();
            }
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

            return Tensor.Full(root.Shape, 1.0, root.DType);
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
        var stack = new Stack<TapeEntry>();
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
            // The pending buffer is shared with another consumer: add into a fresh one instead.
            Tensor sum = Tensor.Empty(pending.Shape, pending.DType);
            AddInto(pending, contribution, sum);
            producer.PendingGrad = sum;
            producer.PendingGradExclusive = true;
            return;
        }

        AddInto(pending, contribution, pending);
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
