using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>
/// Derivatives of derivatives: third-order derivatives by repeated Tape.Grad with createGraph, the functional API
/// (Hessian, Hvp, Jacobian, Jvp) against analytic matrices, and a gradient penalty through Backward(createGraph: true).
/// </summary>
public class HigherOrderTests
{
    private static readonly object[] _elementwiseCases =
    [
        new object[] { "Exp", (Func<Tensor, Tensor>)(x => x.Exp()), (Func<double, double[]>)ExpDerivatives },
        new object[] { "Sigmoid", (Func<Tensor, Tensor>)(x => x.Sigmoid()), (Func<double, double[]>)SigmoidDerivatives },
        new object[] { "Tanh", (Func<Tensor, Tensor>)(x => x.Tanh()), (Func<double, double[]>)TanhDerivatives },
        new object[] { "Pow3", (Func<Tensor, Tensor>)(x => x.Pow(3)), (Func<double, double[]>)CubeDerivatives },
    ];

    /// <summary>
    /// f′, f″, f‴ of an elementwise f, by Tape.Grad three times (each of a sum, which for an elementwise f gives
    /// the diagonal), against the closed forms.
    /// </summary>
    [TestCaseSource(nameof(_elementwiseCases))]
    public void ThirdDerivative_OfAnElementwiseOp_ByTapeGradThreeTimes(string name, Func<Tensor, Tensor> f,
        Func<double, double[]> derivatives)
    {
        foreach ((DType dtype, double tolerance) in new[] { (DType.Float64, 1e-12), (DType.Float32, 2e-5) })
        {
            Tensor x = Tensor.Rand([6], seed: 21, low: -1.5, high: 1.5, dtype);
            x.RequiresGrad = true;
            Tensor first = Tape.Grad(f(x).Sum(), [x], createGraph: true)[0]!;
            Tensor second = Tape.Grad(first.Sum(), [x], createGraph: true)[0]!;
            Tensor third = Tape.Grad(second.Sum(), [x], allowUnused: true)[0] ?? Tensor.Zeros([6], dtype);
            Assert.That(third.DType, Is.EqualTo(dtype));

            double[] points = x.ToArray<double>();
            double[][] expected = points.Select(derivatives).ToArray();
            GradAssert.AssertClose(first.ToArray<double>(), expected.Select(d => d[0]).ToArray(), tolerance, tolerance, $"{name}′ {dtype}");
            GradAssert.AssertClose(second.ToArray<double>(), expected.Select(d => d[1]).ToArray(), tolerance, tolerance, $"{name}″ {dtype}");
            GradAssert.AssertClose(third.ToArray<double>(), expected.Select(d => d[2]).ToArray(), tolerance, tolerance, $"{name}‴ {dtype}");
        }
    }

    /// <summary>
    /// Third order by CheckGradGrad of a function that returns a first derivative computed with createGraph: the
    /// second derivatives of that derivative are the third derivatives of the original function.
    /// </summary>
    [Test]
    public void ThirdOrder_OfSoftmaxAndLogSoftmax_ByCheckGradGradOfAFirstDerivative()
    {
        Tensor x = Inputs.Normal(31, 2, 4);
        Tensor w = Inputs.Normal(32, 2, 4);
        w.RequiresGrad = false;
        foreach (bool log in new[] { false, true })
        {
            Func<Tensor[], Tensor> derivative = v =>
            {
                Tensor y = log ? v[0].LogSoftmax(1) : v[0].Softmax(1);
                return Tape.Grad((y * v[1] * y).Sum(), [v[0]], createGraph: true)[0]!;
            };
            GradCheckResult result = GradCheck.CheckGradGrad(derivative, [x, w]);
            Assert.That(result.Passed, Is.True, $"log = {log}: {result}");
        }
    }

