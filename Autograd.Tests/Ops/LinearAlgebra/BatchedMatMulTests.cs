using Autograd.Kernels;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Ops.LinearAlgebra;

/// <summary>MatMul as torch.matmul: vectors, batch dimensions that broadcast, zero sizes, threads, errors.</summary>
public class BatchedMatMulTests
{
    /// <summary>Every rank combination torch.matmul accepts (but 2-D × 2-D, MatMulTests' own), with the result's shape.</summary>
    private static readonly (int[] A, int[] B, int[] C)[] _cases =
    [
        ([3], [3], []),                            // dot
        ([2, 3], [3], [2]),                        // matrix · vector
        ([3], [3, 4], [4]),                        // vector · matrix
        ([1], [1], []),
        ([2, 3, 4], [4, 5], [2, 3, 5]),            // B not batched: the batch folds into M
        ([3, 4], [2, 4, 5], [2, 3, 5]),            // A not batched
        ([2, 3, 4], [2, 4, 5], [2, 3, 5]),
        ([1, 3, 4], [2, 4, 5], [2, 3, 5]),         // a batch of one broadcasts
        ([2, 1, 3, 4], [5, 4, 2], [2, 5, 3, 2]),   // [b,1,m,k] x [c,k,n] -> [b,c,m,n]
        ([2, 1, 3, 4], [1, 3, 4, 2], [2, 3, 3, 2]),
        ([3, 1, 2, 2, 3], [2, 1, 3, 2], [3, 2, 2, 2, 2]),  // broadcast patterns alternate: A, B, both
        ([2, 3, 4], [4], [2, 3]),                  // batched matrix · vector
        ([4], [2, 4, 5], [2, 5]),                  // vector · batched matrix
        ([3], [2, 2, 3, 1], [2, 2, 1]),
        ([2, 2, 3], [2, 1, 3, 4], [2, 2, 2, 4]),
        ([2, 3, 1], [2, 1, 4], [2, 3, 4]),         // k = 1
        ([2, 1, 4], [4, 1], [2, 1, 1]),            // m = n = 1 in a batch
    ];

    /// <summary>Zero sizes anywhere: in k (an empty sum: zeros), in m or n, in a batch dimension, broadcast or not.</summary>
    private static readonly (int[] A, int[] B, int[] C)[] _zeroCases =
    [
        ([0], [0], []),
        ([2, 0], [0], [2]),
        ([0], [0, 3], [3]),
        ([0, 3, 4], [4, 5], [0, 3, 5]),
        ([2, 3, 0], [2, 0, 4], [2, 3, 4]),
        ([2, 0, 4], [4, 5], [2, 0, 5]),
        ([3, 4], [0, 4, 5], [0, 3, 5]),            // dA sums over no products: zeros
        ([0], [2, 0, 5], [2, 5]),
        ([2, 1, 3, 4], [0, 4, 5], [2, 0, 3, 5]),
        ([2, 3, 4], [2, 4, 0], [2, 3, 0]),
    ];

    private static IEnumerable<TestCaseData> Named((int[] A, int[] B, int[] C)[] cases, string prefix) =>
        cases.Select(c => new TestCaseData(c.A, c.B, c.C).SetName($"{prefix}_{Text(c.A)}_x_{Text(c.B)}"));

    private static IEnumerable<TestCaseData> AllCases() => Named(_cases, "MatMul");

    private static IEnumerable<TestCaseData> AllZeroCases() => Named(_zeroCases, "MatMul");

    private static IEnumerable<TestCaseData> Operands() =>
        _cases.Select(c => new TestCaseData(c.A, c.B).SetName($"MatMul_{Text(c.A)}_x_{Text(c.B)}"));

    private static IEnumerable<TestCaseData> ZeroOperands() =>
        _zeroCases.Select(c => new TestCaseData(c.A, c.B).SetName($"MatMul_{Text(c.A)}_x_{Text(c.B)}"));

    private static string Text(int[] shape) => "[" + string.Join("x", shape) + "]";

