using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

/// <summary>
/// GradCheck.CheckGradGrad (torch.autograd.gradgradcheck): it passes correct second derivatives and catches each way a
/// createGraph branch can be wrong while the fast path, and so the first-order check, is right.
/// </summary>
public class GradGradTests
{
    /// <summary>How the test op's createGraph branch computes its VJP 3x²·g.</summary>
    public enum Branch
    {
        /// <summary>Recorded ops on the saved x and on g: the right second derivatives.</summary>
        Correct,

        /// <summary>The saved x detached: the right values, but no derivative with respect to x.</summary>
        DetachedInput,

        /// <summary>g detached: the right values, but no derivative with respect to the incoming gradient.</summary>
        DetachedGradOutput,

        /// <summary>2x²·g: wrong values (the fast path stays right).</summary>
        WrongFactor,
    }

    [Test]
    public void CorrectCreateGraphBranch_Passes()
    {
        Tensor x = Inputs.Normal(1, 4);
        GradCheckResult result = GradCheck.CheckGradGrad(v => Cube(v[0], Branch.Correct), [x]);
        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(result.MaxAbsoluteError, Is.LessThan(1e-7));
        Assert.That(result.WorstGradient, Is.EqualTo(0));
        Assert.That(result.ToString(), Does.StartWith("passed (second order)"));
    }

    [TestCase(Branch.DetachedInput)]
    [TestCase(Branch.DetachedGradOutput)]
    [TestCase(Branch.WrongFactor)]
    public void WrongCreateGraphBranch_FailsTheSecondOrderCheck_ButNotTheFirst(Branch branch)
    {
        Tensor x = Inputs.Normal(2, 5);
        Func<Tensor[], Tensor> f = v => Cube(v[0], branch);
        Assert.That(GradCheck.Check(f, [x]).Passed, Is.True, "the fast path is right");
        GradCheckResult result = GradCheck.CheckGradGrad(f, [x]);
        Assert.That(result.Passed, Is.False, result.ToString());
        Assert.That(result.ToString(), Does.StartWith("FAILED (second order)"));
    }

    [Test]
    public void DetachedSavedInput_IsReportedAsTheDerivativeWithRespectToTheInput()
    {
        // g = 3x²·v; its derivative with respect to x is diag(6x·v), which the detached branch drops.
        Tensor x = Inputs.Normal(3, 5);
        GradCheckResult result = GradCheck.CheckGradGrad(v => Cube(v[0], Branch.DetachedInput), [x]);
        double[] xs = x.ToArray<double>(), v = GradOutput(5);
        int worst = ArgMaxAbs(Dense.Zip(xs, v, (a, b) => 6 * a * b));
        Assert.That(result.Passed, Is.False);
        Assert.That(result.WorstGradient, Is.EqualTo(0));
        Assert.That(result.WorstInputIsGradOutput, Is.False);
        Assert.That(result.WorstInput, Is.EqualTo(0));
        Assert.That(result.WorstInputIndex, Is.EqualTo(worst));
        Assert.That(result.WorstOutputIndex, Is.EqualTo(worst));
        Assert.That(result.Analytic, Is.EqualTo(0));
        Assert.That(result.Numeric, Is.EqualTo(6 * xs[worst] * v[worst]).Within(1e-6));
        Assert.That(result.ToString(), Does.Contain($"d(gradient of input 0)[{worst}] / d input 0[{worst}]"));
    }

    [Test]
    public void DetachedGradOutput_IsReportedAsTheDerivativeWithRespectToV()
    {
        // g = 3x²·v; its derivative with respect to v is diag(3x²), which the detached branch drops.
        Tensor x = Inputs.Normal(4, 5);
        GradCheckResult result = GradCheck.CheckGradGrad(v => Cube(v[0], Branch.DetachedGradOutput), [x]);
        double[] xs = x.ToArray<double>();
        int worst = ArgMaxAbs(xs);
        Assert.That(result.Passed, Is.False);
        Assert.That(result.WorstGradient, Is.EqualTo(0));
        Assert.That(result.WorstInputIsGradOutput, Is.True);
        Assert.That(result.WorstInput, Is.EqualTo(1), "v comes after f's inputs");
        Assert.That(result.WorstInputIndex, Is.EqualTo(worst));
        Assert.That(result.WorstOutputIndex, Is.EqualTo(worst));
        Assert.That(result.Analytic, Is.EqualTo(0));
        Assert.That(result.Numeric, Is.EqualTo(3 * xs[worst] * xs[worst]).Within(1e-6));
        Assert.That(result.ToString(), Does.Contain($"/ d gradOutput v[{worst}]"));
    }

