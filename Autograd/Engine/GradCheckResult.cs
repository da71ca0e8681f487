namespace Autograd;

/// <summary>The outcome of <see cref="GradCheck.Check"/>: pass or fail, and the worst element found.</summary>
/// <param name="Passed">True when every analytic derivative is within atol + rtol·|numeric| of the numeric one.</param>
/// <param name="MaxAbsoluteError">The largest |analytic − numeric| over all checked elements.</param>
/// <param name="MaxRelativeError">The largest |analytic − numeric| / max(|numeric|, tiny) over all checked elements.</param>
/// <param name="WorstInput">Which input holds the worst element (by error over tolerance).</param>
/// <param name="WorstInputIndex">The flat index of that element in its input.</param>
/// <param name="WorstOutputIndex">The flat index of the output element whose derivative it is.</param>
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
    /// <summary>A one-line summary suitable for a test failure message.</summary>
    public override string ToString() =>
        $"{(Passed ? "passed" : "FAILED")}: worst at input {WorstInput}[{WorstInputIndex}] for output[{WorstOutputIndex}]: "
        + $"analytic {Analytic:G9} vs numeric {Numeric:G9} (max abs error {MaxAbsoluteError:G3}, max rel error {MaxRelativeError:G3})";
}
