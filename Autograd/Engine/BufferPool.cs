namespace Autograd;

/// <summary>
/// The engine's caching allocator for tensor storage, per thread. Arrays of <see cref="MinLength"/> elements and
/// more come back to it in two ways, and <see cref="Rent{T}"/> hands them out again by exact length:
/// <list type="bullet">
/// <item><b>Deterministically</b>, when the engine proves a buffer dead: the backward pass's intermediate gradients,
/// scratch of kernels, buffers an entry kept for itself (<see cref="Return"/>, <see cref="Release"/>).</item>
/// <item><b>Through the GC</b>: every tensor made on this thread around such an array is tracked by a weak reference
/// to it. Views keep their storage's first tensor alive (<see cref="VersionCounter.Owner"/>), so once that tensor is
/// collected no tensor can reach the array, and the next scan after a collection puts it back. When a rent misses
/// and enough bytes were tracked since the last collection, the pool asks for a cheap gen-0/1 collection itself:
/// a training step's dead activations are small objects in the young generations, so one such collection frees a
/// step's worth of buffers, instead of fresh large-object-heap arrays and gen-2 collections.</item>
/// </list>
/// A tensor a user still holds is reachable, so its storage is never taken back. See docs/ARCHITECTURE.md, "Memory".
/// </summary>
internal static class BufferPool
{
    /// <summary>Smaller arrays come from gen 0 faster than a pool lookup (and tracking them would cost more than they do).</summary>
    internal const int MinLength = 256;

    /// <summary>Bytes tracked since the last collection after which a missed rent collects gen 0 and 1 itself.</summary>
    internal const long CollectBudget = 32L << 20;

    /// <summary>A missed rent of this many bytes or more collects as soon as twice its size was tracked since the pool
    /// last collected (and looks in gen 2 for a dead tensor of its length): a new large array costs page faults and
    /// would stay in the pool as a second copy.</summary>
    internal const long LargeRequest = 1L << 20;

    /// <summary>Bytes of tracked arrays whose tensors reached gen 2 since the last gen-2 collection after which the
    /// pool's own collection is a gen-2 one (tensors that lived across collections, then died: a leaf's old Grad).</summary>
    internal const long OldCollectBudget = 256L << 20;

    /// <summary>Free bytes kept per thread; past it the least recently used lengths are left to the GC.</summary>
    internal static long MaxFreeBytes { get; set; } = 1L << 30;

    /// <summary>Whether a missed rent may induce a collection (AUTOGRAD_POOL_COLLECT=0 turns it off).</summary>
    internal static bool InduceCollections { get; set; } = Environment.GetEnvironmentVariable("AUTOGRAD_POOL_COLLECT") != "0";

    /// <summary>
    /// AUTOGRAD_POOL_STRESS=1: every tracked rent collects and scans first, so that a buffer still in use after its
    /// tensor died would be handed out again at once (the test of the liveness rule, run on a Release build).
    /// </summary>
    internal static readonly bool Stress = Environment.GetEnvironmentVariable("AUTOGRAD_POOL_STRESS") == "1";

#if DEBUG
    /// <summary>Debug builds (and stress runs) poison every buffer that enters the pool with NaN (a use after return
    /// shows) and check that no buffer is returned twice.</summary>
    internal static readonly bool Checked = true;
#else
    internal static readonly bool Checked = Stress;
#endif

    [ThreadStatic]
    private static PoolState? _state;

    /// <summary>This thread's pool (created on first use).</summary>
    internal static PoolState State => _state ??= new PoolState();

    /// <summary>An uninitialised array of exactly <paramref name="length"/> elements: a free one of that length, or one
    /// reclaimed from a dead tensor, or a new one. Tensor storage: the tensor made around it is tracked.</summary>
    public static T[] Rent<T>(int length)
        where T : unmanaged
    {
        if (length >= MinLength && ElementKind<T>.Code != 0)
        {
            PoolState state = State;
            return (T[]?)state.TryRent(ElementKind<T>.Code, length, ElementKind<T>.Size, scan: true) ?? GC.AllocateUninitializedArray<T>(length);
        }

        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Like <see cref="Rent{T}"/> but never scans or collects: for kernels' scratch, taken while raw arrays of
    /// other tensors may be in use. Give it back with <see cref="Return"/>.</summary>
    public static T[] RentScratch<T>(int length)
        where T : unmanaged
    {
        if (length >= MinLength && ElementKind<T>.Code != 0)
        {
            PoolState state = State;
            return (T[]?)state.TryRent(ElementKind<T>.Code, length, ElementKind<T>.Size, scan: false) ?? GC.AllocateUninitializedArray<T>(length);
        }

        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>
    /// Gives back scratch that nothing will read or write again and that no tensor was ever made around (for a
    /// tensor's storage use <see cref="Release"/>). Small arrays are left to the GC.
    /// </summary>
    public static void Return(Array buffer)
    {
        if (buffer.Length >= MinLength)
        {
            State.ReturnScratch(buffer);
        }
    }

    /// <summary>
    /// Gives back the storage of <paramref name="tensor"/>, which the engine owns and nobody else can reach (or which
    /// the user disposed), and revokes it: any later use of the tensor throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public static void Release(Tensor tensor)
    {
        Array storage = tensor.Storage;
        tensor.Revoke();
        if (storage.Length >= MinLength)
        {
            State.ReturnTracked(storage);
        }
    }

    /// <summary>Starts tracking <paramref name="storage"/>, the storage <paramref name="owner"/> was just made around.</summary>
    public static void Track(Tensor owner, Array storage)
    {
        if (storage.Length >= MinLength)
        {
            State.Track(owner, storage);
        }
    }

    /// <summary>Drops every free buffer of this thread (left to the GC). Tracked tensors stay tracked.</summary>
    public static void Trim() => _state?.Trim();

    /// <summary>A small number per element type the pool keeps (0: not pooled), and its size in bytes.</summary>
    private static class ElementKind<T>
        where T : unmanaged
    {
        public static readonly int Code =
            typeof(T) == typeof(float) ? 1 : typeof(T) == typeof(double) ? 2 : typeof(T) == typeof(long) ? 3
            : typeof(T) == typeof(bool) ? 4 : typeof(T) == typeof(int) ? 5 : 0;

        public static readonly int Size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
    }

    /// <summary>The code and element size of a pooled array, or code 0.</summary>
    internal static (int Code, int Size) KindOf(Array array) => array switch
    {
        float[] => (1, sizeof(float)),
        double[] => (2, sizeof(double)),
        long[] => (3, sizeof(long)),
        bool[] => (4, sizeof(bool)),
        int[] => (5, sizeof(int)),
        _ => (0, 0),
    };
}
