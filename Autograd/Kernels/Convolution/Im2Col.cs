using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Kernels;

/// <summary>
/// The column matrix of one batch item and its adjoint. Row (c, i, j) of the column matrix [C·kh·kw, OH·OW] holds,
/// for every output position (oh, ow), the input value the kernel tap (i, j) of channel c meets there:
/// <c>x[c, oh·sh − ph + i·dh, ow·sw − pw + j·dw]</c>, or 0 in the padding. A convolution is then one product per
/// group, W [O/g, C/g·kh·kw] · col.
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="col"/> [C·kh·kw, OH·OW] from one item's input <paramref name="x"/> [C, H, W].</summary>
    public static void Gather<T>(ConvGeometry g, ReadOnlySpan<T> x, Span<T> col)
        where T : unmanaged
    {
        int positions = g.Positions, plane = g.H * g.W;
        int row = 0;
        for (int c = 0; c < g.C; c++)
        {
            ReadOnlySpan<T> channel = x.Slice(c * plane, plane);
            for (int i = 0; i < g.KH; i++)
            {
                for (int j = 0; j < g.KW; j++, row++)
                {
                    Span<T> destination = col.Slice(row * positions, positions);
                    int offset = (j * g.DW) - g.PW;
                    var (start, end) = ValidRange(g.OW, g.SW, offset, g.W);
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        Span<T> line = destination.Slice(oh * g.OW, g.OW);
                        int ih = (oh * g.SH) - g.PH + (i * g.DH);
                        if ((uint)ih >= (uint)g.H || start >= end)
                        {
                            line.Clear();
                            continue;
                        }

                        line[..start].Clear();
                        line[end..].Clear();
                        ReadOnlySpan<T> source = channel.Slice(ih * g.W, g.W);
                        if (g.SW == 1)
                        {
                            source.Slice(start + offset, end - start).CopyTo(line[start..end]);
                        }
                        else
                        {
                            for (int ow = start; ow < end; ow++)
                            {
                                line[ow] = source[(ow * g.SW) + offset];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Gather"/>: adds every element of <paramref name="col"/> to the input position it
    /// was read from (<paramref name="dx"/> [C, H, W] must be zeroed first). Padding taps are dropped.
    /// </summary>
    public static void ScatterAdd<T>(ConvGeometry g, ReadOnlySpan<T> col, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int positions = g.Positions, plane = g.H * g.W;
        int row = 0;
        for (int c = 0; c < g.C; c++)
        {
            Span<T> channel = dx.Slice(c * plane, plane);
            for (int i = 0; i < g.KH; i++)
            {
                for (int j = 0; j < g.KW; j++, row++)
                {
                    ReadOnlySpan<T> source = col.Slice(row * positions, positions);
                    int offset = (j * g.DW) - g.PW;
                    var (start, end) = ValidRange(g.OW, g.SW, offset, g.W);
                    if (start >= end)
                    {
                        continue;
                    }

                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        int ih = (oh * g.SH) - g.PH + (i * g.DH);
                        if ((uint)ih >= (uint)g.H)
                        {
                            continue;
                        }

                        ReadOnlySpan<T> line = source.Slice(oh * g.OW, g.OW);
                        Span<T> target = channel.Slice(ih * g.W, g.W);
                        if (g.SW == 1)
                        {
                            Span<T> span = target.Slice(start + offset, end - start);
                            TensorPrimitives.Add(span, line[start..end], span);
                        }
                        else
                        {
                            for (int ow = start; ow < end; ow++)
                            {
                                target[(ow * g.SW) + offset] += line[ow];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The output columns [start, end) whose tap <c>ow·stride + offset</c> lies inside [0, size).</summary>
    internal static (int Start, int End) ValidRange(int count, int stride, int offset, int size)
    {
        int start = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int last = size - 1 - offset;
        int end = last < 0 ? 0 : (last / stride) + 1;
        start = Math.Min(start, count);
        return (start, Math.Clamp(end, start, count));
    }
}