    [TestCaseSource(nameof(AllCases))]
    [TestCaseSource(nameof(AllZeroCases))]
    public void Values_MatchTheNaiveReference(int[] shapeA, int[] shapeB, int[] shapeC)
    {
        Tensor a = Tensor.Randn(shapeA, 31, DType.Float64);
        Tensor b = Tensor.Randn(shapeB, 32, DType.Float64);
        Tensor c = a.MatMul(b);
        Assert.That(c.Shape, Is.EqualTo(shapeC));
        double[] expected = Reference(a.ToArray<double>(), shapeA, b.ToArray<double>(), shapeB, out int[] shape);
        Assert.That(shape, Is.EqualTo(shapeC), "the reference's shape");
        GradAssert.Values(c, expected, 1e-12);
    }

    [TestCaseSource(nameof(Operands))]
    public void GradCheck_Float64(int[] shapeA, int[] shapeB) =>
        GradAssert.GradCheck(v => v[0].MatMul(v[1]), [Inputs.Normal(33, shapeA), Inputs.Normal(34, shapeB)]);

    [TestCaseSource(nameof(ZeroOperands))]
    public void GradCheck_ZeroSizes(int[] shapeA, int[] shapeB) =>
        GradAssert.GradCheck(v => v[0].MatMul(v[1]), [Inputs.Normal(35, shapeA), Inputs.Normal(36, shapeB)]);

    [TestCaseSource(nameof(Operands))]
    public void Float32MatchesFloat64(int[] shapeA, int[] shapeB) =>
        GradAssert.Float32MatchesFloat64(v => v[0].MatMul(v[1]), [Inputs.Normal(37, shapeA), Inputs.Normal(38, shapeB)]);

