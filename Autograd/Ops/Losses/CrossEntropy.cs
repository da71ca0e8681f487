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
        OpChecks.FloatingPoint(Op, logits);
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
        var loss = new LossAction(logits, logProbabilities, labels);
        DTypeDispatch.Float(logits.DType, ref loss);
        Tensor output = Tensor.Scalar(loss.Result, logits.DType);
        if (Tape.ShouldRecord(Op, output, logits))
        {
            output.SetGradFn(new CrossEntropyEntry(logits, logProbabilities, (int[])labels.Clone()));
        }

        return output;
    }

    /// <summary>Log-softmax of the logits, then the mean negative log-likelihood of the labels.</summary>
    private struct LossAction(Tensor logits, Tensor logProbabilities, int[] labels) : IFloatAction
    {
        public double Result;

        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int classes = logits.ShapeSpan[1];
            AxisKernels.Softmax<T>(logits.Span<T>(), labels.Length, classes, 1, logProbabilities.Span<T>(), log: true);
            ReadOnlySpan<T> logP = logProbabilities.Span<T>();
            double sum = 0;
            for (int i = 0; i < labels.Length; i++)
            {
                sum -= double.CreateChecked(logP[(i * classes) + labels[i]]);
            }

            Result = sum / labels.Length;
        }
    }

    /// <summary>(softmax − onehot) · g / N, from the saved log-probabilities.</summary>
    private readonly struct GradientAction(Tensor logProbabilities, int[] labels, double scale, Tensor dz) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Span<T> destination = dz.Span<T>();
            TensorPrimitives.Exp(logProbabilities.Span<T>(), destination);
            int classes = destination.Length / labels.Length;
            for (int i = 0; i < labels.Length; i++)
            {
                destination[(i * classes) + labels[i]] -= T.One;
            }

            TensorPrimitives.Multiply(destination, T.CreateChecked(scale), destination);
        }
    }

    /// <summary>
    /// Fast path: from the saved log-probabilities. Graph path: softmax recomputed from the saved logits as a
    /// recorded op (so that the VJP differentiates through it), minus a constant one-hot.
    /// </summary>
    private sealed class CrossEntropyEntry : TapeEntry
    {
        private int[]? _labels;

        public CrossEntropyEntry(Tensor logits, Tensor logProbabilities, int[] labels)
            : base("CrossEntropy", logits)
        {
            _labels = labels;
            Save(logProbabilities);
            Save(logits);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            int[] labels = _labels!;
            if (context.CreateGraph)
            {
                Tensor logits = Saved(1);
                int classes = logits.ShapeSpan[1];
                double[] ones = new double[logits.Count];
                for (int i = 0; i < labels.Length; i++)
                {
                    ones[(i * classes) + labels[i]] = 1;
                }

                Tensor oneHot = Tensor.FromValues(ones, logits.ShapeArray, logits.DType);

                inputGrads[0] = (logits.Softmax(1) - oneHot) * (gradOutput / labels.Length);
                return;
            }

            Tensor logProbabilities = Saved(0);
            Tensor dz = Tensor.Empty(logProbabilities.ShapeArray, logProbabilities.DType);
            DTypeDispatch.Float(dz.DType, new GradientAction(logProbabilities, labels, gradOutput.Item() / labels.Length, dz));
            inputGrads[0] = dz;
        }

        protected override void ReleaseSaved() => _labels = null;
    }
}
