namespace Autograd;

/// <summary>
/// The reverse walk. The tape is the set of entries reachable from the output; it is visited in reverse
/// topological order (an entry runs once every consumer of its output has passed its gradient back),
/// with explicit stacks, never recursion, so graphs of any depth work. Each entry's <see cref="TapeEntry.Backward"/>
/// is called once and returns the gradients of all its inputs.
/// </summary>
/// <remarks>
/// Two modes. Without createGraph (the fast path) recording is off, VJPs run on buffers, and the engine tracks which
/// gradient buffers it owns so that it can sum fan-out and accumulate leaves in place and recycle dead buffers.
/// With createGraph recording is on, every VJP is made of recorded Tensor ops, sums are recorded Adds, and nothing
/// is ever written in place: the gradients carry a graph and can be differentiated again.
/// </remarks>
internal static class BackwardPass
{
    private static int _lastMark;

    /// <summary>Tensor.Backward: accumulates into the leaves' Grad.</summary>
    public static void Run(Tensor root, Tensor? gradient, bool retainGraph, bool createGraph)
    {
        var pass = new Pass(createGraph, retainGraph, targets: null, TapeState.Current);
        Execute(root, gradient, ref pass);
    }

    /// <summary>Tape.Grad: the gradients of <paramref name="root"/> with respect to <paramref name="targets"/>, touching no Grad.</summary>
    public static Tensor?[] Grad(Tensor root, Tensor[] targets, Tensor? gradient, bool retainGraph, bool createGraph)
    {
        var pass = new Pass(createGraph, retainGraph, targets, TapeState.Current);
        Execute(root, gradient, ref pass);
        return pass.Captured!;
    }

    private static void Execute(Tensor root, Tensor? gradient, ref Pass pass)
    {
        Tensor seed = SeedGradient(root, gradient);
        bool seedExclusive = gradient is null && !pass.CreateGraph;
        TapeState state = pass.State;
        int gradMode = Tape.SetGradEnabled(pass.CreateGraph);   // the backward pass records exactly when it creates a graph
        state.PassDepth++;
        try
        {
            if (root.GradFn is { } rootEntry)
            {
                Walk(rootEntry, seed, seedExclusive, ref pass);
            }
            else
            {
                // A leaf: its gradient is the seed itself.
                FinishLeaf(root, seed, seedExclusive, ref pass);
            }

            if (state.PassDepth == 1 && state.EndOfPassCallbacks is { Count: > 0 })
            {
                RunEndOfPassCallbacks(state);
            }
        }
        finally
        {
            state.PassDepth--;
            if (state.PassDepth == 0)
            {
                state.EndOfPassCallbacks?.Clear();   // a pass that threw drops what it queued
            }

            Tape.RestoreGradEnabled(gradMode);
        }
    }

    /// <summary>
    /// Queues <paramref name="callback"/> to run once the outermost backward pass running on this thread has written
    /// every gradient (PyTorch's queue_callback): what a gradient hook starts, such as DistributedDataParallel's
    /// all-reduce, is finished there.
    /// </summary>
    internal static void QueueCallback(Action callback)
    {
        TapeState state = TapeState.Current;
        if (state.PassDepth == 0)
        {
            throw new InvalidOperationException("QueueCallback: no backward pass is running on this thread.");
        }

        (state.EndOfPassCallbacks ??= []).Add(callback);
    }

    private static void RunEndOfPassCallbacks(TapeState state)
    {
        List<Action> callbacks = state.EndOfPassCallbacks!;
        for (int i = 0; i < callbacks.Count; i++)   // by index: a callback may queue another
        {
            callbacks[i]();
        }

        callbacks.Clear();
    }

