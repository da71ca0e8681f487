using System.Reflection;
using System.Runtime.InteropServices;

namespace Autograd.Distributed;

/// <summary>
/// The few MPI calls data parallelism needs, bound to OpenMPI's <c>libmpi.so.40</c> with LibraryImport. Nothing here
/// runs until <see cref="Load"/> (called by <see cref="ProcessGroup.InitMpi"/>): the rest of the library never loads
/// a native library. In OpenMPI, handles such as MPI_COMM_WORLD, MPI_FLOAT and MPI_SUM are the addresses of exported
/// objects (<c>ompi_mpi_comm_world</c>, ...), read with <see cref="NativeLibrary.GetExport"/>.
/// </summary>
internal static partial class MpiNative
{
    private const string Library = "libmpi";

    /// <summary>MPI_THREAD_MULTIPLE in OpenMPI's mpi.h.</summary>
    public const int ThreadMultiple = 3;

    /// <summary>MPI_IN_PLACE in OpenMPI's mpi.h: <c>(void*)1</c>.</summary>
    public static readonly nint InPlace = 1;

    private static readonly Lock _gate = new();
    private static nint _handle;

    /// <summary>Handles read from the library.</summary>
    public static nint CommWorld { get; private set; }

    /// <summary>MPI_FLOAT, MPI_DOUBLE, MPI_INT64_T.</summary>
    public static nint Float { get; private set; }

    /// <inheritdoc cref="Float"/>
    public static nint Double { get; private set; }

    /// <inheritdoc cref="Float"/>
    public static nint Int64 { get; private set; }

    /// <summary>MPI_BYTE (Bool tensors are moved as bytes).</summary>
    public static nint Byte { get; private set; }

    /// <summary>MPI_SUM, MPI_MAX, MPI_MIN.</summary>
    public static nint OpSum { get; private set; }

    /// <inheritdoc cref="OpSum"/>
    public static nint OpMax { get; private set; }

    /// <inheritdoc cref="OpSum"/>
    public static nint OpMin { get; private set; }

    /// <summary>Loads libmpi (once) and reads the handles; throws <see cref="DllNotFoundException"/> with the install hint.</summary>
    public static void Load()
    {
        lock (_gate)
        {
            if (_handle != 0)
            {
                return;
            }

            nint handle = 0;
            foreach (string name in new[] { "libmpi.so.40", "libmpi.so" })
            {
                if (NativeLibrary.TryLoad(name, out handle))
                {
                    break;
                }
            }

            if (handle == 0)
            {
                throw new DllNotFoundException(
                    "ProcessGroup.InitMpi: OpenMPI's libmpi.so.40 was not found. Install it with "
                    + "`apt-get install openmpi-bin libopenmpi-dev` (Debian/Ubuntu) and start the program under mpirun.");
            }

            NativeLibrary.SetDllImportResolver(typeof(MpiNative).Assembly, Resolve);
            CommWorld = Export(handle, "ompi_mpi_comm_world");
            Float = Export(handle, "ompi_mpi_float");
            Double = Export(handle, "ompi_mpi_double");
            Int64 = Export(handle, "ompi_mpi_int64_t");
            Byte = Export(handle, "ompi_mpi_byte");
            OpSum = Export(handle, "ompi_mpi_op_sum");
            OpMax = Export(handle, "ompi_mpi_op_max");
            OpMin = Export(handle, "ompi_mpi_op_min");
            _handle = handle;
        }
    }

    private static nint Export(nint handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out nint address)
            ? address
            : throw new DllNotFoundException(
                $"ProcessGroup.InitMpi: the loaded libmpi does not export '{name}'; Autograd's binding needs OpenMPI (4.x).");

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) => name == Library ? _handle : 0;

    /// <summary>Throws when an MPI call did not return MPI_SUCCESS, with MPI's own text for the code.</summary>
    public static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new InvalidOperationException($"{call} failed: {ErrorText(code)} (MPI error {code}).");
        }
    }

    private static unsafe string ErrorText(int code)
    {
        byte* buffer = stackalloc byte[256];   // MPI_MAX_ERROR_STRING in OpenMPI
        return MPI_Error_string(code, buffer, out int length) == 0 ? System.Text.Encoding.ASCII.GetString(buffer, length) : "unknown error";
    }

    [LibraryImport(Library)]
    public static partial int MPI_Init_thread(nint argc, nint argv, int required, out int provided);

    [LibraryImport(Library)]
    public static partial int MPI_Initialized(out int flag);

    [LibraryImport(Library)]
    public static partial int MPI_Finalized(out int flag);

    [LibraryImport(Library)]
    public static partial int MPI_Finalize();

    [LibraryImport(Library)]
    public static partial int MPI_Abort(nint comm, int errorCode);

    [LibraryImport(Library)]
    public static partial int MPI_Comm_rank(nint comm, out int rank);

    [LibraryImport(Library)]
    public static partial int MPI_Comm_size(nint comm, out int size);

    [LibraryImport(Library)]
    public static partial int MPI_Allreduce(nint sendBuffer, nint receiveBuffer, int count, nint datatype, nint op, nint comm);

    [LibraryImport(Library)]
    public static partial int MPI_Iallreduce(nint sendBuffer, nint receiveBuffer, int count, nint datatype, nint op, nint comm,
        out nint request);

    [LibraryImport(Library)]
    public static partial int MPI_Test(ref nint request, out int flag, nint status);

    [LibraryImport(Library)]
    public static partial int MPI_Wait(ref nint request, nint status);

    [LibraryImport(Library)]
    public static partial int MPI_Bcast(nint buffer, int count, nint datatype, int root, nint comm);

    [LibraryImport(Library)]
    public static partial int MPI_Ibcast(nint buffer, int count, nint datatype, int root, nint comm, out nint request);

    [LibraryImport(Library)]
    public static partial int MPI_Ibarrier(nint comm, out nint request);

    [LibraryImport(Library)]
    private static unsafe partial int MPI_Error_string(int errorCode, byte* text, out int length);
}
