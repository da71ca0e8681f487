using System.Numerics;
using System.Numerics.Tensors;

namespace Autograd.Optim;

/// <summary>
/// Gradient clipping, PyTorch's <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>: call it
/// between <c>Backward</c> and the optimizer's <c>Step</c>. Both scale or clamp the gradients in place (their
/// versions are bumped) and skip parameters whose gradient is null.
/// <code>
/// loss.Backward();
/// var norm = GradClip.ClipGradNorm(model.Parameters(), maxNorm: 1.0);
/// optimizer.Step();
/// </code>
/// </summary>
public static class GradClip
{
    // Float32 gradients are summed in double, a chunk at a time, so a large tensor loses no precision; the order
    // of the sums is fixed, so the norm is the same whatever the thread count.
    private const int Chunk = 256;

    /// <summary>
    /// Scales the gradients so that their norm, taken over all of them as if concatenated into one vector, is at
    /// most <paramref name="maxNorm"/>: each is multiplied by <c>min(1, maxNorm / (total + 1e-6))</c>. As PyTorch, the
    /// total is the p-norm of the per-gradient p-norms (the maximum of the maxima for p = ∞), and for Float32
    /// gradients the factor is computed in single precision.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients are clipped (e.g. <c>model.Parameters()</c>).</param>
    /// <param name="maxNorm">The largest norm allowed, ≥ 0.</param>
    /// <param name="normType">p: 2 (the default), 1, any p &gt; 0, or <see cref="double.PositiveInfinity"/> for the
    /// largest magnitude.</param>
    /// <param name="errorIfNonfinite">Throw instead of scaling when the total norm is NaN or infinite.</param>
    /// <returns>The total norm before clipping (0 when no parameter has a gradient).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> negative or NaN; <paramref name="normType"/>
    /// not positive.</exception>
    /// <exception cref="InvalidOperationException">The total norm is not finite and <paramref name="errorIfNonfinite"/> is set.</exception>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2,
        bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        HyperParameter.NonNegative(maxNorm, nameof(maxNorm), "max_norm");
        if (!(normType > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(normType), normType,
                $"ClipGradNorm: the norm type must be positive or infinity, got {normType}.");
        }

        var gradients = Gradients(parameters);
        if (gradients.Count == 0)
        {
            return 0;
        }

        var total = 0.0;
        var allSingle = true;
        foreach (var gradient in gradients)
        {
            allSingle &= gradient.DType == DType.Float32;
            var norm = Norm(gradient, normType);
            total = double.IsPositiveInfinity(normType) ? Max(total, norm) : total + Power(norm, normType);
        }

        if (!double.IsPositiveInfinity(normType))
        {
            total = Root(total, normType);
        }

        if (allSingle)
        {
            total = (float)total;   // PyTorch's total norm is a tensor of the gradients' dtype
        }

        if (errorIfNonfinite && !double.IsFinite(total))
        {
            throw new InvalidOperationException(
                $"ClipGradNorm: the total norm of order {normType} of the gradients is {total}, so it cannot be clipped. "
                + "To scale the gradients by the non-finite norm anyway, pass errorIfNonfinite: false.");
        }

        double coefficient = allSingle
            ? Math.Min((float)maxNorm / ((float)total + 1e-6f), 1f)
            : Math.Min(maxNorm / (total + 1e-6), 1.0);
        foreach (var gradient in gradients)
        {
            DTypeDispatch.Float(gradient.DType, new Scale(gradient, coefficient));
            gradient.BumpVersion();
        }

        return total;
    }

    /// <summary>Clamps every gradient element into [−<paramref name="clipValue"/>, <paramref name="clipValue"/>] (NaN stays NaN).</summary>
    /// <param name="parameters">The parameters whose gradients are clipped.</param>
    /// <param name="clipValue">The largest magnitude allowed, ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> negative or NaN.</exception>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        HyperParameter.NonNegative(clipValue, nameof(clipValue), "clip_value");
        foreach (var gradient in Gradients(parameters))
        {
            DTypeDispatch.Float(gradient.DType, new Clamp(gradient, clipValue));
            gradient.BumpVersion();
        }
    }

    private static List<Tensor> Gradients(IEnumerable<Tensor> parameters)
    {
        var gradients = new List<Tensor>();
        var index = 0;
        foreach (var parameter in parameters)
        {
            if (parameter is null)
            {
                throw new ArgumentException($"Parameter {index} is null.", nameof(parameters));
            }

            if (parameter.Grad is { } gradient)
            {
                gradients.Add(gradient);
            }

            index++;
        }

        return gradients;
    }

    /// <summary>The p-norm of one gradient, accumulated in double.</summary>
    private static double Norm(Tensor gradient, double p)
    {
        var norm = new NormAction(gradient, p);
        DTypeDispatch.Float(gradient.DType, ref norm);
        return norm.Result;
    }

    private static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private static double Power(double value, double p) => p switch
    {
        1 => value,
        2 => value * value,
        _ => Math.Pow(value, p),
    };

    private static double Root(double value, double p) => p switch
    {
        1 => value,
        2 => Math.Sqrt(value),
        _ => Math.Pow(value, 1 / p),
    };

    /// <summary>Σ|x|ᵖ (or max |x| for p = ∞) over one gradient, chunk by chunk in double, then the root.</summary>
    private struct NormAction(Tensor gradient, double p) : IFloatAction
    {
        public double Result { get; private set; }

        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> values = gradient.Span<T>();
            if (double.IsPositiveInfinity(p))
            {
                Result = values.Length == 0 ? 0 : double.CreateChecked(T.Abs(TensorPrimitives.MaxMagnitude(values)));
                return;
            }

            Span<double> chunk = stackalloc double[Chunk];
            var sum = 0.0;
            for (var start = 0; start < values.Length; start += Chunk)
            {
                var length = Math.Min(Chunk, values.Length - start);
                var part = chunk[..length];
                TensorPrimitives.ConvertChecked<T, double>(values.Slice(start, length), part);
                sum += p switch
                {
                    1 => TensorPrimitives.SumOfMagnitudes<double>(part),
                    2 => TensorPrimitives.SumOfSquares<double>(part),
                    _ => SumOfPowers(part, p),
                };
            }

            Result = Root(sum, p);
        }

        private static double SumOfPowers(Span<double> part, double p)
        {
            TensorPrimitives.Abs<double>(part, part);
            TensorPrimitives.Pow(part, p, part);
            return TensorPrimitives.Sum<double>(part);
        }
    }

    /// <summary>Multiplies one gradient by the clipping coefficient in place.</summary>
    private readonly struct Scale(Tensor gradient, double coefficient) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var values = gradient.Span<T>();
            TensorPrimitives.Multiply(values, T.CreateChecked(coefficient), values);
        }
    }

    /// <summary>Clamps one gradient into [−clip, clip] in place.</summary>
    private readonly struct Clamp(Tensor gradient, double clip) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var values = gradient.Span<T>();
            var limit = T.CreateChecked(clip);
            TensorPrimitives.Min(values, limit, values);
            TensorPrimitives.Max(values, -limit, values);
        }
    }
}
