namespace Autograd;

public sealed partial class Tensor
{
    /// <summary>A Float32 leaf holding a copy of <paramref name="data"/> (row-major) with <paramref name="shape"/>.</summary>
    public static Tensor FromArray(float[] data, params int[] shape) => FromArrayCore(data, shape);

    /// <summary>A Float64 leaf holding a copy of <paramref name="data"/> (row-major) with <paramref name="shape"/>.</summary>
    public static Tensor FromArray(double[] data, params int[] shape) => FromArrayCore(data, shape);

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
    public static Tensor Scalar(double value, DType dtype = DType.Float32)
    {
        var fill = new FillAction(1, value);
        DTypeDispatch.Float(dtype, ref fill);
        return new Tensor(fill.Result!, [], dtype);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(int[] shape, DType dtype = DType.Float32) => Full(shape, 0.0, dtype);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(int[] shape, DType dtype = DType.Float32) => Full(shape, 1.0, dtype);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int count = ShapeText.Count(shape, "Full");
        var fill = new FillAction(count, value);
        DTypeDispatch.Float(dtype, ref fill);
        return new Tensor(fill.Result!, (int[])shape.Clone(), dtype);
    }

    /// <summary>A new array of <c>count</c> elements, each <c>value</c> rounded to the element type.</summary>
    private struct FillAction(int count, double value) : IFloatAction
    {
        public Array? Result;

        public void Invoke<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var data = new T[count];
            Array.Fill(data, T.CreateChecked(value));
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
        int count = ShapeText.Count(shape, "Randn");
        var random = new SplitMix64(unchecked((ulong)seed));
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.NextNormal();
        }

        return dtype == DType.Float64
            ? new Tensor(values, (int[])shape.Clone())
            : new Tensor(Array.ConvertAll(values, v => (float)v), (int[])shape.Clone());
    }

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>) from the seeded stream.</summary>
    public static Tensor Rand(int[] shape, int seed, double low = 0, double high = 1, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int count = ShapeText.Count(shape, "Rand");
        var random = new SplitMix64(unchecked((ulong)seed));
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = low + ((high - low) * random.NextDouble());
        }

        return dtype == DType.Float64
            ? new Tensor(values, (int[])shape.Clone())
            : new Tensor(Array.ConvertAll(values, v => (float)v), (int[])shape.Clone());
    }
}
