using System.Diagnostics;
using Autograd.Distributed;

namespace Autograd.Tests.Distributed;

/// <summary>
/// Data-parallel training over MPI: each test starts this assembly under OpenMPI's mpirun (2 ranks, and 3 oversubscribed
/// on two cores), one scenario of <see cref="MpiWorker"/> per job, with a time limit so that no failure can hang the
/// suite. Ignored when OpenMPI is not installed (<c>apt-get install openmpi-bin libopenmpi-dev</c>; .ci/run installs it).
/// </summary>
[NonParallelizable]
public class DistributedTests
{
    private const string Mpirun = "/usr/bin/mpirun";
    private static readonly TimeSpan _jobLimit = TimeSpan.FromSeconds(120);

    private static (int ExitCode, string Output) RunJob(int ranks, params string[] scenario)
    {
        if (!File.Exists(Mpirun) || !File.Exists("/usr/lib/x86_64-linux-gnu/libmpi.so.40") && !File.Exists("/usr/lib/aarch64-linux-gnu/libmpi.so.40"))
        {
            Assert.Ignore("OpenMPI is not installed (apt-get install openmpi-bin libopenmpi-dev); the distributed tests need mpirun.");
        }

        string assembly = typeof(DistributedTests).Assembly.Location;
        var start = new ProcessStartInfo(Mpirun)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--oversubscribe", "--timeout", ((int)_jobLimit.TotalSeconds).ToString(), "-np", ranks.ToString(), "dotnet", "exec", assembly, "mpi-worker" }.Concat(scenario))
        {
            start.ArgumentList.Add(arg);
        }

        // As root (CI containers) mpirun needs both of these; loopback transports only; no terminal escapes from .NET.
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        start.Environment["OMPI_MCA_btl"] = "self,vader";
        start.Environment["OMPI_MCA_oob_tcp_if_include"] = "lo";
        start.Environment["TERM"] = "dumb";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(_jobLimit + TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"mpirun did not end within {_jobLimit.TotalSeconds + 30} s: {stdout.Result}{stderr.Result}");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [TestCase(2)]
    [TestCase(3)]
    public void Collectives_SumMaxMinBroadcastAndBarrier_AgreeOnEveryRank(int ranks)
    {
        var (exit, output) = RunJob(ranks, "collectives");
        Assert.That(exit, Is.Zero, output);
        for (int r = 0; r < ranks; r++)
        {
            Assert.That(output, Does.Contain($"OK rank {r} of {ranks}"));
        }
    }

    [TestCase(2, DType.Float64, "sgd")]
    [TestCase(3, DType.Float64, "adam")]
    [TestCase(2, DType.Float32, "adam")]
    [TestCase(3, DType.Float32, "sgd")]
    public void Ddp_OnBatchesOfBOverN_ReachesTheParametersOfOneProcessOnBatchesOfB(int ranks, DType dtype, string optimizer)
    {
        var (exit, output) = RunJob(ranks, "ddp", dtype.ToString(), optimizer);
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain($"OK rank {ranks - 1} of {ranks}"));
    }

    [Test]
    public void ARankThatThrows_EndsTheWholeJobWithItsMessage_InsteadOfHanging()
    {
        var clock = Stopwatch.StartNew();
        var (exit, output) = RunJob(2, "fail");
        Assert.That(exit, Is.Not.Zero);
        Assert.That(output, Does.Contain("rank 1 of 2 failed").And.Contain("deliberate failure on rank 1"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)));
    }

    [Test]
    public void ACollectiveTheOtherRanksNeverJoin_TimesOutWithAClearError()
    {
        var (exit, output) = RunJob(2, "timeout");
        Assert.That(exit, Is.Not.Zero);
        Assert.That(output, Does.Contain("did not join within 2 s"));
    }

    [Test]
    public void InitMpi_OutsideMpirun_SaysHowToStartTheJob()
    {
        if (Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null)
        {
            Assert.Ignore("running under mpirun");
        }

        var ex = Assert.Throws<InvalidOperationException>(() => ProcessGroup.InitMpi());
        Assert.That(ex!.Message, Does.Contain("not started by OpenMPI's mpirun").And.Contain("mpirun -np 2"));
    }
}