    [Test]
    public void ThirdOrder_OfAMatMulNetwork_ByCheckGradGradOfAFirstDerivative()
    {
        // F(A, B) = Σ w ⊙ tanh(A·B); the derivative checked is ∂F/∂A, so its second derivatives in A and B are
        // third derivatives of F through MatMul, Tanh and their createGraph paths.
        Tensor a = Inputs.Normal(33, 3, 4);
        Tensor b = Inputs.Normal(34, 4, 2);
        Tensor w = Tensor.Randn([3, 2], 35, DType.Float64);
        Func<Tensor[], Tensor> dfda = v => Tape.Grad((v[0].MatMul(v[1]).Tanh() * w).Sum(), [v[0]], createGraph: true)[0]!;
        GradCheckResult result = GradCheck.CheckGradGrad(dfda, [a, b]);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void ThirdOrder_OfPow3_IsTheConstantSix_AndTheFourthIsZero()
    {
        Tensor x = Inputs.Normal(36, 4);
        Tensor first = Tape.Grad(x.Pow(3).Sum(), [x], createGraph: true)[0]!;
        Tensor second = Tape.Grad(first.Sum(), [x], createGraph: true)[0]!;
        Tensor third = Tape.Grad(second.Sum(), [x], createGraph: true)[0]!;
        GradAssert.Values(third, [6, 6, 6, 6], 1e-12, "third");
        Tensor? fourth = third.RequiresGrad ? Tape.Grad(third.Sum(), [x], allowUnused: true)[0] : null;
        GradAssert.Values(fourth ?? Tensor.Zeros([4], DType.Float64), [0, 0, 0, 0], 1e-12, "fourth");
    }

    [TestCase(DType.Float64, 1e-12)]
    [TestCase(DType.Float32, 1e-5)]
    public void Hessian_OfAQuadraticForm_IsAPlusATransposed(DType dtype, double tolerance)
    {
        const int N = 4;
        Tensor a = Tensor.Randn([N, N], 41, dtype);
        Tensor x = Tensor.Randn([N], 42, dtype);
        Tensor hessian = Tape.Hessian(v => v.Reshape(1, N).MatMul(a).MatMul(v.Reshape(N, 1)).Sum(), x);

        Assert.That(hessian.Shape, Is.EqualTo(new[] { N, N }));
        Assert.That(hessian.DType, Is.EqualTo(dtype));
        double[] values = a.ToArray<double>();
        double[] expected = new double[N * N];
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < N; j++)
            {
                expected[(i * N) + j] = values[(i * N) + j] + values[(j * N) + i];
            }
        }

