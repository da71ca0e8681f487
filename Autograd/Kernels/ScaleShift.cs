using System.Numerics;
using System.Runtime.InteropServices;

namespace Autograd.Kernels;

/// <summary>y = x·a + b with scalars a and b, in one pass (TensorPrimitives has no scalar-scalar MultiplyAdd).</summary>
internal static class ScaleShift
{
    /// <summary>destination[i] = x[i]·a + b (not fused: the same rounding in the vector body and the tail).
    /// <paramref name="destination"/> may be <paramref name="x"/> itself.</summary>
    public static void Apply<T>(ReadOnlySpan<T> x, T a, T b, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException("ScaleShift: the destination is shorter than the input.", nameof(destination));
        }

        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            ref T source = ref MemoryMarshal.GetReference(x);
            ref T target = ref MemoryMarshal.GetReference(destination);
            var scale = new Vector<T>(a);
            var shift = new Vector<T>(b);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                ((Vector.LoadUnsafe(ref source, (nuint)i) * scale) + shift).StoreUnsafe(ref target, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = (x[i] * a) + b;
        }
    }
}
