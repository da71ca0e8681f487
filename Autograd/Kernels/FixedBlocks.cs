namespace Autograd.Kernels;

/// <summary>
/// The partition of <see cref="Length"/> elements into blocks of a fixed size, the last block taking the remainder
/// (so every block holds size to 2·size − 1 elements, or all of them when there are fewer than 2·size). It depends on
/// the length only, never on the thread count: a kernel that makes the same calls on the same blocks and combines
/// per-block results in block order gives the same bits on one thread or many.
/// </summary>
internal readonly struct FixedBlocks
{
    /// <summary>Elements per block of a flat array: 64 KB of floats, a few microseconds of memory-bound work.</summary>
    public const int Size = 1 << 14;

    private readonly int _size;

    /// <summary>Blocks of <see cref="Size"/> elements.</summary>
    public FixedBlocks(int length)
        : this(length, Size)
    {
    }

    /// <summary>Blocks of <paramref name="size"/> elements.</summary>
    public FixedBlocks(int length, int size)
    {
        Length = length;
        _size = size;
        Count = Math.Max(1, length / size);
    }

    /// <summary>The number of elements partitioned.</summary>
    public int Length { get; }

    /// <summary>The number of blocks, at least one (an empty length is one empty block).</summary>
    public int Count { get; }

    /// <summary>The first element of block <paramref name="block"/>.</summary>
    public int Start(int block) => block * _size;

    /// <summary>One past the last element of block <paramref name="block"/>.</summary>
    public int End(int block) => block == Count - 1 ? Length : (block + 1) * _size;
}
