using System.Numerics;

namespace Autograd.Ops;

/// <summary>
/// Mean binary cross-entropy on logits z, in the stable form max(z,0) − z·t + log(1 + e^−|z|), finite for
/// any |z|. dz = g·(σ(z) − t) / N; dt = −g·z / N.
/// </summary>
internal static class BinaryCrossEntropyWithLogits
{
    public static Tensor Forward(Tensor logits, Tensor target)
    {
        const string Op = "BinaryCrossEntropyWithLogits";
        OpChecks.NotNull(logits, Op, "logits");
        OpChecks.NotNull(target, Op, "target");
        OpChecks.SameShape(Op, logits, target, "logits", "target");
        OpChecks.FloatingPoint(Op, logits);
        var loss = new LossAction(logits, target);
        DTypeDispatch.Float(logits.DType, ref loss);
        Tensor output = Tensor.Scalar(loss.Result, logits.DType);
        if (Tape.ShouldRecord(Op, output, logits, target))
        {
            output.SetGradFn(new Entry(logits, target));
        }

        return output;
    }

    // Written so that neither branch overflows: e^−|z| ≤ 1.
    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private struct LossAction(Tensor logits, Tensor target) : IFloatAction
    {
        public double Result;

        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> z = logits.Span<T>();
            ReadOnlySpan<T> t = target.Span<T>();
            double sum = 0;
            for (int i = 0; i < z.Length; i++)
            {
                double zi = double.CreateChecked(z[i]);
                sum += Math.Max(zi, 0) - (zi * double.CreateChecked(t[i])) + Math.Log(1 + Math.Exp(-Math.Abs(zi)));
            }

            Result = sum / z.Length;
        }
    }

    /// <summary>Both gradients in one loop over z and t (each only when wanted).</summary>
    private readonly struct GradientAction(Tensor logits, Tensor target, double scale, Tensor? dz, Tensor? dt) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> z = logits.Span<T>();
            ReadOnlySpan<T> t = target.Span<T>();
            Span<T> gz = dz is null ? default : dz.Span<T>();
            Span<T> gt = dt is null ? default : dt.Span<T>();
            for (int i = 0; i < z.Length; i++)
            {
                double zi = double.CreateChecked(z[i]);
                if (dz is not null)
                {
                    gz[i] = T.CreateChecked((Sigmoid(zi) - double.CreateChecked(t[i])) * scale);
                }

                if (dt is not null)
                {
                    gt[i] = T.CreateChecked(-zi * scale);
                }
            }
        }
    }

    private sealed class Entry : TapeEntry
    {
        public Entry(Tensor logits, Tensor target)
            : base("BinaryCrossEntropyWithLogits", logits, target)
        {
            Save(logits);
            Save(target);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor z = Saved(0), t = Saved(1);
            if (context.CreateGraph)
            {
                Tensor scale = gradOutput / z.Count;
                inputGrads[0] = context.NeedsInputGrad(0) ? (z.Sigmoid() - t) * scale : null;
                inputGrads[1] = context.NeedsInputGrad(1) ? -(z * scale) : null;
                return;
            }

            Tensor? dz = context.NeedsInputGrad(0) ? Tensor.Empty(z.ShapeArray, z.DType) : null;
            Tensor? dt = context.NeedsInputGrad(1) ? Tensor.Empty(z.ShapeArray, z.DType) : null;
            DTypeDispatch.Float(z.DType, new GradientAction(z, t, gradOutput.Item() / z.Count, dz, dt));
            inputGrads[0] = dz;
            inputGrads[1] = dt;
        }
    }
}
