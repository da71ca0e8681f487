namespace Autograd;

/// <summary>
/// The outcome of <see cref="GradCheck.Check"/> or <see cref="GradCheck.CheckGradGrad"/>: pass or fail, and the worst
/// element found.
/// </summary>
/// <param name="Passed">True when every analytic derivative is within atol + rtol·|numeric| of the numeric one.</param>
/// <param name="MaxAbsoluteError">The largest |analytic − numeric| over all checked elements.</param>
/// <param name="MaxRelativeError">The largest |analytic − numeric| / max(|numeric|, tiny) over all checked elements.</param>
/// <param name="WorstInput">Which input holds the worst element (by error over tolerance). For CheckGradGrad, the
/// number of inputs when it is the random gradOutput v (see <see cref="WorstInputIsGradOutput"/>).</param>
/// <param name="WorstInputIndex">The flat index of that element in its input.</param>
/// <param name="WorstOutputIndex">The flat index of the output element whose derivative it is (for CheckGradGrad, of
/// the element of the gradient named by <see cref="WorstGradient"/>).</param>
/// <param name="Analytic">The derivative Backward() gave there.</param>
/// <param name="Numeric">The central-difference derivative there.</param>
public sealed record GradCheckResult(
    bool Passed,
    double MaxAbsoluteError,
    double MaxRelativeError,
    int WorstInput,
    int WorstInputIndex,
    int WorstOutputIndex,
    double Analytic,
    double Numeric)
{
    /// <summary>
    /// For <see cref="GradCheck.CheckGradGrad"/>: the input of f whose first-order gradient holds the worst element
    /// (<see cref="WorstOutputIndex"/> indexes that gradient). Null for the first-order <see cref="GradCheck.Check"/>.
    /// </summary>
    public int? WorstGradient { get; init; }

    /// <summary>
    /// For <see cref="GradCheck.CheckGradGrad"/>: true when the worst element is a derivative with respect to the
    /// random gradOutput v rather than an input of f.
    /// </summary>
    public bool WorstInputIsGradOutput { get; init; }

    /// <summary>A one-line summary suitable for a test failure message.</summary>
    public override string ToString()
    {
        string verdict = Passed ? "passed" : "FAILED";
        string values = $"analytic {Analytic:G9} vs numeric {Numeric:G9} "
            + $"(max abs error {MaxAbsoluteError:G3}, max rel error {MaxRelativeError:G3})";
        if (WorstGradient is not { } gradient)
        {
            return $"{verdict}: worst at input {WorstInput}[{WorstInputIndex}] for output[{WorstOutputIndex}]: {values}";
        }

        string variable = WorstInputIsGradOutput ? $"gradOutput v[{WorstInputIndex}]" : $"input {WorstInput}[{WorstInputIndex}]";
        return $"{verdict} (second order): worst at d(gradient of input {gradient})[{WorstOutputIndex}] / d {variable}: {values}";
    }
}
