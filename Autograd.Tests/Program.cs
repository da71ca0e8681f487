namespace Autograd.Tests;

/// <summary>
/// The test assembly's entry point. The test runner never calls it; <c>dotnet Autograd.Tests.dll mpi-worker SCENARIO</c>
/// runs one rank of a distributed test (see Distributed/DistributedTests.cs).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["mpi-worker", ..])
        {
            return Distributed.MpiWorker.Run(args);
        }

        Console.Error.WriteLine("This is the test assembly: run the tests with `dotnet test`. (`mpi-worker SCENARIO` runs one MPI rank.)");
        return 2;
    }
}
