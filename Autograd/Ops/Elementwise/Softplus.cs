using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Softplus as PyTorch: x where βx &gt; threshold, else ln(1 + e^{βx}) / β, evaluated as
/// (max(βx, 0) + ln(1 + e^{−|βx|})) / β so that it neither overflows nor loses the lower tail.
/// dx = g where βx &gt; threshold, else g · σ(βx). Softplus(−1000) = 0 and Softplus(1000) = 1000, gradients 0 and 1.
/// </summary>
internal readonly struct SoftplusOp(double beta, double threshold) : IUnaryOp
{
    public string Name => "Softplus";
    public bool SavesInput => true;
    public bool SavesOutput => false;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T b = T.CreateChecked(beta), limit = T.CreateChecked(threshold);
        int chunk = Math.Min(x.Length, 256);
        Span<T> exponential = stackalloc T[chunk];
        Span<T> onePlus = stackalloc T[chunk];
        Span<T> logarithm = stackalloc T[chunk];
        for (int start = 0; start < x.Length; start += chunk)
        {
            int length = Math.Min(chunk, x.Length - start);
            ReadOnlySpan<T> xs = x.Slice(start, length);
            Span<T> e = exponential[..length], u = onePlus[..length], log = logarithm[..length];
            TensorPrimitives.Multiply(xs, b, e);
            TensorPrimitives.Abs(e, e);
            TensorPrimitives.Negate(e, e);
            MathKernels.Exp(e, e);                // e = e^{−|βx|}, in (0, 1]
            TensorPrimitives.Add(e, T.One, u);
            MathKernels.Log(u, log);
            Span<T> ys = y.Slice(start, length);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                Vector<T> vb = new(b), vlimit = new(limit);
                for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var v = new Vector<T>(xs[i..]);
                    var z = v * vb;
                    var ve = new Vector<T>(e[i..]);
                    var d = new Vector<T>(u[i..]) - Vector<T>.One;
                    var log1P = Vector.ConditionalSelect(Vector.Equals(d, Vector<T>.Zero), ve, new Vector<T>(log[i..]) * (ve / d));
                    var below = (Vector.Max(z, Vector<T>.Zero) + log1P) / vb;
                    Vector.ConditionalSelect(Vector.GreaterThan(z, vlimit), v, below).CopyTo(ys[i..]);
                }
            }

            for (; i < length; i++)
            {
                T v = xs[i], z = v * b;
                ys[i] = z > limit ? v : (T.Max(z, T.Zero) + Log1P(e[i], u[i], log[i])) / b;
            }
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T b = T.CreateChecked(beta), limit = T.CreateChecked(threshold);
        Span<T> scaled = stackalloc T[Math.Min(g.Length, 256)];
        Span<T> sigmoid = stackalloc T[scaled.Length];
        for (int start = 0; start < g.Length; start += scaled.Length)
        {
            int length = Math.Min(scaled.Length, g.Length - start);
            Span<T> z = scaled[..length], s = sigmoid[..length];
            TensorPrimitives.Multiply(x.Slice(start, length), b, z);
            MathKernels.Sigmoid(z, s);
            ReadOnlySpan<T> gs = g.Slice(start, length);
            Span<T> ds = dx.Slice(start, length);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vlimit = new Vector<T>(limit);
                for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var vg = new Vector<T>(gs[i..]);
                    Vector.ConditionalSelect(Vector.GreaterThan(new Vector<T>(z[i..]), vlimit), vg, vg * new Vector<T>(s[i..])).CopyTo(ds[i..]);
                }
            }

            for (; i < length; i++)
            {
                ds[i] = z[i] > limit ? gs[i] : gs[i] * s[i];
            }
        }
    }

    /// <summary>
    /// d = [βx &gt; t] + [βx ≤ t] · σ(z), z = βx where βx &lt; t, else the constant t: the masks are constants (the
    /// threshold does not move with x), and at βx = t the value is σ(t) but its derivative 0, as PyTorch's
    /// softplus_double_backward (which masks with βx &lt; t).
    /// </summary>
    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g)
    {
        Tensor above = ConstantMasks.Where(x!, new ScaledComparison(beta, threshold, above: true));
        Tensor below = ConstantMasks.Where(x!, new ScaledComparison(beta, threshold, above: false));
        Tensor z = (x! * beta * below) + ((1.0 - below) * threshold);
        return g * ((z.Sigmoid() * (1.0 - above)) + above);
    }

    /// <summary>
    /// ln(1 + e) for e in [0, 1] from u = 1 + e (rounded) and ln u: ln u · e / (u − 1) corrects the rounding of u
    /// (Goldberg's log1p; .NET's LogP1 is ln(1 + e) as written and loses e below 2⁻⁵³). The vector loop is the same.
    /// </summary>
    private static T Log1P<T>(T e, T u, T logU)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T d = u - T.One;
        return d == T.Zero ? e : logU * (e / d);
    }

    /// <summary>βx &gt; threshold (or βx &lt; threshold), with βx rounded to T as in the forward pass.</summary>
    private readonly struct ScaledComparison(double beta, double threshold, bool above) : IElementCondition
    {
        public bool Holds<T>(T x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            T z = x * T.CreateChecked(beta), t = T.CreateChecked(threshold);
            return above ? z > t : z < t;
        }
    }
}
