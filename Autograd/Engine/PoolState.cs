namespace Autograd;

/// <summary>
/// One thread's <see cref="BufferPool"/>: free arrays by element type and exact length, and the tensors whose storage
/// it tracks (a weak reference to the tensor, a strong one to its array). Only the thread that made a tensor tracks
/// and reclaims its storage, so nothing here is shared between threads and nothing takes a lock.
/// </summary>
internal sealed class PoolState
{
    private const int MaxTracked = 1 << 20;

    private readonly Dictionary<long, FreeList> _free = [];
    private long _freeBytes;
    private long _clock;   // counts rents: a free list's last use, for evicting the least recently used lengths
    private long _cycle;   // counts the pool's own collections: lengths not rented for StaleCycles of them are dropped

    /// <summary>Free arrays of a length nobody rented during this many of the pool's collections go to the GC (shapes
    /// that changed: the last batch of an epoch, another sequence length).</summary>
    private const int StaleCycles = 8;

    private readonly Dictionary<Array, int> _slotOf = new(ReferenceEqualityComparer.Instance);
    private Tracked[] _tracked = new Tracked[64];
    private int _trackedHigh;                 // slots [0, _trackedHigh) have been used
    private int[] _vacant = new int[64];      // freed slots below _trackedHigh
    private int _vacantCount;
    private int _gcCount = GC.CollectionCount(0);
    private int _gen2Count = GC.CollectionCount(2);
    private long _youngBytes;                 // tracked since the pool last collected, less what came back without
                                              // a collection and what was alive at that one
    private long _oldBytes;                   // tracked arrays whose tensor reached gen 2 since the last gen-2 collection

    /// <summary>Rents served from a free list.</summary>
    public long Hits { get; private set; }

    /// <summary>Rents that found no free array and allocated.</summary>
    public long Misses { get; private set; }

    /// <summary>Bytes allocated by missed rents.</summary>
    public long MissedBytes { get; private set; }

    /// <summary>Arrays taken back from collected tensors.</summary>
    public long Reclaimed { get; private set; }

    /// <summary>Collections the pool asked for.</summary>
    public long Collections { get; private set; }

    /// <summary>Time spent in them, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long CollectionTicks { get; private set; }

    /// <summary>Bytes in the free lists.</summary>
    public long FreeBytes => _freeBytes;

    /// <summary>Tensors whose storage is tracked.</summary>
    public int TrackedCount => _slotOf.Count;

    /// <summary>A free array of this kind and length, after a scan (and a collection) when needed; null if none.</summary>
    public Array? TryRent(int code, int length, int size, bool scan)
    {
        long key = Key(code, length);
        _clock++;
        if (Take(key) is { } array)
        {
            Hits++;
            return array;
        }

        if (scan && _slotOf.Count > 0)
        {
            if (BufferPool.Stress)
            {
                GC.Collect(1, GCCollectionMode.Forced, blocking: true);
            }

            if (GC.CollectionCount(0) != _gcCount && ScanAndTake(key, induced: false) is { } reclaimed)
            {
                return reclaimed;
            }

            long bytes = (long)length * size;
            bool large = bytes >= BufferPool.LargeRequest;
            if (BufferPool.InduceCollections
                && (_youngBytes >= BufferPool.CollectBudget || _oldBytes >= BufferPool.OldCollectBudget || (large && _youngBytes >= 2 * bytes)))
            {
                // A step's dead activations and gradients are young objects: a gen-0/1 collection frees them all at once.
                // A large request collects sooner: a new large array costs its page faults, and a second copy of it.
                Collect(_oldBytes >= BufferPool.OldCollectBudget ? 2 : 1);
                if (ScanAndTake(key, induced: true) is { } collected)
                {
                    return collected;
                }
            }

            if (BufferPool.InduceCollections && large && TracksOld(key))
            {
                // A tensor of this length lived long enough to reach gen 2 (a leaf's Grad, dropped by ZeroGrad): only a
                // gen-2 collection can tell whether it died, and that is cheaper than a second copy of a large array.
                Collect(2);
                if (ScanAndTake(key, induced: true) is { } collected)
                {
                    return collected;
                }
            }
        }

        Misses++;
        MissedBytes += (long)length * size;
        return null;
    }

    /// <summary>A blocking collection of <paramref name="generation"/> and the younger ones.</summary>
    private void Collect(int generation)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        int gen2 = GC.CollectionCount(2);
        GC.Collect(generation, GCCollectionMode.Forced, blocking: true);
        DropStaleLengths();
        if (generation < 2 && GC.CollectionCount(2) != gen2)
        {
            // The runtime raised it to gen 2 (large-object allocations since the last one) and ran that in the
            // background, which leaves gen 0 and 1 alone: collect them now.
            GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        }

