using System.Numerics.Tensors;

namespace Autograd;

/// <summary>
/// A dense, contiguous, row-major array of <see cref="float"/> or <see cref="double"/> that records the
/// ops applied to it on a gradient tape, so that <see cref="Backward"/> can compute exact gradients.
/// </summary>
/// <remarks>
/// A tensor is either a <b>leaf</b> (made by the user: <see cref="FromArray(float[], int[])"/>,
/// <see cref="Zeros"/>, ...) or the output of an op. An op whose input requires a gradient records a
/// <see cref="TapeEntry"/> on its output; the entries, linked from output to inputs, are the tape.
/// Nothing global holds them: a graph that is dropped without <see cref="Backward"/> is collected.
/// </remarks>
public sealed partial class Tensor
{
    private readonly int[] _shape;
    private Array _storage;            // float[], double[], long[] or bool[], exactly Count long; _revokedStorage once disposed
    private bool _requiresGrad;
    private Tensor? _grad;
    private bool _gradOwned;                          // _grad's storage is ours alone (in-place accumulation is safe)
    private VersionCounter? _version;                 // shared by every view of the storage; null: version 0
    private bool _hasLeafHooks;                       // its hooks, if any, are in _leafHookTable

    // The hooks of leaves, beside the tensors rather than in them: every tensor would otherwise carry a field for them.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Tensor, List<Func<Tensor, Tensor?>>> _leafHookTable = [];

    /// <summary>Wraps <paramref name="storage"/>, which the new tensor owns (nothing else may reference it).</summary>
    internal Tensor(Array storage, int[] shape)
        : this(storage, shape, DTypeDispatch.Of(storage))
    {
    }

    /// <summary>Wraps <paramref name="storage"/> of the given <paramref name="dtype"/> (the caller guarantees they agree).</summary>
    internal Tensor(Array storage, int[] shape, DType dtype)
    {
        _storage = storage;
        _shape = shape;
        DType = dtype;
        OwnershipTracker.NoteNew(storage);
        BufferPool.Track(this, storage);   // the pool takes the array back once this tensor (and so every view) is collected
    }

    /// <summary>Wraps <paramref name="storage"/>, which someone else owns and keeps: not tracked by the buffer pool, which
    /// so never takes it back (see <see cref="Borrow"/>).</summary>
    private Tensor(Array storage, int[] shape, DType dtype, bool borrowed)
    {
        System.Diagnostics.Debug.Assert(borrowed, "only for borrowed storage");
        _storage = storage;
        _shape = shape;
        DType = dtype;
    }

    /// <summary>
    /// A tensor over <paramref name="storage"/> that stays its owner's (an optimizer's state buffer, written out by a
    /// checkpoint save without a copy): the buffer pool never reclaims the array, even when the tensor is collected or
    /// disposed. Only for tensors that never reach the user, who could otherwise write to the owner's data.
    /// </summary>
    internal static Tensor Borrow(Array storage, int[] shape) => new(storage, shape, DTypeDispatch.Of(storage), borrowed: true);

    private Tensor(Tensor source, int[] shape)
    {
        _storage = source._storage;
        _shape = shape;
        DType = source.DType;
        VersionCounter shared = source.SharedVersionCounter();
        shared.Shared = true;
        _version = shared;   // which also keeps the storage's first tensor, the one the pool tracks, alive
    }

    /// <summary>A new tensor over <paramref name="source"/>'s storage (a view): no copy, and the same version counter,
    /// so an in-place change through either is seen by Backward through both.</summary>
    internal static Tensor View(Tensor source, int[] shape) => new(source, shape);

    /// <summary>The dimensions, outermost first (a copy; <c>[]</c> for a scalar).</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements (0 once disposed).</summary>
    public int Count => _storage.Length;

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The op that produced this tensor, or null for a leaf (or a result recorded under no-grad).</summary>
    internal TapeEntry? GradFn { get; private set; }

    /// <summary>True for tensors the user made, false for outputs of recorded ops.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>
    /// Whether gradients flow to (or through) this tensor. Settable on leaves only; an op's output
    /// requires a gradient exactly when one of its inputs does and recording is enabled.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null)
            {
                throw new InvalidOperationException(
                    "RequiresGrad can only be changed on leaf tensors; this tensor is the output of "
                    + $"{GradFn.Name}. Use Detach() to get a leaf that shares its data.");
            }

            if (value && !DTypeDispatch.IsFloatingPoint(DType))
            {
                throw new InvalidOperationException(
                    $"RequiresGrad: only floating-point tensors can require a gradient; this one is {DType} "
                    + $"{ShapeText.Format(_shape)}. Int64 and Bool tensors carry data only (labels, indices, masks).");
            }

