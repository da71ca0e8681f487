using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Seeds;

/// <summary>
/// The 3-layer network of shared/seeds/003_0834851c8f1242d4.txt (2 → 3 → 2 → 1, ReLU, ReLU, Sigmoid, BCE), with
/// the tutorial's weights, X and y. Every intermediate it prints, the cost PyTorch prints, and every gradient.
/// </summary>
/// <remarks>
/// The tutorial's own hand computation goes wrong at its step 4: it takes dL/dA2 = dL/dZ3 ⊙ W3ᵀ, an elementwise
/// product of a [2,1] and a [2,1] column, which gives one number per sample instead of a [2,2] matrix. The
/// correct VJP of Z3 = A2·W3ᵀ + b3 is dA2 = G·W3 (G = dJ/dZ3, [2,1] times [1,2]). We trust the gradients PyTorch
/// prints (which follow the correct formula) and the tutorial's numbers up to and including step 3.
/// </remarks>
[TestFixture(DType.Float32)]
[TestFixture(DType.Float64)]
public class BackpropagationWalkthroughTests(DType dtype)
{
    // PyTorch prints 4 decimals.
    private const double PrintedTolerance = 0.5e-4 + 1e-7;

    private readonly DType _dtype = dtype;

    private Tensor _w1 = null!, _b1 = null!, _w2 = null!, _b2 = null!, _w3 = null!, _b3 = null!, _x = null!, _y = null!;

    [SetUp]
    public void SetUp()
    {
        _w1 = Parameter([-1, 2, 3, 0.5, -0.1, -4], 3, 2);
        _b1 = Parameter([1, -2, 0.3], 3);
        _w2 = Parameter([0.5, 1, -2, 0.7, 0.1, 0.3], 2, 3);
        _b2 = Parameter([-4, 5], 2);
        _w3 = Parameter([0.5, -0.3], 1, 2);
        _b3 = Parameter([0.1], 1);
        _x = Tensor.FromArray(new[] { 1.0, 2, 3, 4 }, 2, 2).To(_dtype);
        _y = Tensor.FromArray(new[] { 0.0, 1 }, 2, 1).To(_dtype);
    }

    [Test]
    public void Forward_IntermediatesAsPrinted()
    {
        Network n = Forward();
        // Tolerances: float32 rounding of values up to 16 (e.g. −16.3 + 0.3 = −15.999999 in float32, as the tutorial notes).
        GradAssert.Values(n.Z1, [4, 2, -7.8, 6, 9, -16], 2e-6, "Z1");
        GradAssert.Values(n.A1, [4, 2, 0, 6, 9, 0], 0, "A1");
        GradAssert.Values(n.Z2, [0, 8, 8, 10.1], 2e-6, "Z2");
        Assert.That(n.Z2.ToArray<double>()[0], Is.EqualTo(0), "Z2[0,0] is exactly 0 (so ReLU′ there is 0)");
        GradAssert.Values(n.A2, [0, 8, 8, 10.1], 2e-6, "A2");
        GradAssert.Values(n.Z3, [-2.3, 1.07], 2e-6, "Z3");
        GradAssert.Values(n.A3, [0.0911, 0.7446], PrintedTolerance, "A3");
        // The loss per sample and the cost the tutorial computes with numpy.
        GradAssert.Values(n.A3, [1 / (1 + Math.Exp(2.3)), 1 / (1 + Math.Exp(-1.07))], 1e-7, "A3 = σ(Z3)");
    }

    [Test]
    public void Cost_AsPrintedByPyTorch_ToFloat32Rounding()
    {
        double cost = Forward().Cost.Item();
        // 0.19522885978221893 is PyTorch's float32 result; a float32 step there is 1.49e-8.
        Assert.That(cost, Is.EqualTo(0.19522885978221893).Within(4 * 1.49e-8));
        // And the exact value of −mean(y log σ(Z3) + (1 − y) log(1 − σ(Z3))) in float64.
        double exact = (Math.Log(1 + Math.Exp(-2.3)) + Math.Log(1 + Math.Exp(-1.07))) / 2;
        Assert.That(cost, Is.EqualTo(exact).Within(_dtype == DType.Float64 ? 1e-15 : 4 * 1.49e-8));
    }

