using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Mean softmax cross-entropy of logits [N,C] against integer labels, fused as PyTorch's F.cross_entropy:
/// loss = −mean_i log softmax(z_i)[y_i], computed by a max-shifted log-softmax (stable for logits of ±1000).
/// VJP: dz = g·(softmax(z) − onehot(y)) / N. Saves the log-probabilities.
/// </summary>
internal static class CrossEntropy
{
    public static Tensor Forward(Tensor logits, int[] labels)
    {
        const string Op = "CrossEntropy";
        OpChecks.NotNull(logits, Op, "logits");
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.Rank != 2)
        {
            throw new ArgumentException($"CrossEntropy: logits must be [N,C]; got {ShapeText.Format(logits.ShapeSpan)}.");
        }

        int n = logits.ShapeSpan[0], classes = logits.ShapeSpan[1];
        if (labels.Length != n)
        {
            throw new ArgumentException(
                $"CrossEntropy: logits {ShapeText.Format(logits.ShapeSpan)} has {n} rows but there are {labels.Length} labels.");
        }

        if (n == 0)
        {
            throw new ArgumentException("CrossEntropy: the batch is empty; the mean of no losses is undefined.");
        }

        for (int i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels),
                    $"CrossEntropy: labels[{i}] = {labels[i]} is outside [0, {classes}) for logits {ShapeText.Format(logits.ShapeSpan)}.");
            }
        }

        Tensor logProbabilities = Tensor.Empty(logits.ShapeArray, logits.DType);
        Tensor output;
        if (logits.DType == DType.Float32)
        {
            AxisKernels.Softmax<float>(logits.Span<float>(), n, classes, 1, logProbabilities.Span<float>(), log: true);
            output = Tensor.Scalar(MeanNegativeLogLikelihood<float>(logProbabilities.Span<float>(), labels, classes), DType.Float32);
        }
        else
        {
            AxisKernels.Softmax<double>(logits.Span<double>(), n, classes, 1, logProbabilities.Span<double>(), log: true);
            output = Tensor.Scalar(MeanNegativeLogLikelihood<double>(logProbabilities.Span<double>(), labels, classes), DType.Float64);
        }

        if (Tape.ShouldRecord(logits))
        {
            output.SetGradFn(new CrossEntropyEntry(logits, logProbabilities, (int[])labels.Clone()));
        }

        return output;
    }

    private static double MeanNegativeLogLikelihood<T>(ReadOnlySpan<T> logProbabilities, int[] labels, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            sum -= double.CreateChecked(logProbabilities[(i * classes) + labels[i]]);
        }

        return sum / labels.Length;
    }

    private sealed class CrossEntropyEntry(Tensor logits, Tensor logProbabilities, int[] labels) : TapeEntry("CrossEntropy", logits)
    {
        private Tensor? _logProbabilities = logProbabilities;
        private int[]? _labels = labels;

        internal override Tensor Vjp(int index, Tensor gradOutput)
        {
            Tensor dz = Tensor.Empty(_logProbabilities!.ShapeArray, _logProbabilities.DType);
            double scale = gradOutput.Item() / _labels!.Length;
            if (dz.DType == DType.Float32)
            {
                Gradient<float>(_logProbabilities.Span<float>(), _labels, (float)scale, dz.Span<float>());
            }
            else
            {
                Gradient<double>(_logProbabilities.Span<double>(), _labels, scale, dz.Span<double>());
            }

            return dz;
        }

        private static void Gradient<T>(ReadOnlySpan<T> logProbabilities, int[] labels, T scale, Span<T> destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            // (softmax − onehot) · g / N
            TensorPrimitives.Exp(logProbabilities, destination);
            int classes = logProbabilities.Length / labels.Length;
            for (int i = 0; i < labels.Length; i++)
            {
                destination[(i * classes) + labels[i]] -= T.One;
            }

            TensorPrimitives.Multiply(destination, scale, destination);
        }

        protected override void ReleaseSaved() => (_logProbabilities, _labels) = (null, null);
    }
}
