using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Validates a convolution's arguments and works out its <see cref="ConvGeometry"/>. Every message names the op,
/// the expected layout and the shapes given.
/// </summary>
internal static class ConvChecks
{
    public static ConvGeometry Geometry(string op, bool oneD, Tensor input, Tensor weight, Tensor? bias,
        int stride, int padding, int dilation, int groups)
    {
        OpChecks.NotNull(input, op, "input");
        OpChecks.NotNull(weight, op, "weight");
        OpChecks.FloatingPoint(op, input);
        OpChecks.SameDType(op, input, weight);
        string inputLayout = oneD ? "[N,C,L]" : "[N,C,H,W]";
        string weightLayout = oneD ? "[O,C/groups,k]" : "[O,C/groups,kh,kw]";
        int rank = oneD ? 3 : 4;
        if (input.Rank != rank)
        {
            throw new ArgumentException($"{op}: input must be {inputLayout}; got {ShapeText.Format(input.ShapeSpan)}.");
        }

        if (weight.Rank != rank)
        {
            throw new ArgumentException($"{op}: weight must be {weightLayout}; got {ShapeText.Format(weight.ShapeSpan)}.");
        }

        AtLeast(op, "stride", stride, 1);
        AtLeast(op, "dilation", dilation, 1);
        AtLeast(op, "padding", padding, 0);
        AtLeast(op, "groups", groups, 1);

        ReadOnlySpan<int> x = input.ShapeSpan, w = weight.ShapeSpan;
        string Shapes() => $"input {ShapeText.Format(input.ShapeSpan)}, weight {ShapeText.Format(weight.ShapeSpan)}";
        int channels = x[1], outputs = w[0];
        if (channels % groups != 0 || outputs % groups != 0)
        {
            throw new ArgumentException(
                $"{op}: groups {groups} must divide both the input channels ({channels}) and the output channels "
                + $"({outputs}); {Shapes()} (weight {weightLayout}).");
        }

        if (w[1] != channels / groups)
        {
            throw new ArgumentException(
                $"{op}: input has {channels} channels but weight {ShapeText.Format(w)} with groups {groups} expects "
                + $"{w[1] * groups}; input {ShapeText.Format(x)} is {inputLayout}, weight is {weightLayout}.");
        }

        if (bias is not null)
        {
            OpChecks.SameDType(op, input, bias);
            if (bias.Rank != 1 || bias.ShapeSpan[0] != outputs)
            {
                throw new ArgumentException(
                    $"{op}: bias {ShapeText.Format(bias.ShapeSpan)} must be [{outputs}] for weight {ShapeText.Format(w)}.");
            }
        }

        int h = oneD ? 1 : x[2], width = x[^1];
        int kh = oneD ? 1 : w[2], kw = w[^1];
        long spanH = ((long)dilation * (kh - 1)) + 1, spanW = ((long)dilation * (kw - 1)) + 1;
        int padH = oneD ? 0 : padding;
        if (spanH > h + (2L * padH) || spanW > width + (2L * padding))
        {
            string kernel = oneD ? $"{spanW}" : $"{spanH}x{spanW}";
            string padded = oneD ? $"{width + (2L * padding)}" : $"{h + (2L * padH)}x{width + (2L * padding)}";
            throw new ArgumentException(
                $"{op}: the kernel ({kernel} with dilation {dilation}) is larger than the padded input ({padded} with "
                + $"padding {padding}); {Shapes()}.");
        }

        return new ConvGeometry(op, oneD, x[0], channels, h, width, outputs, groups,
            kh, kw, oneD ? 1 : stride, stride, padH, padding, oneD ? 1 : dilation, dilation);
    }

    private static void AtLeast(string op, string name, int value, int minimum)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name,
                minimum == 0
                    ? $"{op}: {name} must be non-negative; got {value}."
                    : $"{op}: {name} must be at least {minimum}; got {value}.");
        }
    }
}
