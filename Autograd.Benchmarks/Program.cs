using BenchmarkDotNet.Running;

// Every benchmark class in this assembly, chosen on the command line, e.g. --filter '*Gemm*' --job short.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
