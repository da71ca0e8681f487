using System.Diagnostics;
using System.Globalization;
using Autograd.Distributed;

namespace Autograd.Benchmarks.Distributed;

/// <summary>
/// <c>mpirun -np 2 dotnet Autograd.Benchmarks.dll allreduce</c>: the bandwidth of <see cref="ProcessGroup.AllReduce"/>
/// on float32 tensors of 1 MB and 64 MB, timed as OpenMPI's own loop in <c>Peers/allreduce.c</c> is (same sizes,
/// warm-up and repetitions), so that compare-mpi.sh can print both side by side. Bandwidth = bytes / seconds per call.
/// </summary>
public static class AllReduceRunner
{
    /// <summary>Runs when the first argument is <c>allreduce</c>; returns false otherwise.</summary>
    public static bool TryRun(string[] args)
    {
        if (args.Length == 0 || args[0] != "allreduce")
        {
            return false;
        }

        using ProcessGroup group = ProcessGroup.InitMpi();
        foreach (int megabytes in new[] { 1, 64 })
        {
            int count = (megabytes << 20) / sizeof(float);
            Tensor tensor = Tensor.Ones([count]);
            int repetitions = megabytes == 1 ? 200 : 10;
            for (int i = 0; i < 5; i++)
            {
                group.AllReduce(tensor);
            }

            group.Barrier();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < repetitions; i++)
            {
                group.AllReduce(tensor);
            }

            double seconds = clock.Elapsed.TotalSeconds / repetitions;
            if (group.Rank == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"RESULT autograd allreduce {megabytes} MB ranks={group.Size} us={seconds * 1e6:F1} GB/s={(megabytes << 20) / seconds / 1e9:F2}"));
            }
        }

        return true;
    }
}
