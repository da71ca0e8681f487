namespace Autograd.Kernels;

/// <summary>
/// A span's memory as a pointer and a length, so a job can hand it to worker threads (spans cannot leave the stack).
/// Valid only while the caller keeps the span pinned (a <c>fixed</c> statement around the parallel call).
/// </summary>
internal readonly unsafe struct Pinned<T>(T* pointer, int length)
    where T : unmanaged
{
    /// <summary>The whole span (empty when the pinned span was).</summary>
    public Span<T> Span => new(pointer, length);

    /// <summary>Elements [start, end), or an empty span when the pinned span was empty (an absent operand).</summary>
    public Span<T> Slice(int start, int end) => length == 0 ? default : new(pointer + start, end - start);
}
