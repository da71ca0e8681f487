using Autograd.Benchmarks.Distributed;
using Autograd.Benchmarks.Training;
using BenchmarkDotNet.Running;

// "workloads ..." runs the plain training-step runner (workloads.py's timing rule), "allreduce" (under mpirun) the
// all-reduce bandwidth runner of compare-mpi.sh; anything else goes to
// BenchmarkDotNet: every benchmark class in this assembly, chosen on the command line, e.g. --filter '*Gemm*'.
if (WorkloadRunner.TryRun(args) || AllReduceRunner.TryRun(args))
{
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
