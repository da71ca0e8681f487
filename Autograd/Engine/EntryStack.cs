namespace Autograd;

/// <summary>
/// The backward walk's stack of entries. Entries are stored wrapped in a struct: an array of a class type that has
/// subclasses pays a covariance check on every store (5% of a tiny training step went to it with
/// <see cref="Stack{T}"/>); an array of structs pays none.
/// </summary>
internal sealed class EntryStack
{
    private Slot[] _items = new Slot[16];

    public int Count { get; private set; }

    public void Push(TapeEntry entry)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++].Entry = entry;
    }

    public TapeEntry Pop()
    {
        ref Slot slot = ref _items[--Count];
        TapeEntry entry = slot.Entry!;
        slot.Entry = null;   // the stack must not keep a released graph alive
        return entry;
    }

    /// <summary>Empties the stack (after a pass that threw).</summary>
    public void Clear()
    {
        Array.Clear(_items, 0, Count);
        Count = 0;
    }

    private struct Slot
    {
        public TapeEntry? Entry;
    }
}
