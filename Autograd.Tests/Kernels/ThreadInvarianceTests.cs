using Autograd.Kernels;

namespace Autograd.Tests.Kernels;

/// <summary>
/// The elementwise ops, broadcasting, reductions and softmax on inputs large enough for the threaded paths (more than
/// two fixed blocks, with remainders), run on 1, 2 and 3 forced threads, with <see cref="Gemm.DefaultMaxThreads"/> = 1,
/// and with the automatic choice: every result, forward and backward, must be the same bits.
/// </summary>
[NonParallelizable]
public class ThreadInvarianceTests
{
    private const int Rows = 301, Columns = 337;   // 101,437 elements: 6 blocks of 16,384, the last one longer

    private static IEnumerable<TestCaseData> Cases()
    {
        var cases = new (string Name, Func<Tensor, Tensor, Tensor> F)[]
        {
            ("Add", (a, b) => a + b),
            ("Multiply", (a, b) => a * b),
            ("AddConstant", (a, b) => (a * 0.5) + 3),
            ("AddScalarTensor", (a, b) => a + b.Sum()),
            ("AddBiasRow", (a, b) => a + b.Sum(0)),
            ("AddColumn", (a, b) => a - b.Sum(1, keepDim: true)),
            ("BroadcastThreeAxes", (a, b) => a.Reshape(Rows, 1, Columns) * b.Narrow(0, 0, 3).Reshape(1, 3, Columns)),
            ("PowTensor", (a, b) => a.Abs().Pow(b.Tanh())),
            ("Relu", (a, b) => a.Relu() * b),
            ("ExpTanhSigmoid", (a, b) => (a.Exp() + b.Tanh()).Sigmoid()),
            ("Gelu", (a, b) => a.Gelu() * b),
            ("Sum", (a, b) => (a * b).Sum()),
            ("Mean", (a, b) => (a * b).Mean()),
            ("SumAxis0", (a, b) => (a * b).Sum(0)),
            ("SumAxis1", (a, b) => (a * b).Sum(1)),
            ("SumWideColumns", (a, b) => (a * b).Reshape(7, 43, 337).Sum(1)),
            ("SumAxes", (a, b) => (a * b).Reshape(7, 43, 337).Sum([0, 2])),
            ("MaxAll", (a, b) => (a * b).Max()),
            ("MinAll", (a, b) => (a * b).Min()),
            ("MaxAxis0", (a, b) => (a * b).Max(0)),
            ("MinAxis1", (a, b) => (a * b).Min(1)),
            ("MaxFlat", (a, b) => (a * b).Reshape(Rows * Columns).Max(0)),
            ("LogSumExpFlat", (a, b) => (a * b).Reshape(Rows * Columns).LogSumExp(0)),
            ("LogSumExpAxis0", (a, b) => (a * b).LogSumExp(0)),
            ("LogSumExpAxis1", (a, b) => (a * b).LogSumExp(1)),
            ("Softmax", (a, b) => (a * b).Softmax(1)),
            ("LogSoftmax", (a, b) => (a * b).LogSoftmax(1)),
            ("SoftmaxStrided", (a, b) => (a * b).Softmax(0)),
            ("LogSoftmaxStrided", (a, b) => (a * b).LogSoftmax(0)),
            ("VarAxis0", (a, b) => (a * b).Var(0)),
            ("StdAxis1", (a, b) => (a * b).Std(1)),
        };
        foreach (var (name, f) in cases)
        {
            foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
            {
                yield return new TestCaseData(f, dtype).SetName($"{name}_{dtype}_IsBitIdenticalOnAnyThreadCount");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndBackward(Func<Tensor, Tensor, Tensor> f, DType dtype)
    {
        double[][] reference = Run(f, dtype, exactParts: 1, maxThreads: null);
        foreach (var (parts, maxThreads) in new (int?, int?)[] { (2, null), (3, null), (null, 1), (null, null) })
        {
            double[][] result = Run(f, dtype, parts, maxThreads);
            for (int k = 0; k < reference.Length; k++)
            {
                Assert.That(result[k], Is.EqualTo(reference[k]), $"threads {parts?.ToString() ?? "auto"}, max {maxThreads}, result {k}");
            }
        }
    }

    /// <summary>f(a, b), its gradients with respect to a and b (for a random output gradient; empty when unused), as doubles.</summary>
    private static double[][] Run(Func<Tensor, Tensor, Tensor> f, DType dtype, int? exactParts, int? maxThreads)
    {
        Tensor a = Tensor.Randn([Rows, Columns], 1, dtype), b = Tensor.Randn([Rows, Columns], 2, dtype);
        a.RequiresGrad = true;
        b.RequiresGrad = true;
        int saved = Gemm.DefaultMaxThreads;
        RangeParallel.ExactParts = exactParts;
        Gemm.DefaultMaxThreads = maxThreads ?? saved;
        try
        {
            Tensor y = f(a, b);
            y.Backward(Tensor.Randn(y.Shape, 3, dtype));
            return [y.ToArray<double>(), a.Grad?.ToArray<double>() ?? [], b.Grad?.ToArray<double>() ?? []];
        }
        finally
        {
            RangeParallel.ExactParts = null;
            Gemm.DefaultMaxThreads = saved;
        }
    }
}
