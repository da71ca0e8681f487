namespace Autograd.Tests.TestSupport;

/// <summary>Assertions on gradients: finite-difference checks and float32-against-float64 comparisons.</summary>
internal static class GradAssert
{
    /// <summary>
    /// Fails with the <see cref="GradCheckResult"/> (worst element) when Backward disagrees with central differences,
    /// for first derivatives (<see cref="Autograd.GradCheck.Check"/>) and then second derivatives
    /// (<see cref="Autograd.GradCheck.CheckGradGrad"/>: the createGraph path of every op f uses), with the same
    /// tolerances.
    /// </summary>
    public static void GradCheck(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3)
    {
        GradCheckFirstOrder(f, inputs, eps, atol, rtol);
        GradCheckResult second = Autograd.GradCheck.CheckGradGrad(f, inputs, eps, atol, rtol);
        Assert.That(second.Passed, Is.True, $"GradCheck.CheckGradGrad (second derivatives): {second}");
    }

    /// <summary>
    /// First derivatives only. For points where f is once but not twice differentiable; every use says why.
    /// </summary>
    public static void GradCheckFirstOrder(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5,
        double rtol = 1e-3)
    {
        GradCheckResult first = Autograd.GradCheck.Check(f, inputs, eps, atol, rtol);
        Assert.That(first.Passed, Is.True, $"GradCheck.Check (first derivatives): {first}");
    }

    /// <summary>
    /// Runs <paramref name="f"/> in float64 (first verified by <see cref="GradCheck"/>) and in float32 on the same
    /// values, back-propagates the same seeded upstream gradient through both, and compares the float32 outputs
    /// and gradients with the float64 ones: |g32 − g64| ≤ atol + rtol·|g64|.
    /// </summary>
    public static void Float32MatchesFloat64(Func<Tensor[], Tensor> f, Tensor[] inputs64, double rtol = 1e-3, double atol = 1e-4)
    {
        GradCheck(f, inputs64);
        (double[] output64, double[][] grads64) = Evaluate(f, inputs64, DType.Float64);
        (double[] output32, double[][] grads32) = Evaluate(f, inputs64, DType.Float32);
        AssertClose(output32, output64, rtol, atol, "output");
        for (int i = 0; i < grads64.Length; i++)
        {
            AssertClose(grads32[i], grads64[i], rtol, atol, $"gradient of input {i}");
        }
    }

    /// <summary>The output and every input's gradient (zeros when none reached it) after one Backward in <paramref name="dtype"/>.</summary>
    public static (double[] Output, double[][] Gradients) Evaluate(Func<Tensor[], Tensor> f, Tensor[] inputs, DType dtype)
    {
        bool anyRequires = inputs.Any(x => x.RequiresGrad);
        Tensor[] copies = inputs.Select(x =>
        {
            Tensor copy = Inputs.CopyAs(x, dtype);
            copy.RequiresGrad = !anyRequires || x.RequiresGrad;
            return copy;
        }).ToArray();
        Tensor output = f(copies);
        Assert.That(output.DType, Is.EqualTo(dtype), "f must keep the dtype of its inputs");
        Tensor upstream = Tensor.Randn(output.Shape, seed: 991, dtype);
        output.Backward(upstream);
        double[][] gradients = copies.Select(x =>
        {
            if (x.Grad is { } grad)
            {
                Assert.That(grad.DType, Is.EqualTo(dtype), "a gradient must have its leaf's dtype");
                Assert.That(grad.Shape, Is.EqualTo(x.Shape), "a gradient must have its leaf's shape");
                return grad.ToArray<double>();
            }

            return new double[x.Count];
        }).ToArray();
        return (output.ToArray<double>(), gradients);
    }

    /// <summary>Element by element: |actual − expected| ≤ atol + rtol·|expected|, naming the first element that is not.</summary>
    public static void AssertClose(double[] actual, double[] expected, double rtol, double atol, string what = "values")
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: lengths differ");
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = atol + (rtol * Math.Abs(expected[i]));
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance) && !actual[i].Equals(expected[i]))
            {
                Assert.Fail($"{what}[{i}]: expected {expected[i]:G9} ± {tolerance:G3}, got {actual[i]:G9}");
            }
        }
    }

    /// <summary>Compares a tensor's values (any dtype) with <paramref name="expected"/> within an absolute tolerance.</summary>
    public static void Values(Tensor actual, double[] expected, double tolerance = 1e-12, string what = "values") =>
        AssertClose(actual.ToArray<double>(), expected, rtol: 0, atol: tolerance, what);

    /// <summary>The gradient of <paramref name="x"/> as doubles; fails when it has none.</summary>
    public static double[] GradOf(Tensor x)
    {
        Assert.That(x.Grad, Is.Not.Null, "expected a gradient");
        return x.Grad!.ToArray<double>();
    }
}
