using System.Numerics;

namespace Autograd.Kernels;

/// <summary>
/// Fused elementwise kernels that TensorPrimitives has no single call for (masks, piecewise functions).
/// Each is one pass over its spans: a Vector&lt;T&gt; body and a scalar tail.
/// </summary>
internal static class ElementwiseKernels
{
    /// <summary><c>destination[i] = y[i] &gt; 0 ? g[i] : 0</c>: ReLU's VJP as one masked select.</summary>
    public static void ReluBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(y.Length, g.Length, destination.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= y.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var mask = Vector.GreaterThan(new Vector<T>(y[i..]), Vector<T>.Zero);
                Vector.ConditionalSelect(mask, new Vector<T>(g[i..]), Vector<T>.Zero).CopyTo(destination[i..]);
            }
        }

        for (; i < y.Length; i++)
        {
            destination[i] = y[i] > T.Zero ? g[i] : T.Zero;
        }
    }

    /// <summary><c>destination[i] = x[i] &gt; 0 ? x[i] : slope · x[i]</c>.</summary>
    public static void LeakyRelu<T>(ReadOnlySpan<T> x, T slope, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(x.Length, x.Length, destination.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vslope = new Vector<T>(slope);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var vx = new Vector<T>(x[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(vx, Vector<T>.Zero), vx, vx * vslope).CopyTo(destination[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = x[i] > T.Zero ? x[i] : slope * x[i];
        }
    }

    /// <summary><c>destination[i] = x[i] &gt; 0 ? g[i] : slope · g[i]</c>.</summary>
    public static void LeakyReluBackward<T>(ReadOnlySpan<T> x, T slope, ReadOnlySpan<T> g, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(x.Length, g.Length, destination.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vslope = new Vector<T>(slope);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var vg = new Vector<T>(g[i..]);
                var mask = Vector.GreaterThan(new Vector<T>(x[i..]), Vector<T>.Zero);
                Vector.ConditionalSelect(mask, vg, vg * vslope).CopyTo(destination[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = x[i] > T.Zero ? g[i] : slope * g[i];
        }
    }

    /// <summary><c>destination[i] = g[i] · sign(x[i])</c>, with sign(0) = 0 as in PyTorch.</summary>
    public static void AbsBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(x.Length, g.Length, destination.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var vx = new Vector<T>(x[i..]);
                var vg = new Vector<T>(g[i..]);
                var positive = Vector.ConditionalSelect(Vector.GreaterThan(vx, Vector<T>.Zero), vg, Vector<T>.Zero);
                Vector.ConditionalSelect(Vector.LessThan(vx, Vector<T>.Zero), -vg, positive).CopyTo(destination[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = x[i] > T.Zero ? g[i] : x[i] < T.Zero ? -g[i] : T.Zero;
        }
    }

    /// <summary><c>destination[i] = g[i] · y[i] · (1 − y[i])</c>: sigmoid's VJP from its output.</summary>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(y.Length, g.Length, destination.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= y.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var vy = new Vector<T>(y[i..]);
                (new Vector<T>(g[i..]) * vy * (Vector<T>.One - vy)).CopyTo(destination[i..]);
            }
        }

        for (; i < y.Length; i++)
        {
            destination[i] = g[i] * y[i] * (T.One - y[i]);
        }
    }

    /// <summary><c>destination[i] = g[i] · (1 − y[i]²)</c>: tanh's VJP from its output.</summary>
    public static void TanhBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(y.Length, g.Length, destination.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= y.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var vy = new Vector<T>(y[i..]);
                (new Vector<T>(g[i..]) * (Vector<T>.One - (vy * vy))).CopyTo(destination[i..]);
            }
        }

        for (; i < y.Length; i++)
        {
            destination[i] = g[i] * (T.One - (y[i] * y[i]));
        }
    }

    private static void CheckLengths(int x, int y, int destination)
    {
        if (x != y || destination < x)
        {
            ThrowLengths(x, y, destination);
        }
    }

    private static void ThrowLengths(int x, int y, int destination) =>
        throw new ArgumentException($"Span lengths differ: {x}, {y}, destination {destination}.");
}
