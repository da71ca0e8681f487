namespace Autograd.Ops;

/// <summary>The optional weight and bias of the normalisation ops: their checks and their places among the entry's inputs.</summary>
internal static class Affine
{
    /// <summary>The entry's inputs: x, then the weight and the bias when given.</summary>
    public static Tensor[] Inputs(Tensor x, Tensor? weight, Tensor? bias) => (weight, bias) switch
    {
        (null, null) => [x],
        ({ } w, null) => [x, w],
        (null, { } b) => [x, b],
        ({ } w, { } b) => [x, w, b],
    };

    /// <summary>The input indices of the weight and the bias (−1 when absent) in <see cref="Inputs"/>.</summary>
    public static (int Weight, int Bias) Indices(bool hasWeight, bool hasBias) =>
        (hasWeight ? 1 : -1, hasBias ? (hasWeight ? 2 : 1) : -1);

    /// <summary>A given parameter has the input's dtype and the <paramref name="expected"/> shape (<paramref name="why"/> says why).</summary>
    public static void CheckParameter(string op, Tensor input, Tensor? parameter, string name, ReadOnlySpan<int> expected, string why)
    {
        if (parameter is null)
        {
            return;
        }

        if (!parameter.ShapeSpan.SequenceEqual(expected))
        {
            throw new ArgumentException(
                $"{op}: {name} {ShapeText.Format(parameter.ShapeSpan)} must be {ShapeText.Format(expected)} ({why}).");
        }

        OpChecks.SameDType(op, input, parameter);
    }
}
