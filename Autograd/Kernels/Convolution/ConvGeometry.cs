namespace Autograd.Kernels;

/// <summary>
/// The sizes of one convolution, validated once by the op and shared by its forward pass and every gradient op
/// it records. A 1-D convolution is the 2-D one with H = kh = 1 (and stride, padding and dilation 1, 0, 1 along
/// H), so one set of kernels serves both; only the tensors' shapes differ.
/// </summary>
internal sealed class ConvGeometry
{
    public ConvGeometry(string op, bool oneD, int n, int c, int h, int w, int o, int groups,
        int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
    {
        (Op, OneD, N, C, H, W, O, Groups) = (op, oneD, n, c, h, w, o, groups);
        (KH, KW, SH, SW, PH, PW, DH, DW) = (kh, kw, sh, sw, ph, pw, dh, dw);
        OH = ((h + (2 * ph) - (dh * (kh - 1)) - 1) / sh) + 1;
        OW = ((w + (2 * pw) - (dw * (kw - 1)) - 1) / sw) + 1;
        InputShape = oneD ? [n, c, w] : [n, c, h, w];
        WeightShape = oneD ? [o, c / groups, kw] : [o, c / groups, kh, kw];
        OutputShape = oneD ? [n, o, OW] : [n, o, OH, OW];
    }

    /// <summary>"Conv1d" or "Conv2d": the name of the forward op in errors and on the tape.</summary>
    public string Op { get; }

    public bool OneD { get; }

    public int N { get; }

    public int C { get; }

    public int H { get; }

    public int W { get; }

    public int O { get; }

    public int Groups { get; }

    public int KH { get; }

    public int KW { get; }

    public int SH { get; }

    public int SW { get; }

    public int PH { get; }

    public int PW { get; }

    public int DH { get; }

    public int DW { get; }

    public int OH { get; }

    public int OW { get; }

    public int[] InputShape { get; }

    public int[] WeightShape { get; }

    public int[] OutputShape { get; }

    /// <summary>Input channels per group.</summary>
    public int GroupChannels => C / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutputs => O / Groups;

    /// <summary>Rows of a group's column matrix (and columns of its weight matrix): C/groups · kh · kw.</summary>
    public int GroupRows => GroupChannels * KH * KW;

    /// <summary>Output positions per channel: OH · OW (columns of the column matrix).</summary>
    public int Positions => OH * OW;

    public int InputItem => C * H * W;

    public int OutputItem => O * Positions;

    public int WeightCount => O * GroupRows;

    /// <summary>A 1×1 kernel with stride 1 and no padding: an item's input already is its column matrix.</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;

    /// <summary>Multiply-adds × 2 of the forward pass (each gradient costs the same).</summary>
    public double Flops => 2.0 * N * O * Positions * GroupRows;
}
