namespace Autograd;

/// <summary>
/// What the backward pass keeps per thread, in one object behind one thread-static field, read once per pass. (The
/// recording and anomaly depths that every op reads are one thread-static int in <see cref="Tape"/>.)
/// </summary>
internal sealed class TapeState
{
    [ThreadStatic]
    private static TapeState? _current;

    /// <summary>This thread's state, created on first use.</summary>
    public static TapeState Current => _current ??= new TapeState();

    /// <summary>Backward passes running on this thread (more than one when a hook or a Function's backward calls Backward).</summary>
    public int PassDepth;

    /// <summary>The outermost pass's walk stacks, reused from pass to pass so that a tiny graph's pass allocates nothing.</summary>
    public EntryStack? Ready, Pending;

    /// <summary>Work queued during the outermost pass to run when it ends (PyTorch's queue_callback), or null.</summary>
    public List<Action>? EndOfPassCallbacks;
}