    [Test]
    public void Backward_GradientsAsPrintedByPyTorch()
    {
        Forward().Cost.Backward();
        GradAssert.Values(_w1.Grad!, [-0.0249, -0.0396, -0.1814, -0.2428, 0, 0], PrintedTolerance, "W1.grad");
        GradAssert.Values(_b1.Grad!, [-0.0147, -0.0614, 0], PrintedTolerance, "b1.grad");
        GradAssert.Values(_w2.Grad!, [-0.3831, -0.5747, 0, 0.1752, 0.3175, 0], PrintedTolerance, "W2.grad");
        GradAssert.Values(_b2.Grad!, [-0.0639, 0.0246], PrintedTolerance, "b2.grad");
        // dJ/dW3 and dJ/db3 the tutorial prints with more digits (numpy, float32).
        GradAssert.Values(_w3.Grad!, [-1.0216124, -0.9252938], 1e-6, "W3.grad");
        GradAssert.Values(_b3.Grad!, [-0.08214007], 1e-7, "b3.grad");
        Assert.That(_x.Grad, Is.Null);
    }

    [Test]
    public void Backward_EqualsTheChainRuleByHand()
    {
        // The correct hand derivation (G_l = dJ/dZ_l): G3 = (A3 − y)/N, dW3 = G3ᵀ·A2, dA2 = G3·W3,
        // G2 = dA2 ⊙ [Z2 > 0], dW2 = G2ᵀ·A1, dA1 = G2·W2, G1 = dA1 ⊙ [Z1 > 0], dW1 = G1ᵀ·X; db = Σ_batch G.
        Network n = Forward();
        n.Cost.Backward();
        double[] x = _x.ToArray<double>(), a1 = n.A1.ToArray<double>(), a2 = n.A2.ToArray<double>();
        double[] z1 = n.Z1.ToArray<double>(), z2 = n.Z2.ToArray<double>(), a3 = n.A3.ToArray<double>();
        double[] y = _y.ToArray<double>();
        double[] g3 = Dense.Zip(a3, y, (p, t) => (p - t) / 2);
        double[] da2 = Dense.MatMul(g3, _w3.ToArray<double>(), 2, 1, 2);
        double[] g2 = Dense.Zip(da2, z2, (g, z) => z > 0 ? g : 0);
        double[] da1 = Dense.MatMul(g2, _w2.ToArray<double>(), 2, 2, 3);
        double[] g1 = Dense.Zip(da1, z1, (g, z) => z > 0 ? g : 0);

        double tolerance = _dtype == DType.Float64 ? 1e-14 : 1e-6;
        GradAssert.Values(_w3.Grad!, Dense.MatMul(g3, a2, 1, 2, 2, transA: true), tolerance, "dW3");
        GradAssert.Values(_b3.Grad!, Dense.SumRows(g3, 1), tolerance, "db3");
        GradAssert.Values(_w2.Grad!, Dense.MatMul(g2, a1, 2, 2, 3, transA: true), tolerance, "dW2");
        GradAssert.Values(_b2.Grad!, Dense.SumRows(g2, 2), tolerance, "db2");
        GradAssert.Values(_w1.Grad!, Dense.MatMul(g1, x, 3, 2, 2, transA: true), tolerance, "dW1");
        GradAssert.Values(_b1.Grad!, Dense.SumRows(g1, 3), tolerance, "db1");
    }

