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

    /// <summary>The dtype of a storage array.</summary>
    public static DType Of(Array storage) => storage switch
    {
        float[] => DType.Float32,
        double[] => DType.Float64,
        _ => throw new NotSupportedException($"{storage.GetType().Name} is not a tensor storage type."),
    };

    /// <summary>A new uninitialised storage array of <paramref name="dtype"/>, taken from the pool when one is free.</summary>
    public static Array Rent(DType dtype, int length) => dtype switch
    {
        DType.Float32 => BufferPool.Rent<float>(length),
        DType.Float64 => BufferPool.Rent<double>(length),
        _ => throw new ArgumentException($"{dtype} has no storage pool."),
    };

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(DType dtype) => dtype == DType.Float32 ? sizeof(float) : sizeof(double);
}
