using System.Numerics;

namespace Autograd;

/// <summary>
/// Code that runs on one floating-point element type, written once as a generic method. An op packs its tensors
/// and parameters into a small struct that implements this, and <see cref="DTypeDispatch"/> picks T.
/// </summary>
internal interface IFloatAction
{
    void Invoke<T>()
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// Code that runs on any element type (float, double, long or bool): data movement, creation, conversion.
/// </summary>
internal interface IAnyAction
{
    void Invoke<T>()
        where T : unmanaged;
}

/// <summary>
/// Code that runs on the element types with an order (float, double, long): comparisons.
/// </summary>
internal interface INumberAction
{
    void Invoke<T>()
        where T : unmanaged, INumber<T>;
}

/// <summary>
/// The one place that maps a <see cref="DType"/> to a CLR element type. Every op, optimizer and creation routine
/// goes through here instead of repeating an <c>if (Float32) ... else ...</c> block, so a new element type is
/// added (or rejected with a clear message) in one switch.
/// </summary>
internal static class DTypeDispatch
{
    /// <summary>Runs <paramref name="action"/> with T = float or double as <paramref name="dtype"/> says.</summary>
    public static void Float<TAction>(DType dtype, TAction action)
        where TAction : struct, IFloatAction => Float(dtype, ref action);

    /// <summary>
    /// Runs <paramref name="action"/> in place, so that it can leave a result in its own fields (a loss value, a new
    /// array) without an allocation to carry it out.
    /// </summary>
    public static void Float<TAction>(DType dtype, ref TAction action)
        where TAction : struct, IFloatAction
    {
        switch (dtype)
        {
            case DType.Float32:
                action.Invoke<float>();
                break;
            case DType.Float64:
                action.Invoke<double>();
                break;
            default:
                throw new ArgumentException($"{dtype} has no floating-point kernels.");
        }
    }

    /// <summary>Runs <paramref name="action"/> in place with T the element type of <paramref name="dtype"/>, any of the four.</summary>
    public static void Any<TAction>(DType dtype, ref TAction action)
        where TAction : struct, IAnyAction
    {
        switch (dtype)
        {
            case DType.Float32:
                action.Invoke<float>();
                break;
            case DType.Float64:
                action.Invoke<double>();
                break;
            case DType.Int64:
                action.Invoke<long>();
                break;
            case DType.Bool:
                action.Invoke<bool>();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown element type.");
        }
    }

    /// <summary>Runs <paramref name="action"/> in place with T = float, double or long; Bool has no order and throws.</summary>
    public static void Number<TAction>(DType dtype, ref TAction action)
        where TAction : struct, INumberAction
    {
        switch (dtype)
        {
            case DType.Float32:
                action.Invoke<float>();
                break;
            case DType.Float64:
                action.Invoke<double>();
                break;
            case DType.Int64:
                action.Invoke<long>();
                break;
            default:
                throw new ArgumentException($"{dtype} has no numeric kernels.");
        }
    }

    /// <summary>The element type that stores <paramref name="dtype"/>.</summary>
    public static Type ElementType(DType dtype) => dtype switch
    {
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        DType.Int64 => typeof(long),
        _ => typeof(bool),
    };

    /// <summary>The dtype of a storage array.</summary>
    public static DType Of(Array storage) => storage switch
    {
        float[] => DType.Float32,
        double[] => DType.Float64,
        long[] => DType.Int64,
        bool[] => DType.Bool,
        _ => throw new NotSupportedException($"{storage.GetType().Name} is not a tensor storage type."),
    };

    /// <summary>A new uninitialised storage array of <paramref name="dtype"/>, taken from the pool when one is free.</summary>
    public static Array Rent(DType dtype, int length) => dtype switch
    {
        DType.Float32 => BufferPool.Rent<float>(length),
        DType.Float64 => BufferPool.Rent<double>(length),
        DType.Int64 => BufferPool.Rent<long>(length),
        DType.Bool => BufferPool.Rent<bool>(length),
        _ => throw new ArgumentException($"{dtype} has no storage."),
    };

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(DType dtype) => dtype switch
    {
        DType.Float32 => sizeof(float),
        DType.Float64 or DType.Int64 => sizeof(double),
        _ => sizeof(bool),
    };

    /// <summary>True for the element types that have kernels and gradients.</summary>
    public static bool IsFloatingPoint(DType dtype) => dtype <= DType.Float64;
}
