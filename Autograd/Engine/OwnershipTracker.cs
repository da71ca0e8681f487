namespace Autograd;

/// <summary>
/// The engine's check of the gradient-buffer rule: a built-in VJP returns new storage or a view of its incoming
/// gradient, never storage that something else owns (a saved tensor, an input, a leaf's Grad), because the engine
/// takes such results over and later adds into them in place. While a VJP runs under the check, every storage array
/// a tensor is created around is noted; afterwards each result must be one of those or share gradOutput's storage.
/// </summary>
/// <remarks>
/// On in debug builds (the test suite) and when the environment variable AUTOGRAD_CHECK_OWNERSHIP is 1;
/// <see cref="Enabled"/> is a static readonly field, so release builds compile the check away.
/// </remarks>
internal static class OwnershipTracker
{
#if DEBUG
    internal static readonly bool Enabled = true;
#else
    internal static readonly bool Enabled = Environment.GetEnvironmentVariable("AUTOGRAD_CHECK_OWNERSHIP") == "1";
#endif

    [ThreadStatic]
    private static List<Array>? _fresh;

    [ThreadStatic]
    private static int _depth;

    /// <summary>Notes storage that a new tensor owns, when a check is running on this thread.</summary>
    public static void NoteNew(Array storage)
    {
        if (Enabled && _depth > 0)
        {
            _fresh!.Add(storage);
        }
    }

    /// <summary>Starts noting new storage; returns the position to pass to <see cref="IsNewSince"/> and <see cref="End"/>.</summary>
    public static int Begin()
    {
        _fresh ??= [];
        _depth++;
        return _fresh.Count;
    }

    /// <summary>True when <paramref name="storage"/> was noted since <paramref name="start"/>.</summary>
    public static bool IsNewSince(int start, Array storage)
    {
        List<Array> fresh = _fresh!;
        for (int i = start; i < fresh.Count; i++)
        {
            if (ReferenceEquals(fresh[i], storage))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Stops the check begun at <paramref name="start"/>.</summary>
    public static void End(int start)
    {
        _depth--;
        _fresh!.RemoveRange(start, _fresh.Count - start);
    }
}
