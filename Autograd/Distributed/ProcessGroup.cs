using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Autograd.Distributed;

/// <summary>
/// The processes of an MPI job (OpenMPI's <c>mpirun</c>), as PyTorch's process group: each knows its
/// <see cref="Rank"/> among <see cref="Size"/>, and collective operations (all-reduce, broadcast, barrier) combine
/// tensors across all of them. Create it once per process with <see cref="InitMpi"/>; disposing it finalises MPI.
/// </summary>
/// <remarks>
/// Every collective waits at most <see cref="Timeout"/>: when a rank died or diverged, the others end the job with a
/// message naming the collective and the rank (AllReduce and Broadcast abort it; Barrier and DistributedDataParallel's
/// reductions throw a <see cref="TimeoutException"/>), and an exception that escapes any rank aborts the whole job
/// (MPI_Abort) with that exception's message, so an mpirun never waits forever on a failed rank.
/// </remarks>
public sealed class ProcessGroup : IDisposable
{
    private static ProcessGroup? _instance;
    private bool _disposed;
    private System.Threading.Timer? _watchdog;
    private string _watchedOperation = "";

    private ProcessGroup(int rank, int size)
    {
        Rank = rank;
        Size = size;
    }

    /// <summary>This process's index, 0 ≤ Rank &lt; Size.</summary>
    public int Rank { get; }

    /// <summary>The number of processes.</summary>
    public int Size { get; }

    /// <summary>The longest any collective waits for the other ranks before throwing <see cref="TimeoutException"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Initialises MPI (MPI_Init_thread with MPI_THREAD_MULTIPLE) in a process started by OpenMPI's <c>mpirun</c>.
    /// Loads <c>libmpi.so.40</c> now, and only now.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not started by mpirun, or MPI was already initialised.</exception>
    /// <exception cref="DllNotFoundException">OpenMPI is not installed.</exception>
    public static ProcessGroup InitMpi()
    {
        if (_instance is not null)
        {
            throw new InvalidOperationException("ProcessGroup.InitMpi: MPI is already initialised in this process; use the existing ProcessGroup.");
        }

        if (Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is null)
        {
            throw new InvalidOperationException(
                "ProcessGroup.InitMpi: this process was not started by OpenMPI's mpirun (OMPI_COMM_WORLD_SIZE is not set). "
                + "Start every rank with it, e.g. `mpirun -np 2 dotnet MyTraining.dll`.");
        }

        MpiNative.Load();
        MpiNative.Check(MpiNative.MPI_Initialized(out int initialized), "MPI_Initialized");
        if (initialized != 0)
        {
            throw new InvalidOperationException("ProcessGroup.InitMpi: MPI was initialised by other code in this process.");
        }

        MpiNative.Check(MpiNative.MPI_Init_thread(0, 0, MpiNative.ThreadMultiple, out int provided), "MPI_Init_thread");
        if (provided < MpiNative.ThreadMultiple)
        {
            throw new InvalidOperationException(
                $"ProcessGroup.InitMpi: this MPI grants thread level {provided}, not MPI_THREAD_MULTIPLE (3) as Autograd needs.");
        }

        MpiNative.Check(MpiNative.MPI_Comm_rank(MpiNative.CommWorld, out int rank), "MPI_Comm_rank");
        MpiNative.Check(MpiNative.MPI_Comm_size(MpiNative.CommWorld, out int size), "MPI_Comm_size");
        _instance = new ProcessGroup(rank, size);
        AppDomain.CurrentDomain.UnhandledException += (_, e) => _instance.AbortJob(e.ExceptionObject);
        return _instance;
    }

    /// <summary>
    /// Combines <paramref name="tensor"/> across the ranks, in place on every rank (MPI_Allreduce): afterwards each
    /// rank holds the elementwise sum (or max, min) of all ranks' values. Every rank must call it, in the same order,
    /// with the same shape and dtype.
    /// </summary>
    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ThrowIfDisposed();
        nint datatype = Datatype(tensor.DType, "AllReduce");
        nint mpiOp = op switch
        {
            ReduceOp.Sum => MpiNative.OpSum,
            ReduceOp.Max => MpiNative.OpMax,
            ReduceOp.Min => MpiNative.OpMin,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduction."),
        };
        var handle = GCHandle.Alloc(tensor.Storage, GCHandleType.Pinned);
        try
        {
            using (Watch("AllReduce"))
            {
                MpiNative.Check(
                    MpiNative.MPI_Allreduce(MpiNative.InPlace, handle.AddrOfPinnedObject(), tensor.Count, datatype, mpiOp,
                        MpiNative.CommWorld),
                    "MPI_Allreduce");
            }
        }
        finally
        {
            handle.Free();
        }