        Collections++;
        CollectionTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
    }

    private void DropStaleLengths()
    {
        _cycle++;
        foreach (FreeList list in _free.Values)
        {
            if (list.Count > 0 && _cycle - list.LastTakeCycle > StaleCycles)
            {
                for (int i = 0; i < list.Count; i++)
                {
                    _freeBytes -= ByteLength(list.Items[i]!);
                    list.Items[i] = null;
                }

                list.Count = 0;
            }
        }
    }

    /// <summary>Whether a tracked array of this kind and length has a tensor in gen 2 (which may have died since).</summary>
    private bool TracksOld(long key)
    {
        for (int i = 0; i < _trackedHigh; i++)
        {
            ref Tracked tracked = ref _tracked[i];
            if (tracked.Old && !tracked.AliveAtGen2 && tracked.Storage is { } storage && Key(BufferPool.KindOf(storage).Code, storage.Length) == key)
            {
                return true;
            }
        }

        return false;
    }

    private Array? ScanAndTake(long key, bool induced)
    {
        Scan(induced);
        if (Take(key) is { } array)
        {
            Hits++;
            return array;
        }

        return null;
    }

    /// <summary>Starts tracking the storage <paramref name="owner"/> was made around.</summary>
    public void Track(Tensor owner, Array storage)
    {
        var (code, size) = BufferPool.KindOf(storage);
        if (code == 0 || _slotOf.Count >= MaxTracked)
        {
            return;
        }

        int slot = _vacantCount > 0 ? _vacant[--_vacantCount] : NewSlot();
        if (!_slotOf.TryAdd(storage, slot))
        {
            // Two tensors made around one array (only views may share storage): never reclaim it.
            _vacant[_vacantCount++] = slot;
            Untrack(_slotOf[storage]);
            if (BufferPool.Checked)
            {
                throw new InvalidOperationException(
                    $"BufferPool: a second tensor was made around the storage of another ({storage.Length} elements); "
                    + "tensors share storage only through Tensor.View.");
            }

            return;
        }

        ref Tracked tracked = ref _tracked[slot];
        if (tracked.Owner is null)
        {
            tracked.Owner = new WeakReference<Tensor>(owner);
        }
        else
        {
            tracked.Owner.SetTarget(owner);
        }

        tracked.Storage = storage;
        tracked.Old = tracked.AliveAtGen2 = false;
        _youngBytes += (long)storage.Length * size;
    }

    private int NewSlot()
    {
        if (_trackedHigh == _tracked.Length)
        {
            Array.Resize(ref _tracked, _tracked.Length * 2);
            Array.Resize(ref _vacant, _tracked.Length);
        }

        return _trackedHigh++;
    }

    private void Untrack(int slot)
    {
        ref Tracked tracked = ref _tracked[slot];
        _slotOf.Remove(tracked.Storage!);
        tracked.Owner!.SetTarget(null!);
        tracked.Storage = null;
        _vacant[_vacantCount++] = slot;
    }

    /// <summary>A tensor's storage the engine proved dead: untracked and freed; left alone when another thread tracks it.</summary>
    public void ReturnTracked(Array storage)
    {
        if (_slotOf.TryGetValue(storage, out int slot))
        {
            Untrack(slot);
            Push(storage);
            _youngBytes -= ByteLength(storage);   // back without a collection: no longer waiting for one
        }
    }

    /// <summary>Scratch that no tensor was made around.</summary>
    public void ReturnScratch(Array buffer)
    {
        if (_slotOf.TryGetValue(buffer, out int slot))
        {
            // Storage returned as scratch: the caller proves it dead all the same.
            Untrack(slot);
        }

        Push(buffer);
    }

    /// <summary>
    /// After a collection: every tracked array whose tensor was collected goes to the free lists. Tensors in gen 2 are
    /// looked at only after a gen-2 collection (they cannot have been collected before). The budget of tracked bytes
    /// starts again only after the pool's own collection: a collection the runtime started may be a background gen-2
    /// one, which collects no young tensor.
    /// </summary>
    private void Scan(bool induced)
    {
        _gcCount = GC.CollectionCount(0);
        int gen2 = GC.CollectionCount(2);
        bool gen2Collected = gen2 != _gen2Count;
        if (gen2Collected)
        {
            _gen2Count = gen2;
            _oldBytes = 0;
        }

        long youngAlive = 0;
        for (int i = 0; i < _trackedHigh; i++)
        {
            ref Tracked tracked = ref _tracked[i];
            if (tracked.Storage is null || (tracked.Old && !gen2Collected))
            {
                continue;
            }

            if (tracked.Owner!.TryGetTarget(out Tensor? owner))
            {
                if (tracked.Old)
                {
                    tracked.AliveAtGen2 = true;   // (only gen-2 scans get here) a long-lived tensor: input, parameter
                    continue;
                }

                if (GC.GetGeneration(owner) >= 2)
                {
                    tracked.Old = true;
                    _oldBytes += ByteLength(tracked.Storage);
                }
                else
                {
                    youngAlive += ByteLength(tracked.Storage);
                }

                continue;
            }

            Array storage = tracked.Storage;
            Untrack(i);
            Push(storage);
            Reclaimed++;
        }

        if (induced)
        {
            // The next collection is worth it once the budget was tracked beyond what is alive now (a step's
            // activations in flight): otherwise a large step would collect again before anything more died.
            _youngBytes = -youngAlive;
        }
    }

    private Array? Take(long key)
    {
        if (_free.TryGetValue(key, out FreeList? list) && list.Count > 0)
        {
            Array array = list.Items[--list.Count]!;
            list.Items[list.Count] = null;
            list.LastUse = _clock;
            list.LastTakeCycle = _cycle;
            _freeBytes -= ByteLength(array);
            return array;
        }

        return null;
    }

    private void Push(Array array)
    {
        var (code, _) = BufferPool.KindOf(array);
        if (code == 0)
        {
            return;
        }

        long bytes = ByteLength(array);
        if (bytes > BufferPool.MaxFreeBytes)
        {
            return;
        }

        long key = Key(code, array.Length);
        if (!_free.TryGetValue(key, out FreeList? list))
        {
            _free[key] = list = new FreeList { LastTakeCycle = _cycle };
        }

        if (BufferPool.Checked)
        {
            CheckNotFree(list, array);
            Poison(array);
        }

        while (_freeBytes + bytes > BufferPool.MaxFreeBytes)
        {
            EvictLeastRecentlyUsed();
        }

        if (list.Count == list.Items.Length)
        {
            Array.Resize(ref list.Items, Math.Max(4, list.Items.Length * 2));
        }

        list.Items[list.Count++] = array;
        list.LastUse = _clock;
        _freeBytes += bytes;
    }

    private void EvictLeastRecentlyUsed()
    {
        FreeList? oldest = null;
        foreach (FreeList list in _free.Values)
        {
            if (list.Count > 0 && (oldest is null || list.LastUse < oldest.LastUse))
            {
                oldest = list;
            }
        }

        Array evicted = oldest!.Items[--oldest.Count]!;
        oldest.Items[oldest.Count] = null;
        _freeBytes -= ByteLength(evicted);
    }

    /// <summary>Drops every free array (left to the GC).</summary>
    public void Trim()
    {
        Scan(induced: false);   // storage of tensors collected since the last scan goes too
        _free.Clear();
        _freeBytes = 0;
    }

    private static void CheckNotFree(FreeList list, Array array)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list.Items[i], array))
            {
                throw new InvalidOperationException(
                    $"BufferPool: a buffer of {array.Length} elements was returned twice; it would be handed out to two tensors.");
            }
        }
    }

    /// <summary>Debug builds: a buffer read after it went back to the pool shows NaN.</summary>
    private static void Poison(Array array)
    {
        switch (array)
        {
            case float[] f:
                Array.Fill(f, float.NaN);
                break;
            case double[] d:
                Array.Fill(d, double.NaN);
                break;
            case long[] l:
                Array.Fill(l, long.MinValue);
                break;
            case int[] n:
                Array.Fill(n, int.MinValue);
                break;
        }
    }

    private static long Key(int code, int length) => ((long)code << 32) | (uint)length;

    private static long ByteLength(Array array) => (long)array.Length * BufferPool.KindOf(array).Size;

    private struct Tracked
    {
        public WeakReference<Tensor>? Owner;   // reused for the slot's next tensor
        public Array? Storage;
        public bool Old;                       // the tensor was in gen 2 at the last scan
        public bool AliveAtGen2;               // and still alive after a gen-2 collection
    }

    private sealed class FreeList
    {
        public Array?[] Items = new Array?[4];
        public int Count;
        public long LastUse;
        public long LastTakeCycle;
    }
}