    [Test]
    public void TutorialSteps1To3_PerSampleNumbers()
    {
        Network n = Forward();
        Tensor a3 = n.A3.Detach();
        Tensor y = _y;
        // Step 1: dL/dA3 = −(y/A3 − (1 − y)/(1 − A3)); step 2: dA3/dZ3 = A3(1 − A3); dL/dZ3 = their product.
        Tensor dLdA3 = -((y / a3) - ((1 - y) / (1 - a3)));
        Tensor dA3dZ3 = a3 * (1 - a3);
        Tensor dLdZ3 = dLdA3 * dA3dZ3;
        GradAssert.AssertClose(dLdA3.ToArray<double>(), [1.1002588, -1.3430085], 1e-6, 0, "dL_dA3");
        GradAssert.AssertClose(dA3dZ3.ToArray<double>(), [0.08281956, 0.19017236], 1e-6, 0, "dA3_dZ3");
        GradAssert.AssertClose(dLdZ3.ToArray<double>(), [0.09112295, -0.2554031], 1e-6, 0, "dL_dZ3");
        // Step 3: per-sample dL/dW3 = dL/dZ3 ⊙ A2 (broadcast over the row).
        GradAssert.AssertClose((dLdZ3 * n.A2.Detach()).ToArray<double>(), [0, 0.7289836, -2.0432248, -2.5795712], 1e-6, 1e-7, "dL_dW3");
        // And the loss per sample.
        Tensor losses = -((y * a3.Log()) + ((1 - y) * (1 - a3).Log()));
        GradAssert.AssertClose(losses.ToArray<double>(), [0.09554543, 0.29491228], 1e-6, 0, "L");

        // The engine agrees: back-propagating the cost into a leaf copy of Z3 gives dL/dZ3 / N.
        Tensor z3 = n.Z3.Detach();
        z3.RequiresGrad = true;
        Loss.BinaryCrossEntropy(z3.Sigmoid(), y).Backward();
        GradAssert.AssertClose(z3.Grad!.ToArray<double>(), [0.09112295 / 2, -0.2554031 / 2], 1e-6, 0, "dJ/dZ3");
    }

    [Test]
    public void DJdA2_IsGTimesW3_NotTheTutorialsElementwiseProduct()
    {
        Network n = Forward();
        Tensor a2 = n.A2.Detach();
        a2.RequiresGrad = true;
        Tensor a3 = Functional.Linear(a2, _w3, _b3).Sigmoid();
        Loss.BinaryCrossEntropy(a3, _y).Backward();
        // G = dJ/dZ3 = [0.09112295, −0.2554031]/2; dA2 = G·W3 = [[0.5G₀, −0.3G₀], [0.5G₁, −0.3G₁]].
        double g0 = 0.09112295 / 2, g1 = -0.2554031 / 2;
        GradAssert.AssertClose(a2.Grad!.ToArray<double>(), [0.5 * g0, -0.3 * g0, 0.5 * g1, -0.3 * g1], 1e-6, 0, "dJ/dA2");
        // The tutorial's step-4 numbers [0.04556147, 0.07662094] are not what any correct backward produces.
        Assert.That(a2.Grad!.Shape, Is.EqualTo(new[] { 2, 2 }));
    }

    private Network Forward()
    {
        Tensor z1 = Functional.Linear(_x, _w1, _b1);
        Tensor a1 = z1.Relu();
        Tensor z2 = Functional.Linear(a1, _w2, _b2);
        Tensor a2 = z2.Relu();
        Tensor z3 = Functional.Linear(a2, _w3, _b3);
        Tensor a3 = z3.Sigmoid();
        return new Network(z1, a1, z2, a2, z3, a3, Loss.BinaryCrossEntropy(a3, _y));
    }

    private Tensor Parameter(double[] values, params int[] shape)
    {
        Tensor p = Tensor.FromArray(values, shape).To(_dtype);
        p.RequiresGrad = true;
        return p;
    }

    private sealed record Network(Tensor Z1, Tensor A1, Tensor Z2, Tensor A2, Tensor Z3, Tensor A3, Tensor Cost);
}