    [Test]
    public void SeveralInputs_TheWorstGradientAndInputAreNamed()
    {
        // f = y ⊙ cube(x): only d(∂f/∂x)/dx goes through the wrong branch; ∂f/∂y = x³·v is right.
        Tensor y = Inputs.Normal(5, 4);
        Tensor x = Inputs.Normal(6, 4);
        GradCheckResult result = GradCheck.CheckGradGrad(v => v[0] * Cube(v[1], Branch.DetachedInput), [y, x]);
        Assert.That(result.Passed, Is.False);
        Assert.That(result.WorstGradient, Is.EqualTo(1), "the gradient of x, input 1");
        Assert.That(result.WorstInput, Is.EqualTo(1));
        Assert.That(result.WorstInputIsGradOutput, Is.False);

        Assert.That(GradCheck.CheckGradGrad(v => v[0] * Cube(v[1], Branch.Correct), [y, x]).Passed, Is.True);
    }

    [Test]
    public void OnlyInputsThatRequireGrad_AreDifferentiated()
    {
        // With x not requiring a gradient, no gradient goes through the wrong branch: only ∂f/∂y = x³·v is checked.
        Tensor y = Inputs.Normal(7, 3);
        Tensor x = Inputs.Normal(8, 3);
        x.RequiresGrad = false;
        GradCheckResult result = GradCheck.CheckGradGrad(v => v[0] * Cube(v[1], Branch.DetachedInput), [y, x]);
        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(result.WorstGradient, Is.EqualTo(0));
    }

    [Test]
    public void UnusedInput_HasAZeroGradient_AndPasses()
    {
        Tensor x = Inputs.Normal(9, 3);
        Tensor unused = Inputs.Normal(10, 2);
        GradCheckResult result = GradCheck.CheckGradGrad(v => v[0].Exp(), [x, unused]);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void LinearFunction_HasZeroSecondDerivatives_AndPasses()
    {
        // The gradient of a linear f depends only on v (the second derivatives in x are all zero).
        Tensor a = Inputs.Normal(11, 2, 3);
        Tensor b = Inputs.Normal(12, 3, 2);
        Assert.That(GradCheck.CheckGradGrad(v => (v[0] * 2.0) - v[0].Sum(), [a]).Passed, Is.True);
        Assert.That(GradCheck.CheckGradGrad(v => v[0].MatMul(v[1]), [a, b]).Passed, Is.True);
        Assert.That(GradCheck.CheckGradGrad(v => v[0], [a]).Passed, Is.True, "the identity: its gradient is v itself");
    }

    [Test]
    public void DoesNotModifyTheInputs_AndPromotesFloat32()
    {
        Tensor x = Tensor.FromArray(new[] { 0.5f, -1.25f, 2f }, 3);
        x.RequiresGrad = true;
        GradCheckResult result = GradCheck.CheckGradGrad(v => v[0].Tanh() * v[0], [x]);
        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(x.ToArray<float>(), Is.EqualTo(new[] { 0.5f, -1.25f, 2f }));
        Assert.That(x.Grad, Is.Null);
        Assert.That(x.DType, Is.EqualTo(DType.Float32));
    }

    [Test]
    public void RejectsAFunctionThatLeavesFloat64_AndEmptyInputs()
    {
        Assert.That(() => GradCheck.CheckGradGrad(v => v[0].To(DType.Float32), [Inputs.Normal(13, 2)]),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("float64"));
        Assert.That(() => GradCheck.CheckGradGrad(v => v[0], []), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public void ScalarOutput_AndAReductionChain_Pass()
    {
        Tensor x = Inputs.Normal(14, 2, 3);
        GradCheckResult result = GradCheck.CheckGradGrad(v => (v[0].Sigmoid() * v[0]).Sum(1).Exp().Mean(), [x]);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    /// <summary>The gradOutput v that CheckGradGrad draws for an output of <paramref name="count"/> elements.</summary>
    private static double[] GradOutput(int count) =>
        Tensor.Randn([count], GradCheck.GradOutputSeed, DType.Float64).ToArray<double>();

    private static int ArgMaxAbs(double[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (Math.Abs(values[i]) > Math.Abs(values[best]))
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>x³ recorded through the real tape, with a correct fast path and the chosen createGraph branch.</summary>
    private static Tensor Cube(Tensor x, Branch branch)
    {
        Tensor output;
        using (Tape.NoGrad())
        {
            output = x * x * x;
        }

        if (Tape.IsGradEnabled && x.RequiresGrad)
        {
            output.SetGradFn(new CubeEntry(x, branch));
        }

        return output;
    }

    private sealed class CubeEntry : TapeEntry
    {
        private readonly Branch _branch;

        public CubeEntry(Tensor x, Branch branch)
            : base("TestCube", x)
        {
            _branch = branch;
            Save(x);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor x = Saved(0);
            if (!context.CreateGraph)
            {
                inputGrads[0] = gradOutput * (x * x * 3.0);   // recording is off on the fast path
                return;
            }

            inputGrads[0] = _branch switch
            {
                Branch.Correct => gradOutput * (x * x * 3.0),
                Branch.DetachedInput => gradOutput * (x.Detach() * x.Detach() * 3.0),
                Branch.DetachedGradOutput => gradOutput.Detach() * (x * x * 3.0),
                Branch.WrongFactor => gradOutput * (x * x * 2.0),
                _ => throw new ArgumentOutOfRangeException(nameof(gradOutput)),
            };
        }
    }
}
