// A user's program that takes Autograd from its NuGet package (.ci/package-consumer.sh makes the project around it).
//   train [STEPS (5)]      a W2-like step: 784-256-128-10 ReLU MLP, batch 64, cross-entropy, SGD with momentum;
//                          prints the loss of every step and the time from process start to the end of the first
//   matmul [N (256)] [THREADS (all cores)]
//                          float32 N×N·N×N with the Blocked Gemm kernel: GFLOP/s, median of 9 timed rounds
using System.Diagnostics;
using System.Reflection;
using System.Runtime.Intrinsics;
using Autograd;
using Autograd.Kernels;
using Autograd.NN;
using Autograd.Optim;

var mode = args.Length > 0 ? args[0] : "train";
var version = typeof(Tensor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
Console.WriteLine($"Autograd {version}; Vector128/256/512 accelerated: {Vector128.IsHardwareAccelerated}/"
    + $"{Vector256.IsHardwareAccelerated}/{Vector512.IsHardwareAccelerated}");
switch (mode)
{
    case "train":
        return Train(args.Length > 1 ? int.Parse(args[1]) : 5);
    case "matmul":
        return MatMul(args.Length > 1 ? int.Parse(args[1]) : 256, args.Length > 2 ? int.Parse(args[2]) : Environment.ProcessorCount);
    default:
        Console.Error.WriteLine($"usage: train [STEPS] | matmul [N] [THREADS]; got '{mode}'");
        return 2;
}

static int Train(int steps)
{
    const int Batch = 64;
    var x = Tensor.Randn([Batch, 784], seed: 1);
    var labels = Enumerable.Range(0, Batch).Select(i => i % 10).ToArray();
    var model = new Mlp([784, 256, 128, 10], seed: 1);
    var optimizer = new Sgd(model.Parameters(), lr: 0.01, momentum: 0.9);
    var losses = new List<double>();
    for (var step = 1; step <= steps; step++)
    {
        optimizer.ZeroGrad();
        var loss = Loss.CrossEntropy(model.Forward(x), labels);
        loss.Backward();
        optimizer.Step();
        losses.Add(loss.Item());
        Console.WriteLine($"step {step} loss {losses[^1]:F6}");
        if (step == 1)
        {
            var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
            Console.WriteLine($"first step done {sinceStart.TotalMilliseconds:F0} ms after process start");
        }
    }

    Console.WriteLine($"loss {losses[0]:F6} -> {losses[^1]:F6} in {steps} step(s)");
    return losses.All(double.IsFinite) && (steps == 1 || losses[^1] < losses[0]) ? 0 : 1;
}

static int MatMul(int n, int threads)
{
    var a = Tensor.Randn([n, n], seed: 1).ToArray<float>();
    var b = Tensor.Randn([n, n], seed: 2).ToArray<float>();
    var c = new float[n * n];
    Gemm.DefaultMaxThreads = threads;

    // Warm up for 0.5 s (the JIT tiers up meanwhile), then 9 timed rounds of about 0.25 s each.
    var warmup = Stopwatch.StartNew();
    var calls = 0;
    while (warmup.Elapsed.TotalSeconds < 0.5)
    {
        Gemm.Multiply(GemmKernel.Blocked, false, false, n, n, n, a, b, c);
        calls++;
    }

    var repeats = Math.Max(1, calls / 2);
    var rates = new List<double>();
    for (var round = 0; round < 9; round++)
    {
        var clock = Stopwatch.StartNew();
        for (var r = 0; r < repeats; r++)
        {
            Gemm.Multiply(GemmKernel.Blocked, false, false, n, n, n, a, b, c);
        }

        rates.Add(2.0 * n * n * n * repeats / clock.Elapsed.TotalSeconds / 1e9);
    }

    rates.Sort();
    Console.WriteLine($"matmul {n}x{n}x{n}: {rates[rates.Count / 2]:F1} GFLOP/s (median of {rates.Count} rounds of {repeats}; "
        + $"min {rates[0]:F1}, max {rates[^1]:F1}), {threads} thread(s)");
    return 0;
}
