namespace Autograd;

/// <summary>
/// Conversions between the four element types, with PyTorch's rules: floating point to Int64 truncates toward zero,
/// anything to Bool is "not zero", Bool to a number is 0 or 1.
/// </summary>
internal static class ElementConversion
{
    /// <summary>A new array holding <paramref name="source"/>'s elements converted to <paramref name="to"/>.</summary>
    public static Array Convert(Array source, DType to)
    {
        int n = source.Length;
        switch (source, to)
        {
            case (float[] f, DType.Float64):
                {
                    var d = (double[])DTypeDispatch.Rent(DType.Float64, n);
                    System.Numerics.Tensors.TensorPrimitives.ConvertChecked<float, double>(f, d);
                    return d;
                }

            case (double[] d, DType.Float32):
                {
                    var f = (float[])DTypeDispatch.Rent(DType.Float32, n);
                    System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<double, float>(d, f);
                    return f;
                }

            case (float[] f, DType.Int64):
                return Array.ConvertAll(f, v => (long)v);
            case (double[] d, DType.Int64):
                return Array.ConvertAll(d, v => (long)v);
            case (long[] l, DType.Float32):
                return Array.ConvertAll(l, v => (float)v);
            case (long[] l, DType.Float64):
                return Array.ConvertAll(l, v => (double)v);
            case (float[] f, DType.Bool):
                return Array.ConvertAll(f, v => v != 0);
            case (double[] d, DType.Bool):
                return Array.ConvertAll(d, v => v != 0);
            case (long[] l, DType.Bool):
                return Array.ConvertAll(l, v => v != 0);
            case (bool[] b, DType.Float32):
                return Array.ConvertAll(b, v => v ? 1f : 0f);
            case (bool[] b, DType.Float64):
                return Array.ConvertAll(b, v => v ? 1.0 : 0.0);
            case (bool[] b, DType.Int64):
                return Array.ConvertAll(b, v => v ? 1L : 0L);
            default:
                if (DTypeDispatch.Of(source) == to)
                {
                    return (Array)source.Clone();
                }

                throw new ArgumentOutOfRangeException(nameof(to), to, "Unknown element type.");
        }
    }

    /// <summary><paramref name="value"/> as an element of type <typeparamref name="T"/> (the rules above).</summary>
    public static T FromDouble<T>(double value)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return (T)(object)(float)value;
        }

        if (typeof(T) == typeof(double))
        {
            return (T)(object)value;
        }

        if (typeof(T) == typeof(long))
        {
            return (T)(object)(long)value;
        }

        if (typeof(T) == typeof(bool))
        {
            return (T)(object)(value != 0);
        }

        throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type.");
    }

    /// <summary>An element as a double (Int64 beyond 2⁵³ rounds).</summary>
    public static double ToDouble(Array storage, int index) => storage switch
    {
        float[] f => f[index],
        double[] d => d[index],
        long[] l => l[index],
        bool[] b => b[index] ? 1 : 0,
        _ => throw new NotSupportedException($"{storage.GetType().Name} is not a tensor storage type."),
    };

    /// <summary>An element as text, the way PyTorch prints it (booleans as True/False).</summary>
    public static string Format(Array storage, int index) => storage switch
    {
        float[] f => f[index].ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
        double[] d => d[index].ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
        long[] l => l[index].ToString(System.Globalization.CultureInfo.InvariantCulture),
        bool[] b => b[index] ? "True" : "False",
        _ => throw new NotSupportedException($"{storage.GetType().Name} is not a tensor storage type."),
    };
}
