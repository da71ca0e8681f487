namespace Autograd;

/// <summary>
/// Checks Backward() against central finite differences, on copies of the inputs promoted to float64.
/// Every element of the Jacobian is compared: one Backward per output element (with a one-hot gradient) and
/// two forward evaluations per input element.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Compares d f(inputs) / d inputs from Backward() with (f(x + eps) − f(x − eps)) / 2eps, element by element.
    /// The inputs checked are those with RequiresGrad (all of them when none has it); the originals are not modified.
    /// </summary>
    /// <param name="f">The function under test; it must be deterministic.</param>
    /// <param name="inputs">The point at which to differentiate.</param>
    /// <param name="eps">The finite-difference step.</param>
    /// <param name="atol">Absolute tolerance.</param>
    /// <param name="rtol">Relative tolerance (relative to the numeric derivative).</param>
    public static GradCheckResult Check(Func<Tensor[], Tensor> f, Tensor[] inputs,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0)
        {
            throw new ArgumentException("GradCheck: there are no inputs to differentiate.");
        }

        bool anyRequires = inputs.Any(x => x.RequiresGrad);
        bool[] checkedInputs = inputs.Select(x => !anyRequires || x.RequiresGrad).ToArray();
        Tensor[] point = inputs.Select((x, i) => Promote(x, checkedInputs[i])).ToArray();

        Tensor output = f(point);
        if (output.DType != DType.Float64)
        {
            throw new ArgumentException("GradCheck: f must keep float64 inputs in float64 (its output is "
                + $"{output.DType}); avoid To(DType.Float32) inside f.");
        }

        int outputs = output.Count;
        double[][][] analytic = AnalyticJacobian(output, point, checkedInputs);   // [input][output][element]

        double maxAbs = 0, maxRel = 0, worstRatio = -1;
        (int input, int element, int outputIndex, double a, double n) worst = (0, 0, 0, 0, 0);
        bool passed = true;
        for (int input = 0; input < point.Length; input++)
        {
            if (!checkedInputs[input])
            {
                continue;
            }

            double[] data = point[input].Data<double>();
            for (int element = 0; element < data.Length; element++)
            {
                double[] numeric = NumericColumn(f, point, data, element, eps);
                for (int o = 0; o < outputs; o++)
                {
                    double a = analytic[input][o][element];
                    double n = numeric[o];
                    double error = Math.Abs(a - n);
                    double tolerance = atol + (rtol * Math.Abs(n));
                    bool ok = error <= tolerance;   // false for NaN
                    passed &= ok;
                    maxAbs = Math.Max(maxAbs, error);
                    maxRel = Math.Max(maxRel, error / Math.Max(Math.Abs(n), 1e-300));
                    double ratio = ok ? error / tolerance : double.PositiveInfinity;
                    if (ratio > worstRatio)
                    {
                        worstRatio = ratio;
                        worst = (input, element, o, a, n);
                    }
                }
            }
        }

        return new GradCheckResult(passed, maxAbs, maxRel, worst.input, worst.element, worst.outputIndex, worst.a, worst.n);
    }

    private static Tensor Promote(Tensor x, bool requiresGrad)
    {
        ArgumentNullException.ThrowIfNull(x);
        Tensor copy = Tensor.FromArray(x.ToArray<double>(), x.Shape);
        copy.RequiresGrad = requiresGrad;
        return copy;
    }

    private static double[][][] AnalyticJacobian(Tensor output, Tensor[] point, bool[] checkedInputs)
    {
        int outputs = output.Count;
        var jacobian = new double[point.Length][][];
        for (int input = 0; input < point.Length; input++)
        {
            jacobian[input] = new double[outputs][];
        }

        for (int o = 0; o < outputs; o++)
        {
            foreach (Tensor x in point)
            {
                x.ZeroGrad();
            }

            var oneHot = new double[outputs];
            oneHot[o] = 1;
            if (output.RequiresGrad)
            {
                output.Backward(Tensor.FromArray(oneHot, output.Shape), retainGraph: true);
            }

            for (int input = 0; input < point.Length; input++)
            {
                jacobian[input][o] = checkedInputs[input] && point[input].Grad is { } grad
                    ? grad.ToArray<double>()
                    : new double[point[input].Count];   // no path from this input: the derivative is 0
            }
        }

        return jacobian;
    }

    private static double[] NumericColumn(Func<Tensor[], Tensor> f, Tensor[] point, double[] data, int element, double eps)
    {
        double saved = data[element];
        try
        {
            using var _ = Tape.NoGrad();
            data[element] = saved + eps;
            double[] plus = f(point).ToArray<double>();
            data[element] = saved - eps;
            double[] minus = f(point).ToArray<double>();
            for (int o = 0; o < plus.Length; o++)
            {
                plus[o] = (plus[o] - minus[o]) / (2 * eps);
            }

            return plus;
        }
        finally
        {
            data[element] = saved;
        }
    }
}
