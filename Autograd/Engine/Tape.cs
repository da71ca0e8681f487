namespace Autograd;

/// <summary>
/// Controls gradient recording on the current thread. Recording is per thread: two threads build and
/// differentiate separate graphs independently, and a <see cref="NoGrad"/> scope affects only its own thread.
/// </summary>
public static class Tape
{
    [ThreadStatic]
    private static int _noGradDepth;

    /// <summary>True when ops on this thread record tape entries (outside every <see cref="NoGrad"/> scope).</summary>
    public static bool IsGradEnabled => _noGradDepth == 0;

    /// <summary>
    /// Starts a scope in which ops record nothing and their results do not require a gradient:
    /// <c>using (Tape.NoGrad()) { ... }</c>. Scopes nest.
    /// </summary>
    public static NoGradScope NoGrad()
    {
        _noGradDepth++;
        return new NoGradScope();
    }

    /// <summary>Opens a no-grad scope without allocating one (the backward pass's own scope); pair with <see cref="ExitNoGrad"/>.</summary>
    internal static void EnterNoGrad() => _noGradDepth++;

    /// <summary>Closes a scope opened by <see cref="EnterNoGrad"/>.</summary>
    internal static void ExitNoGrad() => _noGradDepth--;

    /// <summary>True when an op on these inputs must record an entry.</summary>
    internal static bool ShouldRecord(Tensor x) => _noGradDepth == 0 && x.RequiresGrad;

    /// <inheritdoc cref="ShouldRecord(Tensor)"/>
    internal static bool ShouldRecord(Tensor x, Tensor y) => _noGradDepth == 0 && (x.RequiresGrad || y.RequiresGrad);

    /// <summary>Ends a <see cref="NoGrad"/> scope when disposed (once; later calls do nothing).</summary>
    public sealed class NoGradScope : IDisposable
    {
        private readonly int _threadId = Environment.CurrentManagedThreadId;
        private bool _disposed;

        internal NoGradScope()
        {
        }

        /// <summary>Re-enables recording (if no outer scope remains).</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            if (Environment.CurrentManagedThreadId != _threadId)
            {
                throw new InvalidOperationException("A NoGrad scope must be disposed on the thread that opened it.");
            }

            _disposed = true;
            _noGradDepth--;
        }
    }
}
