using Autograd.Benchmarks.Distributed;
using Autograd.Benchmarks.Kernels;
using Autograd.Benchmarks.Training;
using BenchmarkDotNet.Running;

// "workloads ..." runs the plain training-step runner (workloads.py's timing rule), "allreduce" (under mpirun) the
// all-reduce bandwidth runner of compare-mpi.sh, "gemm-compare" our Gemm against OpenBLAS alternated; anything else goes to
// BenchmarkDotNet: every benchmark class in this assembly, chosen on the command line, e.g. --filter '*Gemm*'.
if (WorkloadRunner.TryRun(args) || AllReduceRunner.TryRun(args) || GemmCompareRunner.TryRun(args))
{
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
