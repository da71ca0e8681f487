using System.Numerics;
using System.Numerics.Tensors;

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

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // In double whatever T is: the float32 result is then Φ correctly rounded, not an erf approximation's.
        for (int i = 0; i < y.Length; i++)
        {
            double v = double.CreateTruncating(x[i]);
            y[i] = T.CreateTruncating(v * NormalDistribution.Cdf(v));
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dx.Length; i++)
        {
            double v = double.CreateTruncating(x[i]);
            double cdf = NormalDistribution.Cdf(v, out double density);
            dx[i] = g[i] * T.CreateTruncating(cdf + (v * density));
        }
    }

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

    public string Name => "Gelu";
    public bool SavesInput => true;
    public bool SavesOutput => false;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.IsEmpty)
        {
            return;   // TensorPrimitives.Sigmoid rejects empty spans
        }

        // y is the scratch: 2u, then σ(2u), then times x.
        TwoU(x, y);
        TensorPrimitives.Sigmoid(y, y);
        TensorPrimitives.Multiply(y, x, y);
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
            TensorPrimitives.Sigmoid(sigma, sigma);
            for (int i = 0; i < length; i++)
            {
                T v = xs[i], si = sigma[i];
                T slope = si * (T.One - si);
                // Where σ saturates, slope is exactly 0: skip the other factor, which overflows for |x| > 1e19 in float32.
                T derivative = slope == T.Zero ? si : si + (v * slope * twoBeta * ((threeKappa * v * v) + T.One));
                dx[start + i] = g[start + i] * derivative;
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

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = T.CreateTruncating(NormalDistribution.Cdf(double.CreateTruncating(x[i])));
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = g[i] * T.CreateTruncating(NormalDistribution.Pdf(double.CreateTruncating(x[i])));
        }
    }

    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => g * Unary.Apply(x!, new NormalPdfOp());
}

/// <summary>φ(x) = e^{−x²/2}/√(2π) (internal: the exact GELU's derivative). dx = −g · x · y.</summary>
internal readonly struct NormalPdfOp : IUnaryOp
{
    public string Name => "NormalPdf";
    public bool SavesInput => true;
    public bool SavesOutput => true;

    public void Forward<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = T.CreateTruncating(NormalDistribution.Pdf(double.CreateTruncating(x[i])));
        }
    }

    public void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dx.Length; i++)
        {
            dx[i] = -(g[i] * x[i] * y[i]);
        }
    }

    // y is the saved output, itself recorded (its entry is this op's): differentiable to any order.
    public Tensor BackwardGraph(Tensor? x, Tensor? y, Tensor g) => -(g * x! * y!);
}
