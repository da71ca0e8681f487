namespace Autograd;

/// <summary>
/// Everything the tape keeps per thread, in one object behind one thread-static field: each access to a
/// thread-static costs a TLS lookup, and an op's recording check or a backward pass then pays for one, not several.
/// </summary>
internal sealed class TapeState
{
    [ThreadStatic]
    private static TapeState? _current;

    /// <summary>This thread's state, or null on a thread that has never touched the tape (recording on, no scopes).</summary>
    public static TapeState? CurrentOrNull => _current;

    /// <summary>This thread's state, created on first use.</summary>
    public static TapeState Current => _current ??= new TapeState();

    /// <summary>Open NoGrad scopes (and the backward pass's own); recording is on at 0.</summary>
    public int NoGradDepth;

    /// <summary>Open DetectAnomaly scopes; checks run when above 0.</summary>
    public int AnomalyDepth;

    /// <summary>Backward passes running on this thread (more than one when a hook or a Function's backward calls Backward).</summary>
    public int PassDepth;

    /// <summary>The outermost pass's walk stacks, reused from pass to pass so that a tiny graph's pass allocates nothing.</summary>
    public EntryStack? Ready, Pending;
}