    private static void Walk(TapeEntry rootEntry, Tensor seed, bool exclusive, ref Pass pass)
    {
        int mark = Interlocked.Increment(ref _lastMark);
        // The walk's stacks are the thread's, reused; a pass started from inside another (a hook or a Function's
        // backward calling Backward) gets new ones.
        TapeState state = pass.State;
        EntryStack ready = state.PassDepth > 1 ? new EntryStack() : (state.Ready ??= new EntryStack());
        ready.Clear();
        CountConsumers(rootEntry, mark, ref pass);
        if (pass.Targets is not null)
        {
            pass.Reaches = FindEntriesReachingTargets(rootEntry, pass.Targets);
        }

        rootEntry.PendingGrad = seed;
        rootEntry.PendingGradExclusive = exclusive;
        ready.Push(rootEntry);
        InputGrads slots = default;
        while (ready.Count > 0)
        {
            TapeEntry entry = ready.Pop();
            Tensor? gradOutput = entry.PendingGrad;
            bool ownsGradOutput = gradOutput is not null && entry.PendingGradExclusive;
            entry.PendingGrad = null;
            if (gradOutput is not null)
            {
                if (entry.Hooks is { Count: > 0 } hooks)
                {
                    gradOutput = RunHooks(hooks, gradOutput, entry.Name);
                    ownsGradOutput = false;   // the hook saw it and may keep it
                }

                if (pass.Targets is { } targets && Capture(targets, entry, gradOutput, ref pass))
                {
                    ownsGradOutput = false;   // handed to the caller of Tape.Grad
                }
            }

            ReadOnlySpan<Tensor?> inputs = entry.Inputs;
            ReadOnlySpan<TapeEntry?> producers = entry.Producers;
            Span<Tensor?> grads = inputs.Length <= InputGrads.Length
                ? System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref slots[0], inputs.Length)
                : new Tensor?[inputs.Length];
            bool ran = gradOutput is not null && RunEntry(entry, inputs, producers, gradOutput, ownsGradOutput, grads, ref pass);

            // Deliver (also when there was no gradient: the consumers' counts must still go down). A result that is a
            // view of gradOutput can be handed on exclusively only when it is the one view of a gradOutput we owned.
            bool owned = ownsGradOutput && !pass.CreateGraph && entry.OwnsResults;
            ulong viewMask = 0;
            for (int i = 0; ran && i < grads.Length && i < 64; i++)
            {
                if (grads[i] is { } g && g.SharesStorageWith(gradOutput!))
                {
                    viewMask |= 1UL << i;
                }
            }

            int views = System.Numerics.BitOperations.PopCount(viewMask);
            for (int i = 0; i < inputs.Length; i++)
            {
                Tensor? g = grads[i];
                bool isView = i < 64 ? (viewMask & (1UL << i)) != 0 : g is not null && g.SharesStorageWith(gradOutput!);
                bool resultExclusive = !pass.CreateGraph && entry.OwnsResults && (!isView || (owned && views == 1));
                Deliver(inputs[i], producers[i], g, resultExclusive, ready, ref pass);
            }

            if (owned && views == 0)
            {
                BufferPool.Release(gradOutput!);   // nothing received a view of it: dead
            }

            grads.Clear();
            if (!pass.RetainGraph && (pass.Reaches is null || ran))
            {
                entry.Release();   // (Tape.Grad leaves the part of the graph it did not run as it was, as PyTorch)
            }
        }
    }

    /// <summary>Calls the entry's backward for the inputs that want a gradient, with the engine's checks around it.</summary>
    private static bool RunEntry(TapeEntry entry, ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<TapeEntry?> producers,
        Tensor gradOutput, bool ownsGradOutput, Span<Tensor?> grads, ref Pass pass)
    {
        ulong mask = 0;
        bool[]? beyond64 = inputs.Length > 64 ? new bool[inputs.Length] : null;
        int needCount = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            if (Wanted(inputs[i], producers[i]) is not { } input
                || (pass.Reaches is { } reaches && !Leads(input, producers[i], reaches, pass.Targets!)))
            {
                continue;
            }

            needCount++;
            if (beyond64 is not null)
            {
                beyond64[i] = true;
            }
            else
            {
                mask |= 1UL << i;
            }
        }

        if (needCount == 0)
        {
            return false;
        }

        var context = new BackwardContext(mask, beyond64, pass.CreateGraph,
            canOverwriteGradOutput: !pass.CreateGraph && ownsGradOutput && needCount == 1 && entry.OwnsResults);
        if (pass.IsPlain)
        {
            entry.Backward(context, gradOutput, grads);   // a training step's pass: nothing to check around the call
            ClearUnwanted(context, needCount, grads);
            return true;
        }

        // Read before the VJP runs: a unary VJP may overwrite gradOutput with its result.
        bool gradOutputHadNaN = pass.DetectAnomaly && Anomaly.HasNaN(gradOutput);
        if (pass.DetectAnomaly)
        {
            // A NaN made by an op inside this VJP is this entry's NaN (reported below), not a forward anomaly of that op.
            int depth = Tape.SuspendAnomalyChecks();
            try
            {
                Invoke(entry, inputs, context, gradOutput, grads);
            }
            finally
            {
                Tape.ResumeAnomalyChecks(depth);
            }
        }
        else
        {
            Invoke(entry, inputs, context, gradOutput, grads);
        }

        ClearUnwanted(context, needCount, grads);
        if (pass.DetectAnomaly && !gradOutputHadNaN)
        {
            Anomaly.CheckBackward(entry, gradOutput, grads);
        }

        return true;
    }

    /// <summary>An input that did not ask for a gradient gets none, whatever the entry wrote.</summary>
    private static void ClearUnwanted(in BackwardContext context, int needCount, Span<Tensor?> grads)
    {
        for (int i = 0; needCount < grads.Length && i < grads.Length; i++)
        {
            if (!context.NeedsInputGrad(i))
            {
                grads[i] = null;
            }
        }
    }

    /// <summary>The entry's Backward, with the checks that apply to the path.</summary>
    private static void Invoke(TapeEntry entry, ReadOnlySpan<Tensor?> inputs, in BackwardContext context,
        Tensor gradOutput, Span<Tensor?> grads)
    {
        if (!context.CreateGraph && OwnershipTracker.Enabled && entry.OwnsResults)
        {
            RunChecked(entry, inputs, context, gradOutput, grads);
            return;
        }

        entry.Backward(context, gradOutput, grads);
        if (context.CreateGraph)
        {
            CheckShapes(entry, inputs, context, grads);   // the graph path is not the hot loop: always check
        }
    }

    /// <summary>Runs a built-in entry's fast path under the ownership check.</summary>
    private static void RunChecked(TapeEntry entry, ReadOnlySpan<Tensor?> inputs, in BackwardContext context,
        Tensor gradOutput, Span<Tensor?> grads)
    {
        int start = OwnershipTracker.Begin();
        try
        {
            entry.Backward(context, gradOutput, grads);
            CheckResults(entry, inputs, context, gradOutput, grads, start);
        }
        finally
        {
            OwnershipTracker.End(start);
        }
    }

    /// <summary>Tape.Grad: whether a gradient for <paramref name="input"/> can reach one of the targets.</summary>
    private static bool Leads(Tensor input, TapeEntry? producer, HashSet<TapeEntry> reaches, Tensor[] targets) =>
        (producer is not null && reaches.Contains(producer)) || (producer is null && Array.IndexOf(targets, input) >= 0);

    /// <summary>
    /// Tape.Grad runs only the part of the graph between the output and the inputs asked for (as PyTorch): the entries
    /// from which a target can be reached. Found by an iterative post-order walk (no recursion, any depth).
    /// </summary>
    private static HashSet<TapeEntry> FindEntriesReachingTargets(TapeEntry rootEntry, Tensor[] targets)
    {
        var reaches = new HashSet<TapeEntry>(ReferenceEqualityComparer.Instance);
        var done = new HashSet<TapeEntry>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(TapeEntry Entry, bool Expanded)>();
        stack.Push((rootEntry, false));
        while (stack.Count > 0)
        {
            var (entry, expanded) = stack.Pop();
            if (done.Contains(entry))
            {
                continue;
            }

            if (!expanded)
            {
                stack.Push((entry, true));
                foreach (TapeEntry? producer in entry.Producers)
                {
                    if (producer is not null && !done.Contains(producer))
                    {
                        stack.Push((producer, false));
                    }
                }

                continue;
            }

            done.Add(entry);
            if (Array.Exists(targets, t => ReferenceEquals(t.GradFn, entry)))
            {
                reaches.Add(entry);   // the entry of an intermediate target: its own gradient is wanted
            }

            ReadOnlySpan<Tensor?> inputs = entry.Inputs;
            ReadOnlySpan<TapeEntry?> producers = entry.Producers;
            for (int i = 0; i < inputs.Length; i++)
            {
                if (inputs[i] is { } input && Leads(input, producers[i], reaches, targets))
                {
                    reaches.Add(entry);
                    break;
                }
            }
        }

        return reaches;
    }

    /// <summary>Every result has its input's shape and dtype.</summary>
    private static void CheckShapes(TapeEntry entry, ReadOnlySpan<Tensor?> inputs, in BackwardContext context,
        ReadOnlySpan<Tensor?> grads)
    {
        for (int i = 0; i < inputs.Length; i++)
        {
            if (context.NeedsInputGrad(i) && grads[i] is { } g)
            {
                Tensor input = inputs[i]!;
                if (g.DType != input.DType || !g.ShapeSpan.SequenceEqual(input.ShapeSpan))
                {
                    throw new InvalidOperationException(
                        $"Backward of {entry.Name}: the gradient of input {i} is {ShapeText.Format(g.ShapeSpan)} {g.DType}; "
                        + $"the input is {ShapeText.Format(input.ShapeSpan)} {input.DType}.");
                }
            }
        }
    }

    /// <summary>The debug-build check of a built-in VJP: right shapes and dtypes, and only storage it owns.</summary>
    private static void CheckResults(TapeEntry entry, ReadOnlySpan<Tensor?> inputs, in BackwardContext context,
        Tensor gradOutput, ReadOnlySpan<Tensor?> grads, int start)
    {
        CheckShapes(entry, inputs, context, grads);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!context.NeedsInputGrad(i) || grads[i] is not { } g)
            {
                continue;
            }

            if (!g.SharesStorageWith(gradOutput) && !OwnershipTracker.IsNewSince(start, g.Storage))
            {
                throw new InvalidOperationException(
                    $"Backward of {entry.Name}: the gradient of input {i} is storage the VJP does not own (neither "
                    + "new nor a view of the incoming gradient; e.g. a saved tensor or an input). The engine would "
                    + "take it over and later add into it in place, corrupting whatever else holds it.");
            }
        }
    }

    /// <summary>
    /// The input if it still wants a gradient: a leaf whose RequiresGrad was turned off after the op was recorded
    /// receives none (as PyTorch's AccumulateGrad).
    /// </summary>
    private static Tensor? Wanted(Tensor? input, TapeEntry? producer) =>
        producer is null && input is { RequiresGrad: false } ? null : input;

    /// <summary>Passes an input's gradient to its producer (queued once all its consumers have delivered) or its leaf.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Deliver(Tensor? input, TapeEntry? producer, Tensor? inputGrad, bool exclusive,
        EntryStack ready, ref Pass pass)
    {
        if (input is null)
        {
            return;
        }

        if (producer is not null)
        {
            if (inputGrad is not null)
            {
                Sum(ref producer.PendingGrad, ref producer.PendingGradExclusive, inputGrad, exclusive, pass.CreateGraph);
            }

            if (--producer.PendingConsumers == 0)
            {
                ready.Push(producer);
            }

            return;
        }

        if (pass.Leaves is { } leaves && leaves.TryGetValue(input, out LeafPending? pending))
        {
            if (inputGrad is not null)
            {
                Sum(ref pending.Grad, ref pending.Exclusive, inputGrad, exclusive, pass.CreateGraph);
            }

            if (--pending.Consumers == 0 && pending.Grad is not null)
            {
                FinishLeaf(input, pending.Grad, pending.Exclusive, ref pass);
                pending.Grad = null;
            }

            return;
        }

        if (inputGrad is null || pass.Targets is not null)
        {
            return;   // Tape.Grad: leaves that are not asked for get nothing
        }

        if (!input.AccumulateGrad(inputGrad, exclusive, pass.CreateGraph) && exclusive)
        {
            BufferPool.Release(inputGrad);   // added into the leaf's gradient: dead
        }
    }

    /// <summary>A leaf's whole gradient for this pass: its hooks run, then it is captured or accumulated into Grad.</summary>
    private static void FinishLeaf(Tensor leaf, Tensor gradient, bool exclusive, ref Pass pass)
    {
        if (leaf.LeafHooks is { Count: > 0 } hooks)
        {
            gradient = RunHooks(hooks, gradient, "leaf");
            exclusive = false;
        }

        if (pass.Targets is { } targets)
        {
            for (int i = 0; i < targets.Length; i++)
            {
                if (ReferenceEquals(targets[i], leaf))
                {
                    pass.Captured![i] = gradient;
                }
            }

            return;
        }

        leaf.AccumulateGrad(gradient, exclusive, pass.CreateGraph);
    }

    /// <summary>Tape.Grad with an intermediate tensor as an input: its gradient is its producer's whole gradient.</summary>
    private static bool Capture(Tensor[] targets, TapeEntry entry, Tensor gradOutput, ref Pass pass)
    {
        bool captured = false;
        for (int i = 0; i < targets.Length; i++)
        {
            if (ReferenceEquals(targets[i].GradFn, entry))
            {
                pass.Captured![i] = gradOutput;
                captured = true;
            }
        }

        return captured;
    }

    private static Tensor RunHooks(List<Func<Tensor, Tensor?>> hooks, Tensor gradient, string owner)
    {
        foreach (Func<Tensor, Tensor?> hook in hooks.ToArray())
        {
            if (hook(gradient) is { } replaced)
            {
                if (replaced.DType != gradient.DType || !replaced.ShapeSpan.SequenceEqual(gradient.ShapeSpan))
                {
                    throw new InvalidOperationException(
                        $"A hook on the output of {owner} returned {ShapeText.Format(replaced.ShapeSpan)} {replaced.DType}; "
                        + $"the gradient it replaces is {ShapeText.Format(gradient.ShapeSpan)} {gradient.DType}.");
                }

                gradient = replaced;
            }
        }

        return gradient;
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

            return Tensor.FullSharingShape(root.ShapeArray, 1.0, root.DType);
        }

        if (gradient.DType != root.DType || !gradient.ShapeSpan.SequenceEqual(root.ShapeSpan))
        {
            throw new ArgumentException(
                $"Backward: the gradient ({ShapeText.Format(gradient.ShapeSpan)} {gradient.DType}) must have the "
                + $"output's shape and dtype ({ShapeText.Format(root.ShapeSpan)} {root.DType}).");
        }

        return gradient;
    }

    /// <summary>
    /// Finds every entry reachable from the root, counts its consumers within this graph and checks the versions of
    /// what it saved (so that a stale graph throws before any gradient is written). Leaves whose gradient must be
    /// summed before use (they have hooks, or Tape.Grad asks for them) get a consumer count too.
    /// </summary>
    private static void CountConsumers(TapeEntry rootEntry, int mark, ref Pass pass)
    {
        rootEntry.VisitMark = mark;
        rootEntry.PendingConsumers = 0;
        TapeState state = pass.State;
        EntryStack stack = state.PassDepth > 1 ? new EntryStack() : (state.Pending ??= new EntryStack());
        stack.Clear();
        stack.Push(rootEntry);
        bool trackLeaves = pass.Targets is not null || Tensor.HasAnyLeafHook;
        while (stack.Count > 0)
        {
            TapeEntry entry = stack.Pop();
            if (entry.IsReleased)
            {
                throw ReleasedGraph(entry);
            }

            entry.CheckSavedVersions();
            ReadOnlySpan<TapeEntry?> producers = entry.Producers;
            // Leaves are looked at only when one may need its gradient summed first (hooks, Tape.Grad): most passes
            // then never touch them here.
            ReadOnlySpan<Tensor?> inputs = trackLeaves ? entry.Inputs : default;
            for (int i = 0; i < producers.Length; i++)
            {
                if (producers[i] is not { } producer)
                {
                    if (trackLeaves && inputs[i] is { } input
                        && (input.LeafHooks is { Count: > 0 } || (pass.Targets is { } targets && Array.IndexOf(targets, input) >= 0)))
                    {
                        pass.Leaves ??= new Dictionary<Tensor, LeafPending>(ReferenceEqualityComparer.Instance);
                        if (!pass.Leaves.TryGetValue(input, out LeafPending? pending))
                        {
                            pass.Leaves[input] = pending = new LeafPending();
                        }

                        pending.Consumers++;
                    }

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

    /// <summary>Sums a contribution into a pending gradient (fan-out: a tensor used several times).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Sum(ref Tensor? pending, ref bool pendingExclusive, Tensor contribution, bool exclusive, bool createGraph)
    {
        if (pending is null)
        {
            pending = contribution;   // the first (usually the only) contribution
            pendingExclusive = exclusive;
            return;
        }

        SumInto(ref pending, ref pendingExclusive, contribution, exclusive, createGraph);
    }

    /// <summary>The second and later contributions: an actual sum.</summary>
    private static void SumInto(ref Tensor pending, ref bool pendingExclusive, Tensor contribution, bool exclusive, bool createGraph)
    {
        if (createGraph)
        {
            pending = Ops.Arithmetic.Add(pending, contribution);   // recorded: the sum is differentiable
            pendingExclusive = false;
            return;
        }

        if (!pendingExclusive)
        {
            if (exclusive)
            {
                // Add into the contribution instead: the pending buffer is shared with another consumer.
                DTypeDispatch.Float(pending.DType, new Tensor.AddInto(pending, contribution, contribution));
                pending = contribution;
                pendingExclusive = true;
                return;
            }

            // Both are shared: add into a fresh buffer.
            Tensor sum = Tensor.Empty(pending.ShapeArray, pending.DType);
            DTypeDispatch.Float(pending.DType, new Tensor.AddInto(pending, contribution, sum));
            pending = sum;
            pendingExclusive = true;
            return;
        }

        DTypeDispatch.Float(pending.DType, new Tensor.AddInto(pending, contribution, pending));
        if (exclusive)
        {
            BufferPool.Release(contribution);   // summed into the pending buffer: dead
        }
    }

    private static InvalidOperationException ReleasedGraph(TapeEntry entry) => new(
        $"Backward: the graph through {entry.Name} was already released by an earlier Backward, which freed the "
        + "buffers it saved. Call Backward(retainGraph: true) the first time to back-propagate through it again.");

    /// <summary>The settings and results of one pass.</summary>
    private struct Pass(bool createGraph, bool retainGraph, Tensor[]? targets, TapeState state)
    {
        public readonly bool CreateGraph = createGraph;
        public readonly bool RetainGraph = retainGraph;
        public readonly Tensor[]? Targets = targets;
        public readonly Tensor?[]? Captured = targets is null ? null : new Tensor?[targets.Length];
        public readonly TapeState State = state;
        public readonly bool DetectAnomaly = Tape.IsAnomalyDetectionEnabled;

        /// <summary>A training step's pass: the fast path with nothing captured, recorded or checked.</summary>
        public readonly bool IsPlain = !createGraph && targets is null && !Tape.IsAnomalyDetectionEnabled && !OwnershipTracker.Enabled;
        public Dictionary<Tensor, LeafPending>? Leaves;
        public HashSet<TapeEntry>? Reaches;   // Tape.Grad: the entries that lead to a target
    }

    /// <summary>A leaf's gradient being summed over its consumers before hooks or capture see it.</summary>
    private sealed class LeafPending
    {
        public int Consumers;
        public Tensor? Grad;
        public bool Exclusive;
    }

    /// <summary>Room on the stack for the gradients of up to four inputs.</summary>
    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct InputGrads
    {
        public const int Length = 4;
        private Tensor? _element;
    }
}
