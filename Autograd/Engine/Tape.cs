namespace Autograd;

/// <summary>
/// Controls gradient recording on the current thread. Recording is per thread: two threads build and
/// differentiate separate graphs independently, and a <see cref="NoGrad"/> or <see cref="DetectAnomaly"/> scope
/// affects only its own thread. The functional API (<see cref="Grad"/>, <see cref="Jacobian"/>, ...) is in
/// <c>Tape.Functional.cs</c>.
/// </summary>
public static partial class Tape
{
    // The two depths every op reads, packed in one thread-static int (NoGrad scopes in the low 16 bits, DetectAnomaly
    // scopes above): each thread-static read is a TLS lookup, and the recording check then makes exactly one.
    private const int AnomalyUnit = 1 << 16;
    private const int NoGradMask = AnomalyUnit - 1;

    [ThreadStatic]
    private static int _depths;

    private static int NoGradDepth => _depths & NoGradMask;

    private static int AnomalyDepth => _depths >> 16;

    /// <summary>True when ops on this thread record tape entries (outside every <see cref="NoGrad"/> scope).</summary>
    public static bool IsGradEnabled => (_depths & NoGradMask) == 0;

    /// <summary>True inside a <see cref="DetectAnomaly"/> scope on this thread.</summary>
    public static bool IsAnomalyDetectionEnabled => _depths >= AnomalyUnit;

    /// <summary>
    /// Starts a scope in which ops record nothing and their results do not require a gradient:
    /// <c>using (Tape.NoGrad()) { ... }</c>. Scopes nest.
    /// </summary>
    public static NoGradScope NoGrad()
    {
        EnterNoGrad();
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
        _depths += AnomalyUnit;
        return new NoGradScope(anomaly: true);
    }

    /// <summary>Opens a no-grad scope without allocating one; pair with <see cref="ExitNoGrad"/>.</summary>
    internal static void EnterNoGrad()
    {
        if (NoGradDepth == NoGradMask)
        {
            throw new InvalidOperationException($"Tape.NoGrad: more than {NoGradMask} nested scopes (a scope is not being disposed).");
        }

        _depths++;
    }

    /// <summary>Closes a scope opened by <see cref="EnterNoGrad"/>.</summary>
    internal static void ExitNoGrad() => _depths--;

    /// <summary>Turns recording on or off for this thread whatever the enclosing scopes; returns the depth to restore.</summary>
    internal static int SetGradEnabled(bool enabled)
    {
        int previous = NoGradDepth;
        _depths = (_depths & ~NoGradMask) | (enabled ? 0 : Math.Max(previous, 1));
        return previous;
    }

    /// <summary>Restores the depth returned by <see cref="SetGradEnabled"/>.</summary>
    internal static void RestoreGradEnabled(int depth) => _depths = (_depths & ~NoGradMask) | depth;

    /// <summary>Turns the forward NaN check off while a VJP runs (its NaN is reported as the VJP's); returns the depth to restore.</summary>
    internal static int SuspendAnomalyChecks()
    {
        int previous = AnomalyDepth;
        _depths &= NoGradMask;
        return previous;
    }

    /// <summary>Restores the depth returned by <see cref="SuspendAnomalyChecks"/>.</summary>
    internal static void ResumeAnomalyChecks(int depth) => _depths = (_depths & NoGradMask) | (depth << 16);

    /// <summary>
    /// Called by every op once its output is computed: true when it must record an entry. Inside
    /// <see cref="DetectAnomaly"/> it first checks the output for a new NaN and marks the output so that
    /// <see cref="Tensor.SetGradFn"/> captures the caller's source line.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static bool ShouldRecord(string op, Tensor output, Tensor x)
    {
        int depths = _depths;
        if (depths == 0)
        {
            return x.RequiresGrad;   // recording, no anomaly check: the usual case
        }

        return depths >= AnomalyUnit && ShouldRecordSlow(op, output, x);   // NoGrad alone: false at once
    }

    /// <inheritdoc cref="ShouldRecord(string, Tensor, Tensor)"/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static bool ShouldRecord(string op, Tensor output, Tensor x, Tensor y)
    {
        int depths = _depths;
        if (depths == 0)
        {
            return x.RequiresGrad || y.RequiresGrad;
        }

        return depths >= AnomalyUnit && ShouldRecordSlow(op, output, x, y);
    }

    /// <inheritdoc cref="ShouldRecord(string, Tensor, Tensor)"/>
    internal static bool ShouldRecord(string op, Tensor output, ReadOnlySpan<Tensor> inputs)
    {
        if (_depths == 0)
        {
            return AnyRequiresGrad(inputs);
        }

        return ShouldRecordSlow(op, output, inputs);
    }

    // Out of line: a collection expression in the caller would keep it from being inlined.
    private static bool ShouldRecordSlow(string op, Tensor output, Tensor x) => ShouldRecordSlow(op, output, [x]);

    private static bool ShouldRecordSlow(string op, Tensor output, Tensor x, Tensor y) => ShouldRecordSlow(op, output, [x, y]);

    /// <summary>Inside a DetectAnomaly scope (and for the span overload, a NoGrad scope).</summary>
    private static bool ShouldRecordSlow(string op, Tensor output, ReadOnlySpan<Tensor> inputs)
    {
        int depths = _depths;
        if (depths < AnomalyUnit)
        {
            return false;   // NoGrad only
        }

        Anomaly.CheckForward(op, output, inputs);
        bool record = (depths & NoGradMask) == 0 && AnyRequiresGrad(inputs);
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
                _depths -= AnomalyUnit;
            }
            else
            {
                _depths--;
            }
        }
    }
}
