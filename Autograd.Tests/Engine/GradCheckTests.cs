using Autograd.Tests.TestSupport;

namespace Autograd.Tests.Engine;

public class GradCheckTests
{
    [Test]
    public void CorrectVjp_Passes()
    {
        Tensor x = Inputs.Normal(1, 4);
        Tensor y = Inputs.Normal(2, 4);
        GradCheckResult result = GradCheck.Check(v => TestOps.BuggyMultiply(v[0], v[1], wrongElement: 2, error: 0), [x, y]);
        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(result.MaxAbsoluteError, Is.LessThan(1e-8));
        Assert.That(result.ToString(), Does.StartWith("passed"));
    }

    [Test]
    public void WrongVjp_Fails_AndReportsTheWorstElement()
    {
        Tensor x = Inputs.Normal(3, 4);
        Tensor y = Inputs.Normal(4, 4);
        GradCheckResult result = GradCheck.Check(v => TestOps.BuggyMultiply(v[0], v[1], wrongElement: 2, error: 0.5), [x, y]);
        Assert.That(result.Passed, Is.False);
        Assert.That(result.WorstInput, Is.EqualTo(1));
        Assert.That(result.WorstInputIndex, Is.EqualTo(2));
        Assert.That(result.WorstOutputIndex, Is.EqualTo(2));
        // d(x⊙y)_2 / dy_2 = x_2; the buggy VJP adds 0.5.
        double x2 = x.ToArray<double>()[2];
        Assert.That(result.Numeric, Is.EqualTo(x2).Within(1e-8));
        Assert.That(result.Analytic, Is.EqualTo(x2 + 0.5).Within(1e-12));
        Assert.That(result.MaxAbsoluteError, Is.EqualTo(0.5).Within(1e-8));
        Assert.That(result.ToString(), Does.StartWith("FAILED").And.Contains("input 1[2]").And.Contains("output[2]"));
    }

    [Test]
    public void WrongVjp_SmallerThanTolerance_Passes_LargerFails()
    {
        Tensor x = Inputs.Normal(5, 3);
        Tensor y = Inputs.Normal(6, 3);
        Assert.That(GradCheck.Check(v => TestOps.BuggyMultiply(v[0], v[1], 0, 1e-7), [x, y]).Passed, Is.True);
        Assert.That(GradCheck.Check(v => TestOps.BuggyMultiply(v[0], v[1], 0, 1e-3), [x, y]).Passed, Is.False);
    }

    [Test]
    public void OnlyInputsThatRequireGrad_AreChecked()
    {
        // The wrong VJP is on y; when only x requires a gradient, y is not checked and the check passes.
        Tensor x = Inputs.Normal(7, 3);
        Tensor y = Inputs.Normal(8, 3);
        y.RequiresGrad = false;
        Assert.That(GradCheck.Check(v => TestOps.BuggyMultiply(v[0], v[1], 1, 0.5), [x, y]).Passed, Is.True);

        // When no input requires a gradient, all are checked.
        Tensor a = Tensor.Randn([3], 9, DType.Float64);
        Tensor b = Tensor.Randn([3], 10, DType.Float64);
        Assert.That(GradCheck.Check(v => TestOps.BuggyMultiply(v[0], v[1], 1, 0.5), [a, b]).Passed, Is.False);
    }

    [Test]
    public void ForwardThatDisagreesWithBackward_Fails()
    {
        // f computes x·2 under NoGrad and adds x (recorded): Backward sees only dx = 1, the numbers say 3.
        Tensor x = Inputs.Normal(11, 3);
        GradCheckResult result = GradCheck.Check(v =>
        {
            Tensor hidden;
            using (Tape.NoGrad())
            {
                hidden = v[0] * 2;
            }

            return v[0] + hidden;
        }, [x]);
        Assert.That(result.Passed, Is.False);
        Assert.That(result.Analytic, Is.EqualTo(1));
        Assert.That(result.Numeric, Is.EqualTo(3).Within(1e-6));
    }

    [Test]
    public void DoesNotModifyTheInputs_AndPromotesFloat32()
    {
        Tensor x = Tensor.FromArray(new[] { 0.5f, -1.25f }, 2);
        x.RequiresGrad = true;
        GradCheckResult result = GradCheck.Check(v => v[0].Tanh(), [x]);
        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(x.ToArray<float>(), Is.EqualTo(new[] { 0.5f, -1.25f }));
        Assert.That(x.Grad, Is.Null);
        Assert.That(x.DType, Is.EqualTo(DType.Float32));
    }

    [Test]
    public void RejectsAFunctionThatLeavesFloat64_AndEmptyInputs()
    {
        Assert.That(() => GradCheck.Check(v => v[0].To(DType.Float32), [Inputs.Normal(12, 2)]),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("float64"));
        Assert.That(() => GradCheck.Check(v => v[0], []), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public void InputWithNoPathToTheOutput_HasZeroDerivative_AndPasses()
    {
        Tensor x = Inputs.Normal(13, 2);
        Tensor unused = Inputs.Normal(14, 2);
        Assert.That(GradCheck.Check(v => v[0].Exp(), [x, unused]).Passed, Is.True);
    }
}
