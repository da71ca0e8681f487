namespace Autograd;

/// <summary>
/// A small per-thread pool of dead gradient buffers. The backward pass returns a buffer here only when it can
/// prove nothing else references it (an intermediate gradient that it owned and has finished with); every
/// <see cref="Tensor.Empty(int[], DType)"/> of the same length may take it. Without it, every step of a training
/// loop allocates each large gradient afresh: above 85 KB that is the large-object heap, which costs gen-2
/// collections and page faults.
/// </summary>
internal static class BufferPool
{
    /// <summary>Smaller arrays come from gen 0 faster than a pool lookup.</summary>
    internal const int MinLength = 1024;

    private const int MaxBuffers = 16;
    private const long MaxBytes = 64L << 20;

    [ThreadStatic]
    private static Array?[]? _buffers;

    [ThreadStatic]
    private static long _bytes;

    /// <summary>An uninitialised array of exactly <paramref name="length"/> elements, pooled when one is free.</summary>
    public static T[] Rent<T>(int length)
        where T : unmanaged
    {
        if (length >= MinLength && _buffers is { } buffers)
        {
            for (int i = 0; i < buffers.Length; i++)
            {
                if (buffers[i] is T[] array && array.Length == length)
                {
                    buffers[i] = null;
                    _bytes -= ByteLength(array);
                    return array;
                }
            }
        }

        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Gives back a buffer that nothing references any more; dropped (left to the GC) when the pool is full.</summary>
    public static void Return(Array buffer)
    {
        if (buffer.Length < MinLength)
        {
            return;
        }

        long bytes = ByteLength(buffer);
        if (_bytes + bytes > MaxBytes)
        {
            return;
        }

        Array?[] buffers = _buffers ??= new Array?[MaxBuffers];
        for (int i = 0; i < buffers.Length; i++)
        {
            if (buffers[i] is null)
            {
                buffers[i] = buffer;
                _bytes += bytes;
                return;
            }
        }
    }

    private static long ByteLength(Array array) => array.LongLength * DTypeDispatch.ElementSize(DTypeDispatch.Of(array));
}
