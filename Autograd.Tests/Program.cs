namespace Autograd.Tests;

/// <summary>
/// The test assembly's entry point. The test runner never calls it; <c>dotnet Autograd.Tests.dll mpi-worker SCENARIO</c>
/// runs one rank of a distributed test (see Distributed/DistributedTests.cs); <c>vector128-check</c> the kernel checks
/// of Kernels/Vector128Tests.cs.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["mpi-worker", ..])
        {
            return Distributed.MpiWorker.Run(args);
        }

        if (args is ["vector128-check"])
        {
            return Kernels.Vector128Check.Run();
        }

        Console.Error.WriteLine("This is the test assembly: run the tests with `dotnet test`. (`mpi-worker SCENARIO` runs one MPI rank.)");
        return 2;
    }
}
