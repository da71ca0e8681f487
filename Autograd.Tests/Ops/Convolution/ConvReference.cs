namespace Autograd.Tests.Ops.Convolution;

/// <summary>
/// One convolution case and the direct definition it is checked against:
/// y[n,o,oh,ow] = b[o] + Σ_{c in o's group, i, j} x[n,c,oh·s − p + i·d, ow·s − p + j·d] · w[o,c − group start,i,j].
/// A 1-D case is written with H = kh = 1 and no padding along H.
/// </summary>
public sealed record ConvCase(bool OneD, int N, int C, int H, int W, int O, int KH, int KW, int Stride, int Padding,
    int Dilation, int Groups, bool Bias)
{
    /// <summary>The case itself, or for 1-D with H and kh set to 1 (so a 2-D case can be reused as a 1-D one).</summary>
    public ConvCase Normalized() => OneD ? this with { H = 1, KH = 1 } : this;

    public int[] InputShape => OneD ? [N, C, W] : [N, C, H, W];

    public int[] WeightShape => OneD ? [O, C / Groups, KW] : [O, C / Groups, KH, KW];

    public int PadH => OneD ? 0 : Padding;

    public int StrideH => OneD ? 1 : Stride;

    public int DilationH => OneD ? 1 : Dilation;

    public int OH => ((H + (2 * PadH) - (DilationH * (KH - 1)) - 1) / StrideH) + 1;

    public int OW => ((W + (2 * Padding) - (Dilation * (KW - 1)) - 1) / Stride) + 1;

    public int[] OutputShape => OneD ? [N, O, OW] : [N, O, OH, OW];

    public Tensor Apply(Tensor x, Tensor w, Tensor? b) => OneD
        ? Functional.Conv1d(x, w, b, Stride, Padding, Dilation, Groups)
        : Functional.Conv2d(x, w, b, Stride, Padding, Dilation, Groups);

    public double[] Reference(double[] x, double[] w, double[]? b)
    {
        int cg = C / Groups, og = O / Groups;
        var y = new double[N * O * OH * OW];
        for (int n = 0; n < N; n++)
        {
            for (int o = 0; o < O; o++)
            {
                int group = o / og;
                for (int oh = 0; oh < OH; oh++)
                {
                    for (int ow = 0; ow < OW; ow++)
                    {
                        double sum = b?[o] ?? 0;
                        for (int cc = 0; cc < cg; cc++)
                        {
                            int c = (group * cg) + cc;
                            for (int i = 0; i < KH; i++)
                            {
                                int ih = (oh * StrideH) - PadH + (i * DilationH);
                                if (ih < 0 || ih >= H)
                                {
                                    continue;
                                }

                                for (int j = 0; j < KW; j++)
                                {
                                    int iw = (ow * Stride) - Padding + (j * Dilation);
                                    if (iw < 0 || iw >= W)
                                    {
                                        continue;
                                    }

                                    sum += x[(((((n * C) + c) * H) + ih) * W) + iw] * w[(((((o * cg) + cc) * KH) + i) * KW) + j];
                                }
                            }
                        }

                        y[(((((n * O) + o) * OH) + oh) * OW) + ow] = sum;
                    }
                }
            }
        }

        return y;
    }

    public override string ToString() =>
        $"{(OneD ? "1d" : "2d")}_N{N}C{C}{(OneD ? "" : $"H{H}")}W{W}_O{O}k{(OneD ? "" : $"{KH}x")}{KW}_s{Stride}p{Padding}d{Dilation}g{Groups}{(Bias ? "_bias" : "")}";
}