            _requiresGrad = value;
        }
    }

    /// <summary>The gradient accumulated by <see cref="Backward"/> into this leaf; null until then.</summary>
    public Tensor? Grad => _grad;

    internal ReadOnlySpan<int> ShapeSpan => _shape;

    /// <summary>
    /// The shape array itself, not a copy. Shapes are immutable once a tensor owns them, so ops share one array
    /// between an input and an output of the same shape instead of cloning it; never write to it.
    /// </summary>
    internal int[] ShapeArray => _shape;

    internal Array Storage => _storage;

    /// <summary>The raw row-major storage; <typeparamref name="T"/> must match <see cref="DType"/>.</summary>
    internal Span<T> Span<T>()
        where T : unmanaged => Data<T>();

    /// <summary>The backing array; <typeparamref name="T"/> must match <see cref="DType"/>.</summary>
    internal T[] Data<T>()
        where T : unmanaged
    {
        if (_storage is T[] array)
        {
            return array;
        }

        ThrowIfDisposed();
        throw new InvalidOperationException($"The tensor holds {DType}, not {typeof(T).Name}.");
    }

    /// <summary>True once <see cref="Dispose"/> gave the storage back: the tensor can no longer be read or written.</summary>
    public bool IsDisposed => ReferenceEquals(_storage, _revokedStorage);

    /// <summary>
    /// Gives the storage back to the engine's buffer pool now, instead of when the garbage collector finds the
    /// tensor unreachable (which needs no call: this is for code that wants its memory back at a known point). Any
    /// later use of this tensor throws <see cref="ObjectDisposedException"/>; so does a Backward through a graph that
    /// saved it. When views (Reshape, Detach, ...) share the storage, only this tensor is disposed and the views keep
    /// the data. Calling it again does nothing. (Tensor does not implement <see cref="IDisposable"/> on purpose: no tensor
    /// needs disposing, and analyzers would otherwise ask for it on every one.)
    /// </summary>
    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }

        if (_version is { Shared: true })
        {
            Revoke();   // another tensor may view the storage: it stays until the GC finds them all unreachable
            return;
        }

        BufferPool.Release(this);
    }

    /// <summary>
    /// Lets the garbage collector have every buffer the engine keeps for reuse on this thread (as PyTorch's
    /// <c>torch.cuda.empty_cache()</c>): the free ones, and those of tensors collected since it last looked. For a
    /// program that is done with a large computation and wants its memory back; tensors keep their data, later ops
    /// simply allocate again.
    /// </summary>
    public static void EmptyCache() => BufferPool.Trim();

    /// <summary>Cuts this tensor from its storage (see <see cref="Dispose"/>): every later read or write throws.</summary>
    internal void Revoke() => _storage = _revokedStorage;

    private void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            throw new ObjectDisposedException(nameof(Tensor),
                $"The tensor {ShapeText.Format(_shape)} {DType} was disposed (its storage went back to the buffer pool); "
                + "it can no longer be read or written.");
        }
    }

    /// <summary>The storage of every disposed tensor: an array of no element type a tensor has, so that reading it as
    /// float, double, long or bool fails into <see cref="ThrowIfDisposed"/>.</summary>
    private static readonly Array _revokedStorage = Array.Empty<RevokedElement>();

    private readonly struct RevokedElement;

    /// <summary>Makes the output of an op: storage of <paramref name="shape"/> that nothing else references (new, or a
    /// dead gradient buffer from <see cref="BufferPool"/>), uninitialised.</summary>
    internal static Tensor Empty(int[] shape, DType dtype) =>
        new(DTypeDispatch.Rent(dtype, ShapeText.Count(shape, "Tensor")), shape, dtype);

    /// <summary>The number of in-place changes made to this tensor's storage (through it or any view of it).</summary>
    internal int Version => _version?.Value ?? 0;

    /// <summary>Records an in-place change of the storage: Backward through an op that saved it will then throw.</summary>
    internal void BumpVersion() => SharedVersionCounter().Value++;

    /// <summary>
    /// The storage's version counter, made on first need. Made atomically: two threads taking their first view of
    /// one parameter at once must end up sharing a single counter, or an in-place write through one view would go
    /// unseen by the other.
    /// </summary>
    private VersionCounter SharedVersionCounter()
    {
        if (_version is { } existing)
        {
            return existing;
        }

        VersionCounter made = new(this);
        return Interlocked.CompareExchange(ref _version, made, null) ?? made;   // the loser takes the winner's
    }

    /// <summary>False until a hook is first registered on any leaf: until then the backward pass skips looking.</summary>
    internal static bool HasAnyLeafHook { get; private set; }

    /// <summary>Hooks of this leaf, or null.</summary>
    internal List<Func<Tensor, Tensor?>>? LeafHooks =>
        _hasLeafHooks && _leafHookTable.TryGetValue(this, out List<Func<Tensor, Tensor?>>? hooks) ? hooks : null;

    /// <summary>Set by <see cref="Tape.ShouldRecord(string, Tensor, Tensor)"/> inside DetectAnomaly: the entry about to be
    /// attached keeps the caller's source line. (A flag on the output, so ordinary recording reads no thread-static.)</summary>
    internal bool CaptureCallSite { get; set; }

    /// <summary>Attaches the op that produced this tensor; called once, right after the forward pass.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void SetGradFn(TapeEntry entry)
    {
        GradFn = entry;
        _requiresGrad = true;
        if (CaptureCallSite)
        {
            KeepCallSite(entry);
        }
    }

    private void KeepCallSite(TapeEntry entry)
    {
        entry.CallSite = Anomaly.CallSite();
        CaptureCallSite = false;
    }

    /// <summary>
    /// Replaces the op that produced this tensor after an in-place op rewrote it (PyTorch's rebase_history); the new
    /// entry's input is a tensor that stands for the old value in the graph.
    /// </summary>
    internal void RebaseGradFn(TapeEntry entry)
    {
        GradFn = entry;
        _requiresGrad = true;
        if (Tape.IsAnomalyDetectionEnabled)
        {
            entry.CallSite ??= Anomaly.CallSite();
        }
    }

    /// <summary>
    /// Adds <paramref name="gradient"/> into <see cref="Grad"/>; takes it over when it is exclusively ours.
    /// Returns true when it was taken over (it then belongs to this leaf). With <paramref name="createGraph"/> the
    /// sum is a recorded op (the gradient carries a graph), never an in-place write.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal bool AccumulateGrad(Tensor gradient, bool exclusive, bool createGraph = false)
    {
        if (_grad is null && exclusive && !createGraph)
        {
            // The usual case (Grad cleared by ZeroGrad, the gradient a buffer the pass owns): take it over.
            _grad = gradient;
            _gradOwned = true;
            return true;
        }

        return AccumulateGradSlow(gradient, exclusive, createGraph);
    }

    private bool AccumulateGradSlow(Tensor gradient, bool exclusive, bool createGraph)
    {
        if (_grad is { IsDisposed: true })
        {
            _grad = null;   // the user disposed the old gradient: as if cleared
        }

        if (_grad is null)
        {
            if (createGraph)
            {
                // A recorded copy, as PyTorch's AccumulateGrad: Grad is never a tensor that someone else holds.
                _grad = gradient.Clone();
                _gradOwned = false;
                return false;
            }

            _grad = exclusive ? gradient : gradient.CloneData();
            _gradOwned = true;
            return exclusive;
        }

        if (createGraph || !_gradOwned || _grad.GradFn is not null || gradient.GradFn is not null)
        {
            // Out of place: the old Grad may carry a graph, or be a tensor the user or another graph holds.
            _grad = Ops.Arithmetic.Add(_grad, gradient);
            _gradOwned = !createGraph;
            return false;
        }

        DTypeDispatch.Float(DType, new AddInto(_grad, gradient, _grad));
        _grad.BumpVersion();
        return false;
    }

    /// <summary>Replaces Grad with <paramref name="gradient"/>, a new tensor this leaf takes over (DistributedDataParallel's mean).</summary>
    internal void ReplaceGrad(Tensor gradient) => (_grad, _gradOwned) = (gradient, true);

    /// <summary>A copy of the data as a new leaf that does not require a gradient.</summary>
    internal Tensor CloneData() => new((Array)_storage.Clone(), (int[])_shape.Clone(), DType);

    /// <summary>Copies every element into <paramref name="destination"/> (same dtype) starting at <paramref name="offset"/>.</summary>
    internal void CopyElementsTo(Tensor destination, int offset) =>
        Array.Copy(_storage, 0, destination._storage, offset, Count);

    /// <summary>destination = x + y, elementwise, same lengths.</summary>
    internal readonly struct AddInto(Tensor x, Tensor y, Tensor destination) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
            TensorPrimitives.Add(x.Span<T>(), y.Span<T>(), destination.Span<T>());
    }

    /// <summary>
    /// Registers <paramref name="hook"/>, called with the gradient with respect to this tensor each time one is
    /// computed, before it is accumulated into <see cref="Grad"/> (a leaf) or passed on to the inputs of the op that
    /// made it; a non-null result replaces the gradient. Disposing the returned handle removes the hook.
    /// </summary>
    public IDisposable RegisterHook(Func<Tensor, Tensor?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!RequiresGrad)
        {
            throw new InvalidOperationException(
                "RegisterHook: this tensor does not require a gradient, so no gradient will ever be computed for it. "
                + "Set RequiresGrad = true on the leaf first (or register the hook on a tensor computed from one).");
        }

        if (GradFn is { } entry)
        {
            return entry.AddHook(hook);
        }

        List<Func<Tensor, Tensor?>> hooks = _leafHookTable.GetValue(this, _ => []);
        hooks.Add(hook);

        _hasLeafHooks = true;
        HasAnyLeafHook = true;
        return new HookHandle(hooks, hook);
    }

    /// <summary>True when both tensors view the same storage.</summary>
    internal bool SharesStorageWith(Tensor other) => ReferenceEquals(_storage, other._storage);

    /// <summary>
    /// Copies the elements out as <typeparamref name="T"/>: the tensor's own element type (float, double, long, bool),
    /// or float ↔ double, converted.
    /// </summary>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        ThrowIfDisposed();
        if (_storage is T[] same)
        {
            return (T[])same.Clone();
        }

        if (typeof(T) == typeof(double) && _storage is float[] f)
        {
            return (T[])(object)Array.ConvertAll(f, x => (double)x);
        }

        if (typeof(T) == typeof(float) && _storage is double[] d)
        {
            return (T[])(object)Array.ConvertAll(d, x => (float)x);
        }

        throw new NotSupportedException(
            $"ToArray<{typeof(T).Name}>: the tensor holds {DType}; read it as {DTypeDispatch.ElementType(DType).Name} "
            + "(or float/double for a floating-point tensor), or convert it with To(DType) first.");
    }

    /// <summary>The value of a single-element tensor, as a double (a Bool as 0 or 1).</summary>
    public double Item()
    {
        ThrowIfDisposed();
        if (Count != 1)
        {
            throw new InvalidOperationException(
                $"Item: only a single-element tensor has one value; this one has shape {ShapeText.Format(_shape)}.");
        }

        return ElementConversion.ToDouble(_storage, 0);
    }

    /// <summary>
    /// A leaf that shares this tensor's data but is cut from the tape: no gradient flows through it.
    /// </summary>
    public Tensor Detach() => View(this, _shape);

    /// <summary>Forgets the accumulated gradient (sets <see cref="Grad"/> to null, as PyTorch's set_to_none).</summary>
    public void ZeroGrad() => (_grad, _gradOwned) = (null, false);

    /// <summary>
    /// Back-propagates from this tensor: walks the recorded ops in reverse and accumulates d(this)/d(leaf)
    /// into every leaf's <see cref="Grad"/>.
    /// </summary>
    /// <param name="gradient">d(loss)/d(this); defaults to 1 for a single-element tensor, required otherwise.</param>
    /// <param name="retainGraph">Keep the graph's saved buffers so that Backward can run through it again.</param>
    /// <param name="createGraph">Record the backward pass itself, so that the accumulated gradients carry a graph
    /// and can be differentiated again (higher-order derivatives). Implies <paramref name="retainGraph"/>.</param>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false) =>
        BackwardPass.Run(this, gradient, retainGraph || createGraph, createGraph);

    /// <summary>A short description: shape, dtype and the first values.</summary>
    public override string ToString()
    {
        const int Shown = 8;
        if (IsDisposed)
        {
            return $"Tensor({ShapeText.Format(_shape)} {DType}: disposed)";
        }

        var values = Enumerable.Range(0, Math.Min(Count, Shown)).Select(i => ElementConversion.Format(_storage, i));
        string more = Count > Shown ? ", ..." : "";
        string grad = GradFn is not null ? $", grad_fn={GradFn.Name}" : RequiresGrad ? ", requires_grad" : "";
        return $"Tensor({ShapeText.Format(_shape)} {DType}: {string.Join(", ", values)}{more}{grad})";
    }
}

/// <summary>The version of a storage, shared by every tensor that views it.</summary>
/// <param name="owner">The tensor the storage was made for.</param>
internal sealed class VersionCounter(Tensor owner)
{
    public int Value;

    /// <summary>True once a view shares the storage.</summary>
    public bool Shared;

    /// <summary>
    /// The tensor the storage was made for, which <see cref="BufferPool"/> tracks: every view references this
    /// counter and so keeps it alive, and the storage is reclaimed only once no tensor can reach it.
    /// </summary>
    public Tensor Owner { get; } = owner;
}
