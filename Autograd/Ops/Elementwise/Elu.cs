using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// ELU as PyTorch: x where x &gt; 0, else α(eˣ − 1), with eˣ − 1 evaluated without cancellation near 0.
/// dx = g where x &gt; 0, else g · α eˣ (so α at x = 0, as PyTorch). Elu(−1000) = −α with gradient 0.
/// </summary>
internal readonly struct EluOp(double alpha) : IUnaryOp
{
    public string Name => "Elu";
    public bool SavesInput => true;
    public bool SavesOutput => false;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T a = T.CreateChecked(alpha);
        Span<T> exponential = stackalloc T[Math.Min(x.Length, 256)];
        Span<T> logarithm = stackalloc T[exponential.Length];
        for (int start = 0; start < x.Length; start += exponential.Length)
        {
            int length = Math.Min(exponential.Length, x.Length - start);
            ReadOnlySpan<T> xs = x.Slice(start, length);
            Span<T> u = exponential[..length], log = logarithm[..length], ys = y.Slice(start, length);
            TensorPrimitives.Min(xs, T.Zero, u);   // the positive side is not used: keep eˣ finite there
            MathKernels.Exp(u, u);
            MathKernels.Log(u, log);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var va = new Vector<T>(a);
                for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var v = new Vector<T>(xs[i..]);
                    var vu = new Vector<T>(u[i..]);
                    var d = vu - Vector<T>.One;
                    var expM1 = Vector.ConditionalSelect(Vector.Equals(vu, Vector<T>.One), v, d * (v / new Vector<T>(log[i..])));
                    expM1 = Vector.ConditionalSelect(Vector.Equals(d, -Vector<T>.One), d, expM1);
                    Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<T>.Zero), v, va * expM1).CopyTo(ys[i..]);
                }
            }

            for (; i < length; i++)
            {
                T v = xs[i];
                ys[i] = v > T.Zero ? v : a * ExpM1(v, u[i], log[i]);
            }
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T a = T.CreateChecked(alpha);
        Span<T> exponential = stackalloc T[Math.Min(g.Length, 256)];
        for (int start = 0; start < g.Length; start += exponential.Length)
        {
            int length = Math.Min(exponential.Length, g.Length - start);
            ReadOnlySpan<T> xs = x.Slice(start, length), gs = g.Slice(start, length);
            Span<T> e = exponential[..length], ds = dx.Slice(start, length);
            TensorPrimitives.Min(xs, T.Zero, e);
            MathKernels.Exp(e, e);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var va = new Vector<T>(a);
                for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var vg = new Vector<T>(gs[i..]);
                    var positive = Vector.GreaterThan(new Vector<T>(xs[i..]), Vector<T>.Zero);
                    Vector.ConditionalSelect(positive, vg, vg * va * new Vector<T>(e[i..])).CopyTo(ds[i..]);
                }
            }

            for (; i < length; i++)
            {
                ds[i] = xs[i] > T.Zero ? gs[i] : gs[i] * a * e[i];
            }
        }
    }

    /// <summary>
    /// d = [x &gt; 0] + α · [x ≤ 0] · e^{x·[x &lt; 0]}: the masks are constants; the exponent is 0 (not x) on the positive
    /// side so that it cannot overflow, and at x = 0 so that the second derivative there is 0, as PyTorch's.
    /// </summary>
    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g)
    {
        Tensor positive = ConstantMasks.Where(x!, new GreaterThan(0));
        Tensor negative = ConstantMasks.Where(x!, new LessThan(0));
        return g * (((x! * negative).Exp() * ((1.0 - positive) * alpha)) + positive);
    }

    /// <summary>
    /// eˣ − 1 for x ≤ 0 from u = eˣ (rounded) and ln u: (u − 1) · x / ln u corrects the rounding of u (Kahan's expm1;
    /// .NET's ExpM1 is eˣ − 1 as written and loses all digits below 2⁻⁵³). The vector loop above is the same formula.
    /// </summary>
    private static T ExpM1<T>(T x, T u, T logU)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (u == T.One)
        {
            return x;
        }

        T d = u - T.One;
        return d == -T.One ? d : d * (x / logU);
    }
}
