namespace Autograd;

/// <summary>
/// Checks Backward() against central finite differences, on copies of the inputs promoted to float64.
/// Every element of the Jacobian is compared: one Backward per output element (with a one-hot gradient) and
/// two forward evaluations per input element. <see cref="Check"/> checks first derivatives
/// (torch.autograd.gradcheck), <see cref="CheckGradGrad"/> second derivatives (torch.autograd.gradgradcheck).
/// </summary>
public static class GradCheck
{
    /// <summary>The seed of the random gradOutput v of <see cref="CheckGradGrad"/>, fixed so that a failure repeats.</summary>
    internal const int GradOutputSeed = 20_240_917;

    /// <summary>
    /// Compares d f(inputs) / d inputs from Backward() with (f(x + eps) − f(x − eps)) / 2eps, element by element.
    /// The inputs checked are those with RequiresGrad (all of them when none has it); the originals are not modified.
    /// f is evaluated with recording on every time (as torch.autograd.gradcheck), so it may itself call
    /// <see cref="Tape.Grad"/> (a gradient penalty, a derivative to be checked).
    /// </summary>
    /// <param name="f">The function under test; it must be deterministic.</param>
    /// <param name="inputs">The point at which to differentiate.</param>
    /// <param name="eps">The finite-difference step.</param>
    /// <param name="atol">Absolute tolerance.</param>
    /// <param name="rtol">Relative tolerance (relative to the numeric derivative).</param>
    public static GradCheckResult Check(Func<Tensor[], Tensor> f, Tensor[] inputs,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3)
    {
        (Tensor[] point, bool[] checkedInputs) = Prepare(f, inputs);
        Tensor output = f(point);
        RequireFloat64(output);
        Comparison worst = CompareJacobians([output], p => [f(p)], point, checkedInputs, eps, atol, rtol);
        return worst.ToResult();
    }

    /// <summary>
    /// Checks the second derivatives of <paramref name="f"/>, as torch.autograd.gradgradcheck: the derivatives of
    /// its first-order gradients, computed by a backward pass with createGraph, against central differences of those
    /// gradients.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The inputs are promoted to float64 copies and chosen as in <see cref="Check"/>. A gradient of f's output shape,
    /// v, is drawn once from a fixed seed (standard normal, float64) and requires a gradient itself, as PyTorch makes
    /// its grad_outputs differentiable. The function checked is
    /// g(inputs..., v) = (vᵀ·∂f/∂x₀, vᵀ·∂f/∂x₁, ...) over the checked inputs xₖ, computed by
    /// <see cref="Tape.Grad"/> with createGraph (an input f does not use has a gradient of zeros, which depends on
    /// nothing). Every gradient gₖ is compared, element by element, with central differences over every checked input
    /// and every element of v: the derivatives with respect to v check that each VJP is recorded as a function of its
    /// incoming gradient, those with respect to the inputs that it is recorded as a function of what it saved.
    /// </para>
    /// <para>
    /// The central differences evaluate the gradients by the fast path (a backward pass without createGraph), so a
    /// createGraph branch whose values differ from the fast path's shows as a wrong derivative too.
    /// </para>
    /// <para>
    /// The result combines all the gradients: it passes when every element does, and names the worst element over
    /// all of them: <see cref="GradCheckResult.WorstGradient"/> (whose gradient, as an index into
    /// <paramref name="inputs"/>), <see cref="GradCheckResult.WorstOutputIndex"/> (the element of that gradient),
    /// <see cref="GradCheckResult.WorstInput"/> and <see cref="GradCheckResult.WorstInputIndex"/> (the variable
    /// differentiated with respect to: an input, or v when <see cref="GradCheckResult.WorstInputIsGradOutput"/>, in
    /// which case WorstInput is <c>inputs.Length</c>).
    /// </para>
    /// </remarks>
    /// <param name="f">The function under test; it must be deterministic and twice differentiable at the point.</param>
    /// <param name="inputs">The point at which to differentiate.</param>
    /// <param name="eps">The finite-difference step.</param>
    /// <param name="atol">Absolute tolerance.</param>
    /// <param name="rtol">Relative tolerance (relative to the numeric derivative).</param>
    public static GradCheckResult CheckGradGrad(Func<Tensor[], Tensor> f, Tensor[] inputs,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3)
    {
        (Tensor[] point, bool[] checkedInputs) = Prepare(f, inputs);
        Tensor output = f(point);
        RequireFloat64(output);

        Tensor v = Tensor.Randn(output.Shape, GradOutputSeed, DType.Float64);
        v.RequiresGrad = true;
        int[] differentiated = Enumerable.Range(0, point.Length).Where(i => checkedInputs[i]).ToArray();
        Tensor[] extended = [.. point, v];
        bool[] extendedChecked = [.. checkedInputs, true];

        // The analytic side differentiates the gradients recorded at the point; the numeric side re-evaluates them.
        Tensor[] gradients = FirstOrderGradients(output, point, differentiated, v, createGraph: true);
        Func<Tensor[], Tensor[]> g = p => FirstOrderGradients(f(p[..^1]), p[..^1], differentiated, p[^1], createGraph: false);

        Comparison worst = CompareJacobians(gradients, g, extended, extendedChecked, eps, atol, rtol);
        return worst.ToResult() with
        {
            WorstGradient = differentiated[worst.Output],
            WorstInputIsGradOutput = worst.Input == point.Length,
        };
    }