        tensor.BumpVersion();
    }

    /// <summary>Copies rank <paramref name="root"/>'s values of <paramref name="tensor"/> into every other rank's (MPI_Bcast).</summary>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ThrowIfDisposed();
        if ((uint)root >= (uint)Size)
        {
            throw new ArgumentOutOfRangeException(nameof(root), root, $"Broadcast: root must be a rank in [0, {Size}).");
        }

        nint datatype = tensor.DType == DType.Bool ? MpiNative.Byte : Datatype(tensor.DType, "Broadcast");
        var handle = GCHandle.Alloc(tensor.Storage, GCHandleType.Pinned);
        try
        {
            using (Watch("Broadcast"))
            {
                MpiNative.Check(
                    MpiNative.MPI_Bcast(handle.AddrOfPinnedObject(), tensor.Count, datatype, root, MpiNative.CommWorld), "MPI_Bcast");
            }
        }
        finally
        {
            handle.Free();
        }

        if (Rank != root)
        {
            tensor.BumpVersion();
        }
    }

    /// <summary>Returns once every rank has called it (MPI_Barrier).</summary>
    public void Barrier()
    {
        ThrowIfDisposed();
        MpiNative.Check(MpiNative.MPI_Ibarrier(MpiNative.CommWorld, out nint request), "MPI_Ibarrier");
        Wait(ref request, "Barrier");   // barriers are rare: polled, so the timeout throws instead of aborting
    }

    /// <summary>Finalises MPI (MPI_Finalize); the process cannot use MPI again.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _watchdog?.Dispose();
        MpiNative.Check(MpiNative.MPI_Finalize(), "MPI_Finalize");
    }

    /// <summary>
    /// Starts an in-place all-reduce of <paramref name="count"/> elements at <paramref name="pinned"/> (memory that stays
    /// pinned until the request completes) and returns the request, for <see cref="Wait"/>.
    /// </summary>
    internal nint StartAllReduce(nint pinned, int count, DType dtype)
    {
        ThrowIfDisposed();
        MpiNative.Check(
            MpiNative.MPI_Iallreduce(MpiNative.InPlace, pinned, count, Datatype(dtype, "AllReduce"), MpiNative.OpSum,
                MpiNative.CommWorld, out nint request),
            "MPI_Iallreduce");
        return request;
    }

    /// <summary>
    /// Arms a watchdog around a blocking collective: the blocking calls use MPI's fastest algorithms (the non-blocking
    /// ones measured 0.4-0.6x their bandwidth), and if one has not returned within <see cref="Timeout"/> the watchdog
    /// prints which collective on which rank, then aborts the job (a blocked MPI call cannot be cancelled).
    /// </summary>
    private Watchdog Watch(string operation)
    {
        _watchdog ??= new System.Threading.Timer(_ => OnTimeout());
        _watchedOperation = operation;
        _watchdog.Change(Timeout, System.Threading.Timeout.InfiniteTimeSpan);
        return new Watchdog(_watchdog);
    }

    private void OnTimeout()
    {
        Console.Error.WriteLine(
            $"Autograd.Distributed: ProcessGroup.{_watchedOperation} on rank {Rank} of {Size}: the other ranks did not join within "
            + $"{Timeout.TotalSeconds:F0} s (a rank failed, or the ranks called different collectives); aborting the MPI job.");
        Console.Error.Flush();
        _ = MpiNative.MPI_Abort(MpiNative.CommWorld, 1);
    }

    /// <summary>Disarms the watchdog when the collective returns.</summary>
    private readonly struct Watchdog(System.Threading.Timer timer) : IDisposable
    {
        public void Dispose() => timer.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
    }

    /// <summary>Waits for a request, at most <see cref="Timeout"/>; MPI makes progress inside MPI_Test.</summary>
    internal void Wait(ref nint request, string operation)
    {
        var clock = Stopwatch.StartNew();
        var spin = default(SpinWait);
        while (true)
        {
            MpiNative.Check(MpiNative.MPI_Test(ref request, out int done, 0), "MPI_Test");
            if (done != 0)
            {
                return;
            }

            if (clock.Elapsed > Timeout)
            {
                throw new TimeoutException(
                    $"ProcessGroup.{operation} on rank {Rank} of {Size}: the other ranks did not join within {Timeout.TotalSeconds:F0} s "
                    + "(a rank failed, or the ranks called different collectives).");
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void AbortJob(object exception)
    {
        if (_disposed)
        {
            return;
        }

        Console.Error.WriteLine($"Autograd.Distributed: rank {Rank} of {Size} failed, aborting the MPI job: {exception}");
        Console.Error.Flush();
        _ = MpiNative.MPI_Abort(MpiNative.CommWorld, 1);
    }

    private static nint Datatype(DType dtype, string operation) => dtype switch
    {
        DType.Float32 => MpiNative.Float,
        DType.Float64 => MpiNative.Double,
        DType.Int64 => MpiNative.Int64,
        _ => throw new ArgumentException($"ProcessGroup.{operation}: {dtype} tensors cannot be reduced; use Float32, Float64 or Int64."),
    };

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
