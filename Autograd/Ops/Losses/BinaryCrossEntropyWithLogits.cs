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
        Tensor output = logits.DType == DType.Float32
            ? Tensor.Scalar(Loss<float>(logits.Span<float>(), target.Span<float>()), DType.Float32)
            : Tensor.Scalar(Loss<double>(logits.Span<double>(), target.Span<double>()), DType.Float64);
        if (Tape.ShouldRecord(logits, target))
        {
            output.SetGradFn(new Entry(logits, target));
        }

        return output;
    }

    private static double Loss<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double zi = double.CreateChecked(z[i]);
            sum += Math.Max(zi, 0) - (zi * double.CreateChecked(t[i])) + Math.Log(1 + Math.Exp(-Math.Abs(zi)));
        }

        return sum / z.Length;
    }

    private sealed class Entry(Tensor logits, Tensor target) : TapeEntry("BinaryCrossEntropyWithLogits", logits, target)
    {
        private Tensor? _z = logits;
        private Tensor? _t = target;

        internal override Tensor Vjp(int index, Tensor gradOutput)
        {
            Tensor result = Tensor.Empty(_z!.ShapeArray, _z.DType);
            double scale = gradOutput.Item() / _z.Count;
            if (_z.DType == DType.Float32)
            {
                Gradient<float>(index, _z.Span<float>(), _t!.Span<float>(), scale, result.Span<float>());
            }
            else
            {
                Gradient<double>(index, _z.Span<double>(), _t!.Span<double>(), scale, result.Span<double>());
            }

            return result;
        }

        private static void Gradient<T>(int index, ReadOnlySpan<T> z, ReadOnlySpan<T> t, double scale, Span<T> destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < z.Length; i++)
            {
                double zi = double.CreateChecked(z[i]);
                double value = index == 0 ? Sigmoid(zi) - double.CreateChecked(t[i]) : -zi;
                destination[i] = T.CreateChecked(value * scale);
            }
        }

        // Written so that neither branch overflows: e^−|z| ≤ 1.
        private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

        protected override void ReleaseSaved() => (_z, _t) = (null, null);
    }
}
