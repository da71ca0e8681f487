namespace Autograd.Tests.Ops.Shape;

/// <summary>
/// Element-by-element references for the shape ops, written the slow, obvious way (a multi-index per element,
/// computed by division), independent of the library's kernels.
/// </summary>
internal static class ShapeReference
{
    public static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    /// <summary>The multi-index of flat position <paramref name="flat"/> in <paramref name="shape"/>.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        int[] index = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            index[i] = flat % shape[i];
            flat /= shape[i];
        }

        return index;
    }

    public static int Ravel(int[] index, int[] shape)
    {
        int flat = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            flat = (flat * shape[i]) + index[i];
        }

        return flat;
    }

    /// <summary>out[i₀..] = x[j] where j[axes[k]] = i[k].</summary>
    public static T[] Permute<T>(T[] x, int[] shape, int[] axes)
    {
        int[] outShape = axes.Select(a => shape[a]).ToArray();
        var result = new T[x.Length];
        for (int flat = 0; flat < result.Length; flat++)
        {
            int[] index = Unravel(flat, outShape);
            int[] source = new int[shape.Length];
            for (int k = 0; k < axes.Length; k++)
            {
                source[axes[k]] = index[k];
            }

            result[flat] = x[Ravel(source, shape)];
        }

        return result;
    }

    /// <summary>x (aligned right) repeated along its size-1 axes to <paramref name="target"/>.</summary>
    public static T[] Expand<T>(T[] x, int[] shape, int[] target)
    {
        var result = new T[Count(target)];
        int lead = target.Length - shape.Length;
        for (int flat = 0; flat < result.Length; flat++)
        {
            int[] index = Unravel(flat, target);
            int[] source = new int[shape.Length];
            for (int k = 0; k < shape.Length; k++)
            {
                source[k] = shape[k] == 1 ? 0 : index[k + lead];
            }

            result[flat] = x[Ravel(source, shape)];
        }

        return result;
    }

    /// <summary>The elements whose index along <paramref name="axis"/> is in [start, start + length).</summary>
    public static T[] Narrow<T>(T[] x, int[] shape, int axis, int start, int length)
    {
        int[] outShape = (int[])shape.Clone();
        outShape[axis] = length;
        var result = new T[Count(outShape)];
        for (int flat = 0; flat < result.Length; flat++)
        {
            int[] index = Unravel(flat, outShape);
            index[axis] += start;
            result[flat] = x[Ravel(index, shape)];
        }

        return result;
    }

    /// <summary>The parts joined along <paramref name="axis"/>.</summary>
    public static T[] Cat<T>((T[] Data, int[] Shape)[] parts, int axis)
    {
        int[] outShape = (int[])parts[0].Shape.Clone();
        outShape[axis] = parts.Sum(p => p.Shape[axis]);
        var result = new T[Count(outShape)];
        for (int flat = 0; flat < result.Length; flat++)
        {
            int[] index = Unravel(flat, outShape);
            int part = 0;
            while (index[axis] >= parts[part].Shape[axis])
            {
                index[axis] -= parts[part].Shape[axis];
                part++;
            }

            result[flat] = parts[part].Data[Ravel(index, parts[part].Shape)];
        }

        return result;
    }
}
