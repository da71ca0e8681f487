using System.Runtime.CompilerServices;

namespace Autograd.Kernels;

/// <summary>
/// A growable scratch buffer on the pinned object heap, aligned to a cache line, so kernels can
/// keep raw pointers into it without <c>fixed</c> and packed panels never straddle lines
/// needlessly. Grows only; steady-state use allocates nothing.
/// </summary>
internal sealed unsafe class GemmScratch<T>
    where T : unmanaged
{
    private const int Alignment = 64;

    private T[] _array = [];
    private T* _aligned;
    private long _capacity;

    /// <summary>A pointer to at least <paramref name="length"/> elements (contents undefined).</summary>
    public T* Get(long length)
    {
        if (length > _capacity)
        {
            Grow(length);
        }

        return _aligned;
    }

    private void Grow(long length)
    {
        var slack = Alignment / sizeof(T);
        _array = GC.AllocateUninitializedArray<T>(checked((int)(length + slack)), pinned: true);
        var start = (nint)Unsafe.AsPointer(ref _array[0]);
        var aligned = (start + Alignment - 1) & ~(nint)(Alignment - 1);
        _aligned = (T*)aligned;
        _capacity = length;
    }
}