    [TestCaseSource(nameof(AllCases))]
    [TestCaseSource(nameof(AllZeroCases))]
    public void Gradients_MatchTheNaiveReference_OnBothPaths(int[] shapeA, int[] shapeB, int[] shapeC)
    {
        // dA = SumTo(G·Bᵀ), dB = SumTo(Aᵀ·G) per batch item, from the reference's own loops: the fast path and the
        // createGraph path (recorded MatMul, SumTo, Reshape) must both give them.
        double[] a = Tensor.Randn(shapeA, 41, DType.Float64).ToArray<double>();
        double[] b = Tensor.Randn(shapeB, 42, DType.Float64).ToArray<double>();
        double[] g = Tensor.Randn(shapeC, 43, DType.Float64).ToArray<double>();
        var (expectedA, expectedB) = ReferenceGradients(a, shapeA, b, shapeB, g);
        foreach (bool createGraph in new[] { false, true })
        {
            Tensor x = Inputs.Of(a, shapeA);
            Tensor y = Inputs.Of(b, shapeB);
            Tensor?[] grads = Tape.Grad(x.MatMul(y), [x, y], Tensor.FromArray(g, shapeC), createGraph: createGraph);
            Assert.That(grads[0]!.Shape, Is.EqualTo(shapeA));
            Assert.That(grads[1]!.Shape, Is.EqualTo(shapeB));
            GradAssert.Values(grads[0]!, expectedA, 1e-12, $"dA (createGraph {createGraph})");
            GradAssert.Values(grads[1]!, expectedB, 1e-12, $"dB (createGraph {createGraph})");
        }
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void TransposeFlags_WithBroadcastBatches_GradCheck(bool transA, bool transB)
    {
        // op(A) is [2,1,3,4] and op(B) is [5,4,2]: the flags transpose the last two dimensions only.
        int[] a = transA ? [2, 1, 4, 3] : [2, 1, 3, 4];
        int[] b = transB ? [5, 2, 4] : [5, 4, 2];
        GradAssert.Float32MatchesFloat64(
            v => Autograd.Ops.MatMul.Forward(v[0], v[1], transA, transB), [Inputs.Normal(44, a), Inputs.Normal(45, b)]);
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void TransposeFlags_WithAVector_AreIgnoredForTheVector(bool transA, bool transB)
    {
        // A vector is its own transpose: only the matrix operand's flag counts.
        Tensor v = Tensor.Randn([4], 46, DType.Float64);
        Tensor m = Tensor.Randn(transB ? [3, 4] : [4, 3], 47, DType.Float64);
        Tensor left = Autograd.Ops.MatMul.Forward(v, m, transA, transB);
        Tensor expected = v.MatMul(transB ? m.Transpose() : m);
        GradAssert.Values(left, expected.ToArray<double>(), 1e-14);
        Tensor mA = Tensor.Randn(transA ? [4, 3] : [3, 4], 48, DType.Float64);
        Tensor right = Autograd.Ops.MatMul.Forward(mA, v, transA, transB);
        GradAssert.Values(right, (transA ? mA.Transpose() : mA).MatMul(v).ToArray<double>(), 1e-14);
        GradAssert.GradCheck(x => Autograd.Ops.MatMul.Forward(x[0], x[1], transA, transB), [Inputs.Normal(49, 4), Inputs.Normal(50, 4)]);
    }

    [Test]
    public void FanOut_TheSameTensorOnBothSides_GradCheck()
    {
        GradAssert.GradCheck(v => v[0].MatMul(v[0]), [Inputs.Normal(51, 2, 3, 3)]);
        GradAssert.GradCheck(v => v[0].MatMul(v[0]), [Inputs.Normal(52, 4)]);
        GradAssert.GradCheck(v => v[0].MatMul(v[1]).MatMul(v[0]), [Inputs.Normal(53, 2, 3, 3), Inputs.Normal(54, 3, 3)]);
    }

    [Test]
    public void Dot_HandComputed()
    {
        Tensor a = Inputs.Of([1, 2, 3], 3);
        Tensor b = Inputs.Of([4, 5, 6], 3);
        Tensor c = a.MatMul(b);
        Assert.That(c.Shape, Is.Empty);
        Assert.That(c.Item(), Is.EqualTo(32));
        c.Backward();
        Assert.That(GradAssert.GradOf(a), Is.EqualTo(new[] { 4.0, 5, 6 }));
        Assert.That(GradAssert.GradOf(b), Is.EqualTo(new[] { 1.0, 2, 3 }));
    }

    [Test]
    public void BatchedMatrixTimesSharedMatrix_GradientOfTheSharedOne_SumsOverTheBatch()
    {
        // [2,1,2]·[2,1]: each item a [1,2] row; dB = Σ_b A[b]ᵀ·G[b] = (1+3, 2+4) with G = ones.
        Tensor a = Inputs.Of([1, 2, 3, 4], 2, 1, 2);
        Tensor b = Inputs.Of([5, 6], 2, 1);
        Tensor c = a.MatMul(b);
        Assert.That(c.Shape, Is.EqualTo(new[] { 2, 1, 1 }));
        GradAssert.Values(c, [17, 39]);
        c.Sum().Backward();
        Assert.That(GradAssert.GradOf(b), Is.EqualTo(new[] { 4.0, 6 }));
        Assert.That(GradAssert.GradOf(a), Is.EqualTo(new[] { 5.0, 6, 5, 6 }));
    }

    /// <summary>
    /// Shapes over the threading threshold: several outputs (threads take whole products), B broadcast (folded
    /// into one product), three large items on two threads (threaded inside each product), and gradients summed
    /// over a broadcast batch.
    /// </summary>
    private static IEnumerable<TestCaseData> ThreadCases()
    {
        yield return new TestCaseData(new[] { 8, 64, 96 }, new[] { 8, 96, 80 }).SetName("Threads_[8x64x96]_x_[8x96x80]");
        yield return new TestCaseData(new[] { 3, 128, 128 }, new[] { 128, 128 }).SetName("Threads_[3x128x128]_x_[128x128]");
        yield return new TestCaseData(new[] { 2, 1, 64, 96 }, new[] { 3, 96, 64 }).SetName("Threads_[2x1x64x96]_x_[3x96x64]");
        yield return new TestCaseData(new[] { 3, 130, 150 }, new[] { 3, 150, 140 }).SetName("Threads_[3x130x150]_x_[3x150x140]");
        yield return new TestCaseData(new[] { 160, 150 }, new[] { 3, 150, 170 }).SetName("Threads_[160x150]_x_[3x150x170]");
        yield return new TestCaseData(new[] { 5, 256, 2048 }, new[] { 2048 }).SetName("Threads_[5x256x2048]_x_[2048]");
    }

    [NonParallelizable]
    [TestCaseSource(nameof(ThreadCases))]
    public void ResultsAndGradients_AreBitIdentical_WithOneOrTwoThreads(int[] shapeA, int[] shapeB)
    {
        int saved = Gemm.DefaultMaxThreads;
        try
        {
            Gemm.DefaultMaxThreads = 1;
            float[][] one = Run(shapeA, shapeB);
            Gemm.DefaultMaxThreads = 2;
            float[][] two = Run(shapeA, shapeB);
            for (int i = 0; i < one.Length; i++)
            {
                Assert.That(two[i], Is.EqualTo(one[i]), i == 0 ? "output" : $"gradient {i}");
            }

            // And the values are right: float32 against the float64 reference.
            double[] reference = Reference(
                Tensor.Randn(shapeA, 61).ToArray<double>(), shapeA, Tensor.Randn(shapeB, 62).ToArray<double>(), shapeB, out _);
            GradAssert.AssertClose(Array.ConvertAll(one[0], x => (double)x), reference, 1e-4, 1e-3, "output");
        }
        finally
        {
            Gemm.DefaultMaxThreads = saved;
        }

        static float[][] Run(int[] shapeA, int[] shapeB)
        {
            Tensor a = Tensor.Randn(shapeA, 61);
            Tensor b = Tensor.Randn(shapeB, 62);
            a.RequiresGrad = b.RequiresGrad = true;
            Tensor c = a.MatMul(b);
            c.Backward(Tensor.Randn(c.Shape, 63));
            return [c.ToArray<float>(), a.Grad!.ToArray<float>(), b.Grad!.ToArray<float>()];
        }
    }

    [Test]
    public void ZeroDimensionalOperand_Throws()
    {
        Assert.That(() => Tensor.Scalar(2.0).MatMul(Tensor.Zeros([3])), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("MatMul: [] x [3]: both operands must be at least 1-D, but they are 0-D and 1-D"));
        Assert.That(() => Tensor.Zeros([2, 3]).MatMul(Tensor.Scalar(2.0)), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("MatMul: [2,3] x []: both operands must be at least 1-D, but they are 2-D and 0-D"));
    }

    [TestCase(new[] { 3 }, new[] { 4 }, "MatMul: [3] x [4]: inner dimensions 3 and 4 differ")]
    [TestCase(new[] { 2, 3 }, new[] { 2 }, "MatMul: [2,3] x [2]: inner dimensions 3 and 2 differ")]
    [TestCase(new[] { 3 }, new[] { 2, 3 }, "MatMul: [3] x [2,3]: inner dimensions 3 and 2 differ")]
    [TestCase(new[] { 2, 2, 3 }, new[] { 2, 4, 5 }, "MatMul: [2,2,3] x [2,4,5]: inner dimensions 3 and 4 differ")]
    [TestCase(new[] { 2, 2, 3 }, new[] { 4 }, "MatMul: [2,2,3] x [4]: inner dimensions 3 and 4 differ")]
    [TestCase(new[] { 2, 3, 4 }, new[] { 3, 4, 5 },
        "MatMul: [2,3,4] x [3,4,5]: batch dimensions [2] and [3] do not broadcast: batch sizes 2 and 3 differ (dimension 0 of a, 0 of b)")]
    [TestCase(new[] { 2, 5, 3, 4 }, new[] { 3, 4, 5 },
        "MatMul: [2,5,3,4] x [3,4,5]: batch dimensions [2,5] and [3] do not broadcast: batch sizes 5 and 3 differ (dimension 1 of a, 0 of b)")]
    public void ShapeErrors_NameTheShapes(int[] shapeA, int[] shapeB, string message) =>
        Assert.That(() => Tensor.Zeros(shapeA).MatMul(Tensor.Zeros(shapeB)), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains(message));

    [Test]
    public void TransposedOperand_IsMarkedInTheError() =>
        Assert.That(() => Autograd.Ops.MatMul.Forward(Tensor.Zeros([2, 3, 4]), Tensor.Zeros([2, 4, 5]), transA: true),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("MatMul: [2,3,4]ᵀ x [2,4,5]: inner dimensions 3 and 4 differ"));

    [Test]
    public void DTypesDiffer_Throws() =>
        Assert.That(() => Tensor.Zeros([2, 2, 2]).MatMul(Tensor.Zeros([2], DType.Float64)), Throws.InstanceOf<ArgumentException>()
            .With.Message.Contains("MatMul").And.Message.Contains("Float32").And.Message.Contains("Float64"));

    /// <summary>
    /// torch.matmul written out: vectors made [1,k] / [k,1], batch indices mapped per operand (index 0 along a
    /// dimension of size 1), one dot product per element of C.
    /// </summary>
    private static double[] Reference(double[] a, int[] shapeA, double[] b, int[] shapeB, out int[] shape)
    {
        var p = Promote(shapeA, shapeB);
        double[] c = new double[p.Count * p.M * p.N];
        for (int item = 0; item < p.Count; item++)
        {
            var (offsetA, offsetB) = p.Offsets(item);
            for (int i = 0; i < p.M; i++)
            {
                for (int j = 0; j < p.N; j++)
                {
                    double sum = 0;
                    for (int q = 0; q < p.K; q++)
                    {
                        sum += a[offsetA + (i * p.K) + q] * b[offsetB + (q * p.N) + j];
                    }

                    c[(item * p.M * p.N) + (i * p.N) + j] = sum;
                }
            }
        }

        shape = p.OutputShape;
        return c;
    }

    /// <summary>dA[offset of item] += G[item]·B[item]ᵀ and dB[...] += A[item]ᵀ·G[item] over every batch item.</summary>
    private static (double[] GradA, double[] GradB) ReferenceGradients(double[] a, int[] shapeA, double[] b, int[] shapeB, double[] g)
    {
        var p = Promote(shapeA, shapeB);
        double[] gradA = new double[a.Length], gradB = new double[b.Length];
        for (int item = 0; item < p.Count; item++)
        {
            var (offsetA, offsetB) = p.Offsets(item);
            int offsetG = item * p.M * p.N;
            for (int i = 0; i < p.M; i++)
            {
                for (int j = 0; j < p.N; j++)
                {
                    for (int q = 0; q < p.K; q++)
                    {
                        gradA[offsetA + (i * p.K) + q] += g[offsetG + (i * p.N) + j] * b[offsetB + (q * p.N) + j];
                        gradB[offsetB + (q * p.N) + j] += a[offsetA + (i * p.K) + q] * g[offsetG + (i * p.N) + j];
                    }
                }
            }
        }

        return (gradA, gradB);
    }

    private static Promoted Promote(int[] shapeA, int[] shapeB)
    {
        int[] ma = shapeA.Length == 1 ? [1, shapeA[0]] : shapeA;
        int[] mb = shapeB.Length == 1 ? [shapeB[0], 1] : shapeB;
        int rank = Math.Max(ma.Length, mb.Length) - 2;
        int[] batchA = [.. Enumerable.Repeat(1, rank - (ma.Length - 2)), .. ma[..^2]];
        int[] batchB = [.. Enumerable.Repeat(1, rank - (mb.Length - 2)), .. mb[..^2]];
        int[] batch = batchA.Zip(batchB, Math.Max).Select((d, i) => batchA[i] == 0 || batchB[i] == 0 ? 0 : d).ToArray();
        List<int> output = [.. batch];
        if (shapeA.Length > 1)
        {
            output.Add(ma[^2]);
        }

        if (shapeB.Length > 1)
        {
            output.Add(mb[^1]);
        }

        return new Promoted(batch, batchA, batchB, ma[^2], mb[^1], ma[^1], [.. output]);
    }

    private sealed record Promoted(int[] Batch, int[] BatchA, int[] BatchB, int M, int N, int K, int[] OutputShape)
    {
        public int Count => Batch.Aggregate(1, (x, y) => x * y);

        /// <summary>The element offsets of batch item <paramref name="item"/>'s matrices in A and B.</summary>
        public (int A, int B) Offsets(int item)
        {
            int offsetA = 0, offsetB = 0, strideA = M * K, strideB = K * N;
            for (int d = Batch.Length - 1; d >= 0; d--)
            {
                int index = item % Batch[d];
                item /= Batch[d];
                offsetA += (BatchA[d] == 1 ? 0 : index) * strideA;
                offsetB += (BatchB[d] == 1 ? 0 : index) * strideB;
                strideA *= BatchA[d];
                strideB *= BatchB[d];
            }

            return (offsetA, offsetB);
        }
    }
}
