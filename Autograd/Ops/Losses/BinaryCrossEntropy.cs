using System.Numerics;
using System.Runtime.CompilerServices;

namespace Autograd.Ops;

/// <summary>
/// Binary cross-entropy on probabilities, as PyTorch's F.binary_cross_entropy: each log is clamped at
/// −100 so p = 0 or 1 gives a finite loss, and the VJP divides by max(p·(1−p), 1e−12).
/// dp = a·(p − t) / max(p(1−p), ε); dt = a·(log(1−p) − log p) (clamped logs), where a is g/N for the mean, g for
/// the sum and g[i] without reduction.
/// </summary>
internal static class BinaryCrossEntropy
{
    private const double LogFloor = -100;
    private const double Epsilon = 1e-12;

    public static Tensor Forward(Tensor probabilities, Tensor target, Reduction reduction)
    {
        const string Op = "BinaryCrossEntropy";
        OpChecks.NotNull(probabilities, Op, "probabilities");
        OpChecks.NotNull(target, Op, "target");
        OpChecks.SameShape(Op, probabilities, target, "probabilities", "target");
        OpChecks.FloatingPoint(Op, probabilities);
        LossReduction.Check(Op, reduction);
        Tensor? losses = reduction == Reduction.None ? Tensor.Empty(probabilities.ShapeArray, probabilities.DType) : null;
        var loss = new LossAction(probabilities, target, losses);
        DTypeDispatch.Float(probabilities.DType, ref loss);
        Tensor output = losses ?? Tensor.Scalar(reduction == Reduction.Mean ? loss.Sum / probabilities.Count : loss.Sum, probabilities.DType);
        if (Tape.ShouldRecord(Op, output, probabilities, target))
        {
            output.SetGradFn(new BceEntry(probabilities, target, reduction));
        }

        return output;
    }

    private static double ClampedLog(double x) => Math.Max(Math.Log(x), LogFloor);

    /// <summary>−(t·log p + (1 − t)·log(1 − p)) at element i, each log clamped; p outside [0, 1] throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ElementLoss<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> t, int i)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double pi = double.CreateChecked(p[i]);
        if (!(pi >= 0 && pi <= 1))
        {
            ThrowOutsideUnitInterval(i, pi);
        }

        double ti = double.CreateChecked(t[i]);
        return -((ti * ClampedLog(pi)) + ((1 - ti) * ClampedLog(1 - pi)));
    }

    private static void ThrowOutsideUnitInterval(int i, double p) =>
        throw new ArgumentException(
            $"BinaryCrossEntropy: probabilities[{i}] = {p} is outside [0, 1]; "
            + "apply Sigmoid first, or use BinaryCrossEntropyWithLogits on the logits.");

    /// <summary>Each element's loss (written out for Reduction.None) and their sum.</summary>
    private struct LossAction(Tensor probabilities, Tensor target, Tensor? losses) : IFloatAction
    {
        public double Sum;

        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> p = probabilities.Span<T>();
            ReadOnlySpan<T> t = target.Span<T>();
            double sum = 0;
            if (losses is null)
            {
                // The mean and the sum: the loop as short as it can be.
                for (int i = 0; i < p.Length; i++)
                {
                    sum += ElementLoss(p, t, i);
                }
            }
            else
            {
                Span<T> each = losses.Span<T>();
                for (int i = 0; i < p.Length; i++)
                {
                    double loss = ElementLoss(p, t, i);
                    each[i] = T.CreateChecked(loss);
                    sum += loss;
                }
            }

            // Accumulated in double, rounded once: the mean of a float32 batch is as exact as it can be.
            Sum = sum;
        }
    }

    /// <summary>
    /// Both gradients in one loop over p and t (each only when wanted), scaled by <paramref name="scale"/>, and by g[i]
    /// when <paramref name="perElement"/> is given (Reduction.None).
    /// </summary>
    private readonly struct GradientAction(Tensor probabilities, Tensor target, double scale, Tensor? perElement, Tensor? dp, Tensor? dt)
        : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> p = probabilities.Span<T>();
            ReadOnlySpan<T> t = target.Span<T>();
            Span<T> gp = dp is null ? default : dp.Span<T>();
            Span<T> gt = dt is null ? default : dt.Span<T>();
            if (perElement is null)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    Element(p, t, gp, gt, i, scale);
                }
            }
            else
            {
                ReadOnlySpan<T> g = perElement.Span<T>();
                for (int i = 0; i < p.Length; i++)
                {
                    Element(p, t, gp, gt, i, scale * double.CreateChecked(g[i]));
                }
            }
        }

        /// <summary>Element i of each wanted gradient, for the share <paramref name="a"/> of g.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Element<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> t, Span<T> gp, Span<T> gt, int i, double a)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            double pi = double.CreateChecked(p[i]);
            if (dp is not null)
            {
                gp[i] = T.CreateChecked((pi - double.CreateChecked(t[i])) / Math.Max((1 - pi) * pi, Epsilon) * a);
            }

            if (dt is not null)
            {
                gt[i] = T.CreateChecked((ClampedLog(1 - pi) - ClampedLog(pi)) * a);
            }
        }
    }

    private sealed class BceEntry : TapeEntry
    {
        private readonly Reduction _reduction;

        public BceEntry(Tensor probabilities, Tensor target, Reduction reduction)
            : base("BinaryCrossEntropy", probabilities, target)
        {
            _reduction = reduction;
            Save(probabilities);
            Save(target);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor p = Saved(0), t = Saved(1);
            if (context.CreateGraph)
            {
                // The same formulas as recorded ops (ClampMin is the max with ε and the log floor).
                Tensor scale = _reduction == Reduction.Mean ? gradOutput / p.Count : gradOutput;
                inputGrads[0] = context.NeedsInputGrad(0)
                    ? (p - t) / Unary.Apply((1.0 - p) * p, new ClampMinOp(Epsilon)) * scale
                    : null;
                inputGrads[1] = context.NeedsInputGrad(1)
                    ? (ClampedLogOf(1.0 - p) - ClampedLogOf(p)) * scale
                    : null;
                return;
            }

            Tensor? dp = context.NeedsInputGrad(0) ? Tensor.Empty(p.ShapeArray, p.DType) : null;
            Tensor? dt = context.NeedsInputGrad(1) ? Tensor.Empty(p.ShapeArray, p.DType) : null;
            DTypeDispatch.Float(p.DType, _reduction == Reduction.None
                ? new GradientAction(p, t, 1, gradOutput, dp, dt)
                : new GradientAction(p, t, _reduction == Reduction.Mean ? gradOutput.Item() / p.Count : gradOutput.Item(), null, dp, dt));
            inputGrads[0] = dp;
            inputGrads[1] = dt;
        }

        private static Tensor ClampedLogOf(Tensor x) => Unary.Apply(x.Log(), new ClampMinOp(LogFloor));
    }
}
