using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// GELU, PyTorch's default (exact) form: x · Φ(x), Φ the standard normal CDF. dx = g · (Φ(x) + x · φ(x)).
/// Finite everywhere: Φ saturates to exactly 0 or 1 and x · φ(x) to 0, so Gelu(±1000) = (−0, 1000) with gradients (0, 1).
/// </summary>
internal readonly struct GeluOp : IUnaryOp
{
    public string Name => "Gelu";
    public bool SavesInput => true;
    public bool SavesOutput => false;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => NormalDistribution.Apply(NormalDistribution.Quantity.Gelu, x, default, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => NormalDistribution.Apply(NormalDistribution.Quantity.GeluDerivative, x, g, dx);

    // Φ and φ as recorded ops of their own, each differentiable to any order.
    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) =>
        g * (Unary.Apply(x!, new NormalCdfOp()) + (x! * Unary.Apply(x!, new NormalPdfOp())));
}

/// <summary>
/// GELU, PyTorch's approximate='tanh' form: ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), computed as x · σ(2u)
/// (the same function: 1 + tanh u = 2σ(2u)) so that the lower tail does not cancel. With s = σ(2u):
/// dx = g · (s + x · s(1 − s) · 2√(2/π)(1 + 3 · 0.044715x²)).
/// </summary>
internal readonly struct GeluTanhOp : IUnaryOp
{
    private const double Kappa = 0.044715;
    private const double TwoBeta = 1.5957691216057307;   // 2√(2/π)
    private const double Saturation = 30;
    public static ElementCost Cost => ElementCost.Compute;

    public string Name => "Gelu";
    public bool SavesInput => true;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // y is the scratch: 2u, then σ(2u), then times x; chunk by chunk, so that the passes stay in L1.
        for (int start = 0; start < x.Length; start += 256)
        {
            int length = Math.Min(256, x.Length - start);
            ReadOnlySpan<T> xs = x.Slice(start, length);
            Span<T> ys = y.Slice(start, length);
            TwoU(xs, ys);
            MathKernels.Sigmoid(ys, ys);
            TensorPrimitives.Multiply(ys, xs, ys);
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T threeKappa = T.CreateChecked(3 * Kappa), twoBeta = T.CreateChecked(TwoBeta);
        Span<T> s = stackalloc T[Math.Min(g.Length, 256)];
        for (int start = 0; start < g.Length; start += s.Length)
        {
            int length = Math.Min(s.Length, g.Length - start);
            ReadOnlySpan<T> xs = x.Slice(start, length);
            Span<T> sigma = s[..length];
            TwoU(xs, sigma);
            MathKernels.Sigmoid(sigma, sigma);
            ReadOnlySpan<T> gs = g.Slice(start, length);
            Span<T> ds = dx.Slice(start, length);

            // Where σ saturates, slope is exactly 0: the other factor is skipped (it overflows for |x| > 1e19 in float32).
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                Vector<T> vThreeKappa = new(threeKappa), vTwoBeta = new(twoBeta);
                for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var v = new Vector<T>(xs[i..]);
                    var si = new Vector<T>(sigma[i..]);
                    var slope = si * (Vector<T>.One - si);
                    var derivative = si + (v * slope * vTwoBeta * ((vThreeKappa * v * v) + Vector<T>.One));
                    derivative = Vector.ConditionalSelect(Vector.Equals(slope, Vector<T>.Zero), si, derivative);
                    (new Vector<T>(gs[i..]) * derivative).CopyTo(ds[i..]);
                }
            }

            for (; i < length; i++)
            {
                T v = xs[i], si = sigma[i];
                T slope = si * (T.One - si);
                T derivative = slope == T.Zero ? si : si + (v * slope * twoBeta * ((threeKappa * v * v) + T.One));
                ds[i] = gs[i] * derivative;
            }
        }
    }

    /// <summary>
    /// The same formula as recorded ops, on x clamped to ±30 inside σ and the polynomial: beyond it σ(2u) is exactly 0
    /// or 1 in float and double (2u(30) ≈ 1974), so nothing changes there, but x² can no longer overflow into 0 · ∞.
    /// </summary>
    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g)
    {
        Tensor clamped = x!.Clamp(-Saturation, Saturation);
        Tensor square = clamped.Square();
        Tensor s = (clamped * ((square * Kappa) + 1.0) * TwoBeta).Sigmoid();
        return g * (s + (x * (s * (1.0 - s)) * (((square * (3 * Kappa)) + 1.0) * TwoBeta)));
    }

    /// <summary><c>destination = 2u = 2√(2/π) · x · (1 + κx²)</c>.</summary>
    private static void TwoU<T>(ReadOnlySpan<T> x, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Multiply(x, x, destination);
        TensorPrimitives.Multiply(destination, T.CreateChecked(Kappa), destination);
        TensorPrimitives.Add(destination, T.One, destination);
        TensorPrimitives.Multiply(destination, x, destination);
        TensorPrimitives.Multiply(destination, T.CreateChecked(TwoBeta), destination);
    }
}

/// <summary>Φ(x), the standard normal CDF (internal: the exact GELU's derivative). dx = g · φ(x).</summary>
internal readonly struct NormalCdfOp : IUnaryOp
{
    public string Name => "NormalCdf";
    public bool SavesInput => true;
    public bool SavesOutput => false;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => NormalDistribution.Apply(NormalDistribution.Quantity.Cdf, x, default, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T> => NormalDistribution.Apply(NormalDistribution.Quantity.Pdf, x, g, dx);

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * Unary.Apply(x!, new NormalPdfOp());
}

/// <summary>φ(x) = e^{−x²/2}/√(2π) (internal: the exact GELU's derivative). dx = −g · x · y.</summary>
internal readonly struct NormalPdfOp : IUnaryOp
{
    public string Name => "NormalPdf";
    public bool SavesInput => true;
    public bool SavesOutput => true;
    public static ElementCost Cost => ElementCost.Compute;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => NormalDistribution.Apply(NormalDistribution.Quantity.Pdf, x, default, y);

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Multiply(g, x, dx);   // g[i] is read before dx[i] is written (dx may be g)
        TensorPrimitives.Multiply(dx, y, dx);
        TensorPrimitives.Negate(dx, dx);
    }

    // y is the saved output, itself recorded (its entry is this op's): differentiable to any order.
    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => -(g * x! * y!);
}
