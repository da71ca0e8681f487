namespace Autograd;

public sealed partial class Tensor
{
    /// <summary>A Float32 leaf holding a copy of <paramref name="data"/> (row-major) with <paramref name="shape"/>.</summary>
    public static Tensor FromArray(float[] data, params int[] shape) => FromArrayCore(data, shape);

    /// <summary>A Float64 leaf holding a copy of <paramref name="data"/> (row-major) with <paramref name="shape"/>.</summary>
    public static Tensor FromArray(double[] data, params int[] shape) => FromArrayCore(data, shape);

    /// <summary>An Int64 tensor (labels, indices) holding a copy of <paramref name="data"/> with <paramref name="shape"/>.</summary>
    public static Tensor FromArray(long[] data, params int[] shape) => FromArrayCore(data, shape);

    /// <summary>A Bool tensor (a mask) holding a copy of <paramref name="data"/> with <paramref name="shape"/>.</summary>
    public static Tensor FromArray(bool[] data, params int[] shape) => FromArrayCore(data, shape);

    private static Tensor FromArrayCore<T>(T[] data, int[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        int count = ShapeText.Count(shape, "FromArray");
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"FromArray: shape {ShapeText.Format(shape)} holds {count} elements but the data has {data.Length}.");
        }

        return new Tensor((T[])data.Clone(), (int[])shape.Clone());
    }

    /// <summary>A single-element tensor of shape <c>[]</c>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Filled([], 1, value, dtype);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(int[] shape, DType dtype = DType.Float32) => Full(shape, 0.0, dtype);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(int[] shape, DType dtype = DType.Float32) => Full(shape, 1.0, dtype);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Filled((int[])shape.Clone(), ShapeText.Count(shape, "Full"), value, dtype);
    }

    /// <summary>Like <see cref="Full"/> over a shape array that another tensor already owns (shared, not copied: shapes
    /// are immutable once owned), e.g. the backward pass's seed of ones.</summary>
    internal static Tensor FullSharingShape(int[] ownedShape, double value, DType dtype) =>
        Filled(ownedShape, ShapeText.Count(ownedShape, "Full"), value, dtype);

    /// <summary>A tensor over <paramref name="shape"/> (taken over, not copied) of <paramref name="count"/> equal elements.</summary>
    private static Tensor Filled(int[] shape, int count, double value, DType dtype)
    {
        var fill = new FillAction(count, value);
        DTypeDispatch.Any(dtype, ref fill);
        return new Tensor(fill.Result!, shape, dtype);
    }

    /// <summary>A new array of <c>count</c> elements, each <c>value</c> converted to the element type.</summary>
    private struct FillAction(int count, double value) : IAnyAction
    {
        public Array? Result;

        public void Invoke<T>()
            where T : unmanaged
        {
            var data = new T[count];
            Array.Fill(data, ElementConversion.FromDouble<T>(value));
            Result = data;
        }
    }

    /// <summary>
    /// Standard normal samples from the seeded <see cref="SplitMix64"/> stream (Box–Muller), the same
    /// numbers as <c>normals(seed, count)</c> in <c>Autograd.Benchmarks/Peers/workloads.py</c>.
    /// </summary>
    public static Tensor Randn(int[] shape, int seed, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        RandomNeedsFloatingPoint("Randn", dtype);
        int count = ShapeText.Count(shape, "Randn");
        var sample = new SampleAction(count, seed, normal: true, 0, 1);
        DTypeDispatch.Float(dtype, ref sample);
        return new Tensor(sample.Result!, (int[])shape.Clone(), dtype);
    }

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>) from the seeded stream.</summary>
    public static Tensor Rand(int[] shape, int seed, double low = 0, double high = 1, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        RandomNeedsFloatingPoint("Rand", dtype);
        int count = ShapeText.Count(shape, "Rand");
        var sample = new SampleAction(count, seed, normal: false, low, high);
        DTypeDispatch.Float(dtype, ref sample);
        return new Tensor(sample.Result!, (int[])shape.Clone(), dtype);
    }

    /// <summary>
    /// <c>count</c> samples of the seeded stream, each computed in double and rounded to the element type as it is
    /// written (no double array beside a float one: W3's 4096×4096 weight would need 128 MB more at start-up).
    /// </summary>
    private struct SampleAction(int count, int seed, bool normal, double low, double high) : IFloatAction
    {
        public Array? Result;

        public void Invoke<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var random = new SplitMix64(unchecked((ulong)seed));
            var data = new T[count];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = T.CreateChecked(normal ? random.NextNormal() : low + ((high - low) * random.NextDouble()));
            }

            Result = data;
        }
    }

    private static void RandomNeedsFloatingPoint(string op, DType dtype)
    {
        if (!DTypeDispatch.IsFloatingPoint(dtype))
        {
            throw new ArgumentException($"{op}: samples are floating point; {dtype} is not (use Float32 or Float64).");
        }
    }

    /// <summary>
    /// A leaf of <paramref name="dtype"/> holding <paramref name="values"/> rounded to the element type; takes over
    /// <paramref name="values"/> itself when the dtype is Float64, and <paramref name="shape"/> in every case.
    /// </summary>
    internal static Tensor FromValues(double[] values, int[] shape, DType dtype)
    {
        if (dtype == DType.Float64)
        {
            return new Tensor(values, shape, dtype);
        }

        var convert = new ConvertAction(values);
        DTypeDispatch.Float(dtype, ref convert);
        return new Tensor(convert.Result!, shape, dtype);
    }

    /// <summary>The values rounded to the element type, in a new array.</summary>
    private struct ConvertAction(double[] values) : IFloatAction
    {
        public Array? Result;

        public void Invoke<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var data = new T[values.Length];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = T.CreateChecked(values[i]);
            }

            Result = data;
        }
    }
}
