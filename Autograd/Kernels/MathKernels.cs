using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;

namespace Autograd.Kernels;

/// <summary>
/// TensorPrimitives' exp, log, tanh, sigmoid, sin, cos and pow, except on x64 without AVX (an old or low-power CPU,
/// <c>DOTNET_EnableAVX=0</c>, an AOT build for x86-64-v2), where their 128-bit vector forms are far slower than a
/// scalar loop: measured on 1M floats with <c>DOTNET_EnableAVX=0</c>, <c>TensorPrimitives.Exp</c> took 70 ms, Tanh
/// 74 ms, Sigmoid 66 ms and Log 85 ms, against 2.7 ms for a loop of <c>MathF.Exp</c> (with AVX2 or AVX-512 the vector
/// forms take 0.5–0.9 ms). There the loops below call the scalar functions instead; elsewhere nothing changes.
/// </summary>
internal static class MathKernels
{
    /// <summary>True on x64 without AVX, where the loops below replace TensorPrimitives.</summary>
    public static bool ScalarLoops { get; } = Sse2.IsSupported && !Avx.IsSupported;

    /// <summary><c>y[i] = e^x[i]</c>.</summary>
    public static void Exp<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (!ScalarLoops)
        {
            TensorPrimitives.Exp(x, y);
            return;
        }

        CheckDestination(x.Length, y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = T.Exp(x[i]);
        }
    }

    /// <summary><c>y[i] = ln x[i]</c>.</summary>
    public static void Log<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (!ScalarLoops)
        {
            TensorPrimitives.Log(x, y);
            return;
        }

        CheckDestination(x.Length, y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = T.Log(x[i]);
        }
    }

    /// <summary><c>y[i] = tanh x[i]</c>.</summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (!ScalarLoops)
        {
            TensorPrimitives.Tanh(x, y);
            return;
        }

        CheckDestination(x.Length, y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = T.Tanh(x[i]);
        }
    }

    /// <summary><c>y[i] = 1 / (1 + e^−x[i])</c>; like TensorPrimitives.Sigmoid it rejects an empty span.</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (!ScalarLoops)
        {
            TensorPrimitives.Sigmoid(x, y);
            return;
        }

        if (x.IsEmpty)
        {
            throw new ArgumentException("Sigmoid: the input span is empty.", nameof(x));
        }

        CheckDestination(x.Length, y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = T.One / (T.One + T.Exp(-x[i]));
        }
    }

    /// <summary><c>y[i] = sin x[i]</c>.</summary>
    public static void Sin<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (!ScalarLoops)
        {
            TensorPrimitives.Sin(x, y);
            return;
        }

        CheckDestination(x.Length, y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = T.Sin(x[i]);
        }
    }

    /// <summary><c>y[i] = cos x[i]</c>.</summary>
    public static void Cos<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        if (!ScalarLoops)
        {
            TensorPrimitives.Cos(x, y);
            return;
        }

        CheckDestination(x.Length, y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = T.Cos(x[i]);
        }
    }

    /// <summary><c>destination[i] = x[i]^y[i]</c>.</summary>
    public static void Pow<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : IFloatingPointIeee754<T>
    {
        if (!ScalarLoops)
        {
            TensorPrimitives.Pow(x, y, destination);
            return;
        }

        if (x.Length != y.Length)
        {
            throw new ArgumentException($"Pow: span lengths differ: {x.Length} and {y.Length}.");
        }

        CheckDestination(x.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = T.Pow(x[i], y[i]);
        }
    }

    /// <summary><c>destination[i] = x[i]^y</c>.</summary>
    public static void Pow<T>(ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : IFloatingPointIeee754<T>
    {
        if (!ScalarLoops)
        {
            TensorPrimitives.Pow(x, y, destination);
            return;
        }

        CheckDestination(x.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = T.Pow(x[i], y);
        }
    }

    /// <summary><c>destination[i] = x^y[i]</c>.</summary>
    public static void Pow<T>(T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : IFloatingPointIeee754<T>
    {
        if (!ScalarLoops)
        {
            TensorPrimitives.Pow(x, y, destination);
            return;
        }

        CheckDestination(y.Length, destination.Length);
        for (int i = 0; i < y.Length; i++)
        {
            destination[i] = T.Pow(x, y[i]);
        }
    }

    private static void CheckDestination(int length, int destination)
    {
        if (destination < length)
        {
            throw new ArgumentException($"Destination is too short: {destination} elements for {length}.", nameof(destination));
        }
    }
}
