using Autograd.Benchmarks.Training;
using BenchmarkDotNet.Running;

if (WorkloadRunner.TryRun(args))
{
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
