namespace Autograd.Ops;

/// <summary>Input validation shared by the ops; every message names the op and the shapes involved.</summary>
internal static class OpChecks
{
    public static void NotNull(Tensor? x, string op, string name)
    {
        if (x is null)
        {
            throw new ArgumentNullException(name, $"{op}: {name} is null.");
        }
    }

    public static void SameDType(string op, Tensor x, Tensor y)
    {
        if (x.DType != y.DType)
        {
            throw new ArgumentException(
                $"{op}: dtypes differ ({ShapeText.Format(x.ShapeSpan)} {x.DType} and "
                + $"{ShapeText.Format(y.ShapeSpan)} {y.DType}); convert one with To(DType) first.");
        }
    }

    public static void SameShape(string op, Tensor x, Tensor y, string xName, string yName)
    {
        SameDType(op, x, y);
        if (!x.ShapeSpan.SequenceEqual(y.ShapeSpan))
        {
            throw new ArgumentException(
                $"{op}: {xName} {ShapeText.Format(x.ShapeSpan)} and {yName} {ShapeText.Format(y.ShapeSpan)} "
                + "must have the same shape.");
        }
    }
}
