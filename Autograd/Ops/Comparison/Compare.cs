using System.Numerics;
using System.Runtime.InteropServices;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>The six elementwise comparisons.</summary>
internal enum ComparisonKind
{
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// <summary>
/// Eq, Ne, Lt, Le, Gt, Ge: elementwise comparisons into a Bool tensor, with broadcasting, for Float32, Float64 and
/// Int64 (Eq and Ne also for Bool). NaN is unequal to everything, itself included (IEEE, as PyTorch). The two
/// operands must have the same dtype (no silent promotion). Not differentiable: the result never requires a gradient
/// and nothing is recorded.
/// </summary>
internal static class Compare
{
    public static Tensor Tensors(ComparisonKind kind, Tensor x, Tensor y)
    {
        string op = kind.ToString();
        OpChecks.NotNull(x, op, "x");
        OpChecks.NotNull(y, op, "other");
        OpChecks.SameDType(op, x, y);
        CheckDType(kind, x);
        int[] shape = Arithmetic.BroadcastsInto(y.ShapeSpan, x.ShapeSpan) ? x.ShapeArray
            : Arithmetic.BroadcastsInto(x.ShapeSpan, y.ShapeSpan) ? y.ShapeArray
            : BroadcastLayout.BroadcastShape(x.ShapeSpan, y.ShapeSpan, op);
        Tensor output = Tensor.Empty(shape, DType.Bool);
        if (x.DType == DType.Bool)
        {
            // Eq or Ne of booleans: the same test on their bytes (0 or 1).
            ReadOnlySpan<byte> xs = MemoryMarshal.AsBytes(x.Span<bool>()), ys = MemoryMarshal.AsBytes(y.Span<bool>());
            Tensors(kind, xs, x.ShapeSpan, ys, y.ShapeSpan, output.Span<bool>(), shape);
        }
        else
        {
            var action = new TensorsAction(kind, x, y, output);
            DTypeDispatch.Number(x.DType, ref action);
        }

        return output;
    }

    public static Tensor Scalar(ComparisonKind kind, Tensor x, double value)
    {
        string op = kind.ToString();
        OpChecks.NotNull(x, op, "x");
        CheckDType(kind, x);
        Tensor output = Tensor.Empty(x.ShapeArray, DType.Bool);
        var action = new ScalarAction(kind, x, value, output);
        if (x.DType == DType.Bool)
        {
            action.Invoke<byte>();
        }
        else
        {
            DTypeDispatch.Number(x.DType, ref action);
        }

        return output;
    }

    private static void CheckDType(ComparisonKind kind, Tensor x)
    {
        if (x.DType == DType.Bool && kind is not (ComparisonKind.Eq or ComparisonKind.Ne))
        {
            throw new ArgumentException(
                $"{kind}: Bool tensors have no order ({ShapeText.Format(x.ShapeSpan)} Bool); only Eq and Ne compare them. "
                + "Convert with To(DType.Int64) first if you mean 0 and 1.");
        }
    }

    private static void Tensors<T>(ComparisonKind kind, ReadOnlySpan<T> x, ReadOnlySpan<int> xShape, ReadOnlySpan<T> y,
        ReadOnlySpan<int> yShape, Span<bool> destination, ReadOnlySpan<int> shape)
        where T : unmanaged, INumber<T>
    {
        switch (kind)
        {
            case ComparisonKind.Eq:
                ComparisonKernels.Apply<EqualTest, T>(x, xShape, y, yShape, destination, shape);
                break;
            case ComparisonKind.Ne:
                ComparisonKernels.Apply<NotEqualTest, T>(x, xShape, y, yShape, destination, shape);
                break;
            case ComparisonKind.Lt:
                ComparisonKernels.Apply<LessTest, T>(x, xShape, y, yShape, destination, shape);
                break;
            case ComparisonKind.Le:
                ComparisonKernels.Apply<LessOrEqualTest, T>(x, xShape, y, yShape, destination, shape);
                break;
            case ComparisonKind.Gt:
                ComparisonKernels.Apply<GreaterTest, T>(x, xShape, y, yShape, destination, shape);
                break;
            default:
                ComparisonKernels.Apply<GreaterOrEqualTest, T>(x, xShape, y, yShape, destination, shape);
                break;
        }
    }

