using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Autograd.Ops;

/// <summary>
/// Code that moves elements without looking at them (a copy, a gather, a fill), written once as a generic method
/// over an unmanaged type of the element's width.
/// </summary>
internal interface IBitsAction
{
    void Invoke<T>()
        where T : unmanaged;
}

/// <summary>
/// Runs data-movement kernels on any dtype, the integer and boolean ones included, by the width of the element:
/// a shape op copies bits, so float and int share one instantiation (4 bytes), double and long another (8), bool a
/// third (1). Unlike <see cref="DTypeDispatch.Float{TAction}(DType, TAction)"/> it never rejects a dtype whose
/// storage it can read.
/// </summary>
internal static class ElementBits
{
    /// <summary>Runs <paramref name="action"/> with T an unmanaged type as wide as <paramref name="storage"/>'s elements.</summary>
    public static void Run<TAction>(Array storage, TAction action)
        where TAction : struct, IBitsAction
    {
        switch (storage)
        {
            case float[] or int[]:
                action.Invoke<int>();
                break;
            case double[] or long[]:
                action.Invoke<long>();
                break;
            case bool[] or byte[]:
                action.Invoke<byte>();
                break;
            default:
                throw new NotSupportedException($"{storage.GetType().Name} is not a tensor storage type.");
        }
    }

    /// <summary>The storage of <paramref name="tensor"/> as elements of T (T as wide as its elements: see <see cref="Run"/>).</summary>
    public static Span<T> Of<T>(Tensor tensor)
        where T : unmanaged
    {
        Array storage = tensor.Storage;
        // Reinterpreting, not converting: the widths agree because Run chose T from this storage's type.
        System.Diagnostics.Debug.Assert(Unsafe.SizeOf<T>() == Width(storage), "T must be as wide as the elements");
        return MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(storage)), storage.Length);
    }

    private static int Width(Array storage) => storage switch
    {
        float[] or int[] => 4,
        double[] or long[] => 8,
        _ => 1,
    };
}
