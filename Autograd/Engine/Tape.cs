namespace Autograd;

/// <summary>
/// Controls gradient recording on the current thread. Recording is per thread: two threads build and
/// differentiate separate graphs independently, and a <see cref="NoGrad"/> or <see cref="DetectAnomaly"/> scope
/// affects only its own thread. The functional API (<see cref="Grad"/>, <see cref="Jacobian"/>, ...) is in
/// <c>Tape.Functional.cs</c>.
/// </summary>
public static partial class Tape
{
    // The two depths every op reads, as plain thread-static ints: a thread-static of a primitive type is read inline,
    // one of a reference type through a slower lookup (see TapeState for the rest of the per-thread state).
    [ThreadStatic]
    private static int _noGradDepth;

    [ThreadStatic]
    private static int _anomalyDepth;

    /// <summary>True when ops on this thread record tape entries (outside every <see cref="NoGrad"/> scope).</summary>
    public static bool IsGradEnabled => _noGradDepth == 0;

    /// <summary>True inside a <see cref="DetectAnomaly"/> scope on this thread.</summary>
    public static bool IsAnomalyDetectionEnabled => _anomalyDepth != 0;

    /// <summary>
    /// Starts a scope in which ops record nothing and their results do not require a gradient:
    /// <c>using (Tape.NoGrad()) { ... }</c>. Scopes nest.
    /// </summary>
    public static NoGradScope NoGrad()
    {
        _noGradDepth++;
        return new NoGradScope(anomaly: false);
    }

    /// <summary>
    /// Starts a scope in which, on this thread, the first op whose forward output holds a NaN that none of its
    /// inputs held, or whose VJP returns a NaN from a NaN-free gradient, throws <see cref="AnomalyException"/>
    /// naming the op, the direction and the source file and line that called it. Ops recorded inside the scope
    /// capture their call site (a stack walk per op: slow, for debugging only); outside it nothing is checked.
    /// </summary>
    public static IDisposable DetectAnomaly()
    {
        _anomalyDepth++;
        return new NoGradScope(anomaly: true);
    }

    /// <summary>Opens a no-grad scope without allocating one; pair with <see cref="ExitNoGrad"/>.</summary>
    internal static void EnterNoGrad() => _noGradDepth++;

    /// <summary>Closes a scope opened by <see cref="EnterNoGrad"/>.</summary>
    internal static void ExitNoGrad() => _noGradDepth--;

    /// <summary>Turns recording on or off for this thread whatever the enclosing scopes; returns the depth to restore.</summary>
    internal static int SetGradEnabled(bool enabled)
    {
        int previous = _noGradDepth;
        _noGradDepth = enabled ? 0 : Math.Max(previous, 1);
        return previous;
    }

    /// <summary>Restores the depth returned by <see cref="SetGradEnabled"/>.</summary>
    internal static void RestoreGradEnabled(int depth) => _noGradDepth = depth;

    /// <summary>Turns the forward NaN check off while a VJP runs (its NaN is reported as the VJP's); returns the depth to restore.</summary>
    internal static int SuspendAnomalyChecks()
    {
        int previous = _anomalyDepth;
        _anomalyDepth = 0;
        return previous;
    }

    /// <summary>Restores the depth returned by <see cref="SuspendAnomalyChecks"/>.</summary>
    internal static void ResumeAnomalyChecks(int depth) => _anomalyDepth = depth;

    /// <summary>
    /// Called by every op once its output is computed: true when it must record an entry. Inside
    /// <see cref="DetectAnomaly"/> it first checks the output for a new NaN and marks the output so that
    /// <see cref="Tensor.SetGradFn"/> captures the caller's source line.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static bool ShouldRecord(string op, Tensor output, Tensor x)
    {
        if (_anomalyDepth == 0)
        {
            return _noGradDepth == 0 && x.RequiresGrad;   // no anomaly check: the usual case
        }

        return ShouldRecordSlow(op, output, x);
    }

    /// <inheritdoc cref="ShouldRecord(string, Tensor, Tensor)"/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static bool ShouldRecord(string op, Tensor output, Tensor x, Tensor y)
    {
        if (_anomalyDepth == 0)
        {
            return _noGradDepth == 0 && (x.RequiresGrad || y.RequiresGrad);
        }

        return ShouldRecordSlow(op, output, x, y);
    }

    /// <inheritdoc cref="ShouldRecord(string, Tensor, Tensor)"/>
    internal static bool ShouldRecord(string op, Tensor output, ReadOnlySpan<Tensor> inputs)
    {
        if (_anomalyDepth == 0)
        {
            return _noGradDepth == 0 && AnyRequiresGrad(inputs);
        }

        return ShouldRecordSlow(op, output, inputs);
    }

    // Out of line: a collection expression in the caller would keep it from being inlined.
    private static bool ShouldRecordSlow(string op, Tensor output, Tensor x) => ShouldRecordSlow(op, output, [x]);

    private static bool ShouldRecordSlow(string op, Tensor output, Tensor x, Tensor y) => ShouldRecordSlow(op, output, [x, y]);

    /// <summary>Inside a DetectAnomaly scope.</summary>
    private static bool ShouldRecordSlow(string op, Tensor output, ReadOnlySpan<Tensor> inputs)
    {
        Anomaly.CheckForward(op, output, inputs);
        bool record = _noGradDepth == 0 && AnyRequiresGrad(inputs);
        output.CaptureCallSite = record;
        return record;
    }

    private static bool AnyRequiresGrad(ReadOnlySpan<Tensor> inputs)
    {
        foreach (Tensor input in inputs)
        {
            if (input.RequiresGrad)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Ends a <see cref="NoGrad"/> or <see cref="DetectAnomaly"/> scope when disposed (once; later calls do nothing).</summary>
    public sealed class NoGradScope : IDisposable
    {
        private readonly int _threadId = Environment.CurrentManagedThreadId;
        private readonly bool _anomaly;
        private bool _disposed;

        internal NoGradScope(bool anomaly) => _anomaly = anomaly;

        /// <summary>Re-enables recording (if no outer scope remains), or ends anomaly detection.</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            if (Environment.CurrentManagedThreadId != _threadId)
            {
                throw new InvalidOperationException("A Tape scope must be disposed on the thread that opened it.");
            }

            _disposed = true;
            if (_anomaly)
            {
                _anomalyDepth--;
            }
            else
            {
                _noGradDepth--;
            }
        }
    }
}
