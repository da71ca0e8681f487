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

    /// <summary>Rejects Int64 and Bool tensors, which carry data only, naming the op and the dtype.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void FloatingPoint(string op, Tensor x)
    {
        if (x.DType > DType.Float64)
        {
            ThrowNotFloatingPoint(op, x);
        }
    }

    private static void ThrowNotFloatingPoint(string op, Tensor x) =>
        throw new ArgumentException(
            $"{op}: not defined for {x.DType} tensors ({ShapeText.Format(x.ShapeSpan)} {x.DType}); {x.DType} tensors carry "
            + "data only (labels, indices, masks). Convert with To(DType.Float32) first if you mean numbers.");

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