    /// <summary>Validates the arguments; float64 copies of the inputs, and which of them are differentiated.</summary>
    private static (Tensor[] Point, bool[] CheckedInputs) Prepare(Func<Tensor[], Tensor> f, Tensor[] inputs)
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
        return (point, checkedInputs);
    }

    private static void RequireFloat64(Tensor output)
    {
        if (output.DType != DType.Float64)
        {
            throw new ArgumentException("GradCheck: f must keep float64 inputs in float64 (its output is "
                + $"{output.DType}); avoid To(DType.Float32) inside f.");
        }
    }

    private static Tensor Promote(Tensor x, bool requiresGrad)
    {
        ArgumentNullException.ThrowIfNull(x);
        Tensor copy = Tensor.FromArray(x.ToArray<double>(), x.Shape);
        copy.RequiresGrad = requiresGrad;
        return copy;
    }

    /// <summary>vᵀ·∂output/∂point[i] for each i in <paramref name="differentiated"/>; zeros where output does not use it.</summary>
    private static Tensor[] FirstOrderGradients(Tensor output, Tensor[] point, int[] differentiated, Tensor v, bool createGraph)
    {
        Tensor[] targets = differentiated.Select(i => point[i]).ToArray();
        Tensor?[] grads = output.RequiresGrad
            ? Tape.Grad(output, targets, v, createGraph: createGraph, allowUnused: true)
            : new Tensor?[targets.Length];
        return grads.Select((grad, k) => grad ?? Tensor.Zeros(targets[k].Shape, DType.Float64)).ToArray();
    }

    /// <summary>
    /// The comparison shared by both checks: the Jacobian of every one of <paramref name="outputs"/> with respect to
    /// every checked input, by Backward() through their recorded graph and by central differences of
    /// <paramref name="evaluate"/> (which recomputes all the outputs at a point), element by element.
    /// </summary>
    private static Comparison CompareJacobians(Tensor[] outputs, Func<Tensor[], Tensor[]> evaluate, Tensor[] point,
        bool[] checkedInputs, double eps, double atol, double rtol)
    {
        // [output][input][output element][input element]
        double[][][][] analytic = outputs.Select(output => AnalyticJacobian(output, point, checkedInputs)).ToArray();
        var worst = new Comparison();
        for (int input = 0; input < point.Length; input++)
        {
            if (!checkedInputs[input])
            {
                continue;
            }

            double[] data = point[input].Data<double>();
            for (int element = 0; element < data.Length; element++)
            {
                double[][] numeric = NumericColumns(evaluate, point, data, element, eps);
                for (int k = 0; k < outputs.Length; k++)
                {
                    for (int o = 0; o < numeric[k].Length; o++)
                    {
                        worst.Add(analytic[k][input][o][element], numeric[k][o], atol, rtol, k, input, element, o);
                    }
                }
            }
        }

        return worst;
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

    /// <summary>d evaluate(point)[k] / d data[element] by central differences, for every output k.</summary>
    private static double[][] NumericColumns(Func<Tensor[], Tensor[]> evaluate, Tensor[] point, double[] data, int element,
        double eps)
    {
        // Not under NoGrad: f may differentiate something itself (a gradient penalty; CheckGradGrad's gradients).
        double saved = data[element];
        try
        {
            data[element] = saved + eps;
            double[][] plus = evaluate(point).Select(y => y.ToArray<double>()).ToArray();
            data[element] = saved - eps;
            double[][] minus = evaluate(point).Select(y => y.ToArray<double>()).ToArray();
            for (int k = 0; k < plus.Length; k++)
            {
                for (int o = 0; o < plus[k].Length; o++)
                {
                    plus[k][o] = (plus[k][o] - minus[k][o]) / (2 * eps);
                }
            }

            return plus;
        }
        finally
        {
            data[element] = saved;
        }
    }

    /// <summary>The running verdict of a comparison: pass or fail, the largest errors and the worst element.</summary>
    private sealed class Comparison
    {
        private bool _passed = true;
        private double _maxAbs, _maxRel, _worstRatio = -1;
        private int _element, _outputElement;
        private double _analytic, _numeric;

        /// <summary>Which of the compared outputs holds the worst element.</summary>
        public int Output { get; private set; }

        /// <summary>Which input the worst element is a derivative with respect to.</summary>
        public int Input { get; private set; }

        /// <summary>Compares one analytic derivative <paramref name="a"/> with its numeric value <paramref name="n"/>.</summary>
        public void Add(double a, double n, double atol, double rtol, int output, int input, int element, int outputElement)
        {
            double error = Math.Abs(a - n);
            double tolerance = atol + (rtol * Math.Abs(n));
            bool ok = error <= tolerance;   // false for NaN
            _passed &= ok;
            _maxAbs = Math.Max(_maxAbs, error);
            _maxRel = Math.Max(_maxRel, error / Math.Max(Math.Abs(n), 1e-300));
            // Failures rank by how far outside their tolerance they are, so the worst one is reported, not the first.
            double ratio = double.IsNaN(error) ? double.PositiveInfinity : error == 0 ? 0 : error / tolerance;
            if (ratio > _worstRatio)
            {
                _worstRatio = ratio;
                (Output, Input, _element, _outputElement, _analytic, _numeric) = (output, input, element, outputElement, a, n);
            }
        }

        public GradCheckResult ToResult() =>
            new(_passed, _maxAbs, _maxRel, Input, _element, _outputElement, _analytic, _numeric);
    }
}
