using System.Numerics;
using System.Runtime.CompilerServices;

namespace Autograd.Ops;

/// <summary>
/// Binary cross-entropy on logits z, in the stable form max(z,0) − z·t + log(1 + e^−|z|), finite for
/// any |z|. dz = a·(σ(z) − t); dt = −a·z, where a is g/N for the mean, g for the sum and g[i] without reduction.
/// </summary>
internal static class BinaryCrossEntropyWithLogits
{
    public static Tensor Forward(Tensor logits, Tensor target, Reduction reduction)
    {
        const string Op = "BinaryCrossEntropyWithLogits";
        OpChecks.NotNull(logits, Op, "logits");
        OpChecks.NotNull(target, Op, "target");
        OpChecks.SameShape(Op, logits, target, "logits", "target");
        OpChecks.FloatingPoint(Op, logits);
        LossReduction.Check(Op, reduction);
        Tensor? losses = reduction == Reduction.None ? Tensor.Empty(logits.ShapeArray, logits.DType) : null;
        var loss = new LossAction(logits, target, losses);
        DTypeDispatch.Float(logits.DType, ref loss);
        Tensor output = losses ?? Tensor.Scalar(reduction == Reduction.Mean ? loss.Sum / logits.Count : loss.Sum, logits.DType);
        if (Tape.ShouldRecord(Op, output, logits, target))
        {
            output.SetGradFn(new Entry(logits, target, reduction));
        }

        return output;
    }

    // Written so that neither branch overflows: e^−|z| ≤ 1.
    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ElementLoss(double z, double t) => Math.Max(z, 0) - (z * t) + Math.Log(1 + Math.Exp(-Math.Abs(z)));

    /// <summary>Each element's loss (written out for Reduction.None) and their sum.</summary>
    private struct LossAction(Tensor logits, Tensor target, Tensor? losses) : IFloatAction
    {
        public double Sum;

        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> z = logits.Span<T>();
            ReadOnlySpan<T> t = target.Span<T>();
            double sum = 0;
            if (losses is null)
            {
                // The mean and the sum: the loop as short as it can be.
                for (int i = 0; i < z.Length; i++)
                {
                    sum += ElementLoss(double.CreateChecked(z[i]), double.CreateChecked(t[i]));
                }
            }
            else
            {
                Span<T> each = losses.Span<T>();
                for (int i = 0; i < z.Length; i++)
                {
                    double loss = ElementLoss(double.CreateChecked(z[i]), double.CreateChecked(t[i]));
                    each[i] = T.CreateChecked(loss);
                    sum += loss;
                }
            }

            Sum = sum;
        }
    }

    /// <summary>
    /// Both gradients in one loop over z and t (each only when wanted), scaled by <paramref name="scale"/>, and by g[i]
    /// when <paramref name="perElement"/> is given (Reduction.None).
    /// </summary>
    private readonly struct GradientAction(Tensor logits, Tensor target, double scale, Tensor? perElement, Tensor? dz, Tensor? dt)
        : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> z = logits.Span<T>();
            ReadOnlySpan<T> t = target.Span<T>();
            Span<T> gz = dz is null ? default : dz.Span<T>();
            Span<T> gt = dt is null ? default : dt.Span<T>();
            if (perElement is null)
            {
                for (int i = 0; i < z.Length; i++)
                {
                    Element(z, t, gz, gt, i, scale);
                }
            }
            else
            {
                ReadOnlySpan<T> g = perElement.Span<T>();
                for (int i = 0; i < z.Length; i++)
                {
                    Element(z, t, gz, gt, i, scale * double.CreateChecked(g[i]));
                }
            }
        }

        /// <summary>Element i of each wanted gradient, for the share <paramref name="a"/> of g.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Element<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> t, Span<T> gz, Span<T> gt, int i, double a)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            double zi = double.CreateChecked(z[i]);
            if (dz is not null)
            {
                gz[i] = T.CreateChecked((Sigmoid(zi) - double.CreateChecked(t[i])) * a);
            }

            if (dt is not null)
            {
                gt[i] = T.CreateChecked(-zi * a);
            }
        }
    }

    private sealed class Entry : TapeEntry
    {
        private readonly Reduction _reduction;

        public Entry(Tensor logits, Tensor target, Reduction reduction)
            : base("BinaryCrossEntropyWithLogits", logits, target)
        {
            _reduction = reduction;
            Save(logits);
            Save(target);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor z = Saved(0), t = Saved(1);
            if (context.CreateGraph)
            {
                Tensor scale = _reduction == Reduction.Mean ? gradOutput / z.Count : gradOutput;
                inputGrads[0] = context.NeedsInputGrad(0) ? (z.Sigmoid() - t) * scale : null;
                inputGrads[1] = context.NeedsInputGrad(1) ? -(z * scale) : null;
                return;
            }

            Tensor? dz = context.NeedsInputGrad(0) ? Tensor.Empty(z.ShapeArray, z.DType) : null;
            Tensor? dt = context.NeedsInputGrad(1) ? Tensor.Empty(z.ShapeArray, z.DType) : null;
            DTypeDispatch.Float(z.DType, _reduction == Reduction.None
                ? new GradientAction(z, t, 1, gradOutput, dz, dt)
                : new GradientAction(z, t, _reduction == Reduction.Mean ? gradOutput.Item() / z.Count : gradOutput.Item(), null, dz, dt));
            inputGrads[0] = dz;
            inputGrads[1] = dt;
        }
    }
}
