using System.Numerics;

namespace Autograd.Ops;

/// <summary>
/// Mean binary cross-entropy on probabilities, as PyTorch's F.binary_cross_entropy: each log is clamped at
/// −100 so p = 0 or 1 gives a finite loss, and the VJP divides by max(p·(1−p), 1e−12).
/// dp = g·(p − t) / max(p(1−p), ε) / N; dt = g·(log(1−p) − log p) / N (clamped logs).
/// </summary>
internal static class BinaryCrossEntropy
{
    private const double LogFloor = -100;
    private const double Epsilon = 1e-12;

    public static Tensor Forward(Tensor probabilities, Tensor target)
    {
        const string Op = "BinaryCrossEntropy";
        OpChecks.NotNull(probabilities, Op, "probabilities");
        OpChecks.NotNull(target, Op, "target");
        OpChecks.SameShape(Op, probabilities, target, "probabilities", "target");
        Tensor output = probabilities.DType == DType.Float32
            ? Tensor.Scalar(Loss<float>(probabilities.Span<float>(), target.Span<float>()), DType.Float32)
            : Tensor.Scalar(Loss<double>(probabilities.Span<double>(), target.Span<double>()), DType.Float64);
        if (Tape.ShouldRecord(probabilities, target))
        {
            output.SetGradFn(new BceEntry(probabilities, target));
        }

        return output;
    }

    private static double Loss<T>(ReadOnlySpan<T> p, ReadOnlySpan<T> t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double pi = double.CreateChecked(p[i]);
            if (!(pi >= 0 && pi <= 1))
            {
                throw new ArgumentException(
                    $"BinaryCrossEntropy: probabilities[{i}] = {pi} is outside [0, 1]; "
                    + "apply Sigmoid first, or use BinaryCrossEntropyWithLogits on the logits.");
            }

            double ti = double.CreateChecked(t[i]);
            sum -= (ti * ClampedLog(pi)) + ((1 - ti) * ClampedLog(1 - pi));
        }

        // Accumulated in double, rounded once: the mean of a float32 batch is as exact as it can be.
        return sum / p.Length;
    }

    private static double ClampedLog(double x) => Math.Max(Math.Log(x), LogFloor);

    private sealed class BceEntry(Tensor probabilities, Tensor target) : TapeEntry("BinaryCrossEntropy", probabilities, target)
    {
        private Tensor? _p = probabilities;
        private Tensor? _t = target;

        internal override Tensor Vjp(int index, Tensor gradOutput)
        {
            Tensor result = Tensor.Empty(_p!.ShapeArray, _p.DType);
            double scale = gradOutput.Item() / _p.Count;
            if (_p.DType == DType.Float32)
            {
                Gradient<float>(index, _p.Span<float>(), _t!.Span<float>(), scale, result.Span<float>());
            }
            else
            {
                Gradient<double>(index, _p.Span<double>(), _t!.Span<double>(), scale, result.Span<double>());
            }

            return result;
        }

        private static void Gradient<T>(int index, ReadOnlySpan<T> p, ReadOnlySpan<T> t, double scale, Span<T> destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < p.Length; i++)
            {
                double pi = double.CreateChecked(p[i]);
                double ti = double.CreateChecked(t[i]);
                double value = index == 0
                    ? (pi - ti) / Math.Max((1 - pi) * pi, Epsilon)
                    : ClampedLog(1 - pi) - ClampedLog(pi);
                destination[i] = T.CreateChecked(value * scale);
            }
        }

        protected override void ReleaseSaved() => (_p, _t) = (null, null);
    }
}
