using Autograd.Benchmarks.Training;
using BenchmarkDotNet.Running;

// "workloads ..." runs the plain training-step runner (workloads.py's timing rule); anything else goes to
// BenchmarkDotNet: every benchmark class in this assembly, chosen on the command line, e.g. --filter '*Gemm*'.
if (WorkloadRunner.TryRun(args))
{
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