        GradAssert.AssertClose(hessian.ToArray<double>(), expected, tolerance, tolerance, "H");
        Assert.That(x.RequiresGrad, Is.False, "x itself is not touched");
    }

    [TestCase(DType.Float64, 1e-12)]
    [TestCase(DType.Float32, 1e-5)]
    public void Hessian_OfSumExp_IsDiagExp_ForAMatrixInput(DType dtype, double tolerance)
    {
        Tensor x = Tensor.Rand([2, 3], 43, -1, 1, dtype);
        Tensor hessian = Tape.Hessian(v => v.Exp().Sum(), x);
        Assert.That(hessian.Shape, Is.EqualTo(new[] { 2, 3, 2, 3 }));
        double[] xs = x.ToArray<double>();
        double[] expected = new double[36];
        for (int i = 0; i < 6; i++)
        {
            expected[(i * 6) + i] = Math.Exp(xs[i]);
        }

        GradAssert.AssertClose(hessian.ToArray<double>(), expected, tolerance, tolerance, "H");
    }

    [Test]
    public void Hessian_OfALinearFunction_IsZero()
    {
        Tensor c = Tensor.Randn([3], 44, DType.Float64);
        Tensor hessian = Tape.Hessian(v => (v * c).Sum() + 2.0, Tensor.Randn([3], 45, DType.Float64));
        GradAssert.Values(hessian, new double[9], 0, "H");
    }

    [Test]
    public void Hessian_EqualsTheJacobianOfTheGradient_ForANetwork()
    {
        // Tape.Hessian against Tape.Jacobian of a gradient function made with createGraph: the same matrix two ways.
        Tensor w = Tensor.Randn([3, 4], 46, DType.Float64);
        Func<Tensor, Tensor> f = v => (v.Reshape(1, 3).MatMul(w).Tanh().Pow(2) * 0.5).Sum() + v.Sigmoid().Sum();
        Tensor x = Tensor.Randn([3], 47, DType.Float64);
        Tensor hessian = Tape.Hessian(f, x);
        Tensor jacobian = Tape.Jacobian(v => Tape.Grad(f(v), [v], createGraph: true)[0]!, x);
        GradAssert.AssertClose(hessian.ToArray<double>(), jacobian.ToArray<double>(), 1e-13, 1e-13, "H");
        double[] h = hessian.ToArray<double>();
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                Assert.That(h[(i * 3) + j], Is.EqualTo(h[(j * 3) + i]).Within(1e-13), "symmetric");
            }
        }
    }

    [TestCase(DType.Float64, 1e-12)]
    [TestCase(DType.Float32, 1e-5)]
    public void Hvp_EqualsHessianTimesV(DType dtype, double tolerance)
    {
        Tensor a = Tensor.Randn([3, 4], 51, dtype);
        Func<Tensor, Tensor> f = x => a.MatMul(x.Reshape(4, 1)).Tanh().Sum() + x.Pow(3).Sum();
        Tensor x = Tensor.Randn([4], 52, dtype);
        Tensor v = Tensor.Randn([4], 53, dtype);
        Tensor hv = Tape.Hvp(f, x, v);
        double[] expected = Dense.MatMul(Tape.Hessian(f, x).ToArray<double>(), v.ToArray<double>(), 4, 4, 1);
        Assert.That(hv.Shape, Is.EqualTo(new[] { 4 }));
        Assert.That(hv.DType, Is.EqualTo(dtype));
        Assert.That(hv.RequiresGrad, Is.False);
        GradAssert.AssertClose(hv.ToArray<double>(), expected, tolerance, tolerance, "Hv");
    }

    [TestCase(DType.Float64, 1e-12)]
    [TestCase(DType.Float32, 1e-5)]
    public void Jacobian_OfAMatrixVectorProduct_IsTheMatrix(DType dtype, double tolerance)
    {
        Tensor a = Tensor.Randn([3, 4], 61, dtype);
        Tensor jacobian = Tape.Jacobian(x => a.MatMul(x.Reshape(4, 1)).Reshape(3), Tensor.Randn([4], 62, dtype));
        Assert.That(jacobian.Shape, Is.EqualTo(new[] { 3, 4 }));
        GradAssert.AssertClose(jacobian.ToArray<double>(), a.ToArray<double>(), tolerance, tolerance, "J");
    }

    [TestCase(DType.Float64, 1e-12)]
    [TestCase(DType.Float32, 1e-6)]
    public void Jacobian_OfSoftmax_IsDiagSMinusSSTransposed(DType dtype, double tolerance)
    {
        Tensor x = Tensor.Randn([4], 63, dtype);
        Tensor jacobian = Tape.Jacobian(v => v.Softmax(0), x);
        double[] s = x.Softmax(0).ToArray<double>();
        double[] expected = new double[16];
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                expected[(i * 4) + j] = (i == j ? s[i] : 0) - (s[i] * s[j]);
            }
        }

        GradAssert.AssertClose(jacobian.ToArray<double>(), expected, tolerance, tolerance, "J");
    }

    [TestCase(DType.Float64, 1e-12)]
    [TestCase(DType.Float32, 1e-5)]
    public void Jvp_EqualsJacobianTimesV(DType dtype, double tolerance)
    {
        Tensor w = Tensor.Randn([4, 3], 71, dtype);
        Func<Tensor, Tensor> f = x => x.MatMul(w).Sigmoid() * x.Sum(1, keepDim: true);   // [2,4] → [2,3]
        Tensor x = Tensor.Randn([2, 4], 72, dtype);
        Tensor v = Tensor.Randn([2, 4], 73, dtype);
        Tensor jv = Tape.Jvp(f, x, v);
        double[] expected = Dense.MatMul(Tape.Jacobian(f, x).ToArray<double>(), v.ToArray<double>(), 6, 8, 1);
        Assert.That(jv.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(jv.DType, Is.EqualTo(dtype));
        GradAssert.AssertClose(jv.ToArray<double>(), expected, tolerance, tolerance, "Jv");
    }

    /// <summary>
    /// A gradient penalty as in WGAN-GP, through Backward(createGraph: true): F = Σ tanh(x·W), D = ∂F/∂x = G·Wᵀ with
    /// G = 1 − tanh²(x·W), P = ‖D‖². By hand: ∂P/∂W = 2·Dᵀ·G + xᵀ·S and ∂P/∂x = S·Wᵀ, where
    /// S = (2D·W) ⊙ (−2·tanh(x·W)·G). Backward of P adds them to the Grad that the first Backward left.
    /// </summary>
    [Test]
    public void GradientPenalty_ThroughBackwardCreateGraph_GivesTheSecondOrderGradients()
    {
        const int N = 3, K = 4, M = 2;
        Tensor x = Inputs.Normal(81, N, K);
        Tensor w = Inputs.Normal(82, K, M);
        x.MatMul(w).Tanh().Sum().Backward(createGraph: true);
        Tensor dx = x.Grad!;
        Assert.That(dx.RequiresGrad, Is.True, "with createGraph, Grad carries a graph");
        double[] firstX = dx.ToArray<double>(), firstW = w.Grad!.ToArray<double>();

        (dx * dx).Sum().Backward();

        double[] xs = x.ToArray<double>(), ws = w.ToArray<double>();
        double[] t = Dense.Map(Dense.MatMul(xs, ws, N, K, M), Math.Tanh);
        double[] g = Dense.Map(t, v => 1 - (v * v));
        double[] d = Dense.MatMul(g, ws, N, M, K, transB: true);
        GradAssert.AssertClose(firstX, d, 1e-12, 1e-12, "first-order dF/dx");
        double[] s = Dense.Zip(Dense.Map(Dense.MatMul(d, ws, N, K, M), v => 2 * v), Dense.Zip(t, g, (a, b) => -2 * a * b), (a, b) => a * b);
        double[] penaltyW = Dense.Zip(
            Dense.Map(Dense.MatMul(d, g, K, N, M, transA: true), v => 2 * v),
            Dense.MatMul(xs, s, K, N, M, transA: true),
            (a, b) => a + b);
        double[] penaltyX = Dense.MatMul(s, ws, N, M, K, transB: true);
        GradAssert.AssertClose(w.Grad!.ToArray<double>(), Dense.Zip(firstW, penaltyW, (a, b) => a + b), 1e-12, 1e-12, "W.Grad");
        GradAssert.AssertClose(x.Grad!.ToArray<double>(), Dense.Zip(firstX, penaltyX, (a, b) => a + b), 1e-12, 1e-12, "x.Grad");
    }

    [Test]
    public void GradientPenalty_ByTapeGrad_MatchesFiniteDifferencesOfThePenalty()
    {
        // P(W) = ‖∂F/∂x‖² evaluated by the fast path at W ± eps, against ∂P/∂W through the createGraph path.
        Tensor x = Inputs.Normal(83, 2, 3);
        Tensor w = Inputs.Normal(84, 3, 2);
        Tensor Penalty(Tensor weights, bool createGraph)
        {
            Tensor dx = Tape.Grad((x.MatMul(weights).Sigmoid() * x.MatMul(weights)).Sum(), [x], createGraph: createGraph)[0]!;
            return (dx * dx).Sum();
        }

        double[] analytic = Tape.Grad(Penalty(w, createGraph: true), [w])[0]!.ToArray<double>();
        double[] values = w.ToArray<double>();
        const double Eps = 1e-6;
        for (int i = 0; i < values.Length; i++)
        {
            double PenaltyAt(double value)
            {
                double[] shifted = (double[])values.Clone();
                shifted[i] = value;
                Tensor point = Tensor.FromArray(shifted, 3, 2);
                point.RequiresGrad = true;
                return Penalty(point, createGraph: false).Item();
            }

            double numeric = (PenaltyAt(values[i] + Eps) - PenaltyAt(values[i] - Eps)) / (2 * Eps);
            Assert.That(analytic[i], Is.EqualTo(numeric).Within(1e-6 + (1e-5 * Math.Abs(numeric))), $"dP/dW[{i}]");
        }
    }

    private static double[] ExpDerivatives(double x) => [Math.Exp(x), Math.Exp(x), Math.Exp(x)];

    private static double[] SigmoidDerivatives(double x)
    {
        double s = 1 / (1 + Math.Exp(-x));
        double first = s * (1 - s);
        return [first, first * (1 - (2 * s)), first * (1 - (6 * s) + (6 * s * s))];
    }

    private static double[] TanhDerivatives(double x)
    {
        double t = Math.Tanh(x);
        double first = 1 - (t * t);
        return [first, -2 * t * first, ((6 * t * t) - 2) * first];
    }

    private static double[] CubeDerivatives(double x) => [3 * x * x, 6 * x, 6];
}
