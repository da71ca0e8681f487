namespace Autograd.Tests.TestSupport;

/// <summary>
/// Test-only ops recorded through the real tape: one whose VJP is deliberately wrong (to prove GradCheck catches
/// it), and one that counts its VJP calls (to prove inputs without a gradient cost no backward work).
/// </summary>
internal static class TestOps
{
    /// <summary>x ⊙ y forward; the VJP of y is wrong by +<paramref name="error"/>·g at <paramref name="wrongElement"/>.</summary>
    public static Tensor BuggyMultiply(Tensor x, Tensor y, int wrongElement, double error)
    {
        Tensor output;
        using (Tape.NoGrad())
        {
            output = x * y;
        }

        if (Tape.IsGradEnabled && (x.RequiresGrad || y.RequiresGrad))
        {
            output.SetGradFn(new BuggyMultiplyEntry(x, y, wrongElement, error));
        }

        return output;
    }

    /// <summary>x + y (same shapes) whose entry counts how often each input's VJP runs.</summary>
    public static Tensor CountingAdd(Tensor x, Tensor y, int[] vjpCalls)
    {
        Tensor output;
        using (Tape.NoGrad())
        {
            output = x + y;
        }

        if (Tape.IsGradEnabled && (x.RequiresGrad || y.RequiresGrad))
        {
            output.SetGradFn(new CountingAddEntry(x, y, vjpCalls));
        }

        return output;
    }

    private sealed class BuggyMultiplyEntry(Tensor x, Tensor y, int wrongElement, double error) : TapeEntry("BuggyMultiply", x, y)
    {
        private readonly Tensor _x = x.Detach();
        private readonly Tensor _y = y.Detach();

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            inputGrads[0] = context.NeedsInputGrad(0) ? gradOutput * _y : null;
            if (context.NeedsInputGrad(1))
            {
                Tensor dy = gradOutput * _x;
                dy.Data<double>()[wrongElement] += error * gradOutput.Data<double>()[wrongElement];
                inputGrads[1] = dy;
            }
        }
    }

    private sealed class CountingAddEntry(Tensor x, Tensor y, int[] vjpCalls) : TapeEntry("CountingAdd", x, y)
    {
        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            for (int i = 0; i < 2; i++)
            {
                if (context.NeedsInputGrad(i))
                {
                    vjpCalls[i]++;
                    inputGrads[i] = gradOutput * 1.0;
                }
            }
        }
    }
}