    private static void WithConstant<T>(ComparisonKind kind, ReadOnlySpan<T> x, T value, Span<bool> destination)
        where T : unmanaged, INumber<T>
    {
        switch (kind)
        {
            case ComparisonKind.Eq:
                ComparisonKernels.Apply<EqualTest, T>(x, value, destination);
                break;
            case ComparisonKind.Ne:
                ComparisonKernels.Apply<NotEqualTest, T>(x, value, destination);
                break;
            case ComparisonKind.Lt:
                ComparisonKernels.Apply<LessTest, T>(x, value, destination);
                break;
            case ComparisonKind.Le:
                ComparisonKernels.Apply<LessOrEqualTest, T>(x, value, destination);
                break;
            case ComparisonKind.Gt:
                ComparisonKernels.Apply<GreaterTest, T>(x, value, destination);
                break;
            default:
                ComparisonKernels.Apply<GreaterOrEqualTest, T>(x, value, destination);
                break;
        }
    }

    /// <summary>
    /// An integer x compared with a double exactly: the same comparison against an integer bound, or a result that
    /// holds for every x (NaN, a bound beyond the range of long, equality with a fraction).
    /// </summary>
    internal static (ComparisonKind Kind, long Bound, bool? Always) IntegerTest(ComparisonKind kind, double value)
    {
        const double TwoTo63 = 9223372036854775808.0;
        if (double.IsNaN(value))
        {
            return (kind, 0, kind == ComparisonKind.Ne);
        }

        if (value >= TwoTo63)
        {
            return (kind, 0, kind is ComparisonKind.Ne or ComparisonKind.Lt or ComparisonKind.Le);
        }

        if (value < -TwoTo63)
        {
            return (kind, 0, kind is ComparisonKind.Ne or ComparisonKind.Gt or ComparisonKind.Ge);
        }

        double floor = Math.Floor(value);
        long bound = (long)floor;
        if (floor == value)
        {
            return (kind, bound, null);
        }

        // bound < value < bound + 1: x < value ⇔ x ≤ bound, x > value ⇔ x > bound, and never equal.
        return kind switch
        {
            ComparisonKind.Eq => (kind, 0, false),
            ComparisonKind.Ne => (kind, 0, true),
            ComparisonKind.Lt or ComparisonKind.Le => (ComparisonKind.Le, bound, null),
            _ => (ComparisonKind.Gt, bound, null),
        };
    }

    private readonly struct TensorsAction(ComparisonKind kind, Tensor x, Tensor y, Tensor output) : INumberAction
    {
        public void Invoke<T>()
            where T : unmanaged, INumber<T> =>
            Tensors<T>(kind, x.Span<T>(), x.ShapeSpan, y.Span<T>(), y.ShapeSpan, output.Span<bool>(), output.ShapeSpan);
    }

    /// <summary>
    /// A tensor against a constant. A floating-point tensor compares with the constant converted to its type (as
    /// PyTorch: <c>x == 0.1</c> is true for the float32 0.1); an integer or boolean one compares exactly.
    /// </summary>
    private readonly struct ScalarAction(ComparisonKind kind, Tensor x, double value, Tensor output) : INumberAction
    {
        public void Invoke<T>()
            where T : unmanaged, INumber<T>
        {
            Span<bool> destination = output.Span<bool>();
            if (typeof(T) == typeof(float) || typeof(T) == typeof(double))
            {
                WithConstant(kind, x.Span<T>(), T.CreateTruncating(value), destination);
                return;
            }

            (ComparisonKind test, long bound, bool? always) = IntegerTest(kind, value);
            if (typeof(T) == typeof(byte) && always is null && bound is not (0 or 1))
            {
                always = kind == ComparisonKind.Ne;   // a boolean (0 or 1) is never equal to any other integer
            }

            if (always is bool constant)
            {
                destination.Fill(constant);
            }
            else if (typeof(T) == typeof(byte))
            {
                WithConstant(test, MemoryMarshal.AsBytes(x.Span<bool>()), (byte)bound, destination);
            }
            else
            {
                WithConstant(test, x.Span<long>(), bound, destination);
            }
        }
    }
}
