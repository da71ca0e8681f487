using System.Numerics;

namespace Autograd.Ops;

/// <summary>
/// Negative log-likelihood, as PyTorch's F.nll_loss: x [N,C,d1,...] (or [C]) holds log-probabilities, the Int64
/// target one class index per position; loss = −w_y·x[y] (0 where y = ignoreIndex), the mean divided by Σ w_y over
/// the targets not ignored. Linear in x: dx = −a·w_y at the target class (a the position's share of g), 0 elsewhere;
/// the createGraph path is the same product with g as a recorded op. Saves nothing but the labels.
/// </summary>
internal static class NllLoss
{
    private const string Op = "NllLoss";

    public static Tensor Forward(Tensor logProbabilities, Tensor target, Tensor? weight, int ignoreIndex, Reduction reduction)
    {
        OpChecks.NotNull(logProbabilities, Op, "logProbabilities");
        OpChecks.NotNull(target, Op, "target");
        LossReduction.Check(Op, reduction);
        ClassTargets layout = ClassTargets.Layout(Op, logProbabilities, "logProbabilities", weight);
        if (target.DType != DType.Int64)
        {
            throw ClassTargets.WrongTargetDType(Op, target,
                $"Int64 class indices of shape {ShapeText.Format(layout.PositionShape)} (for class probabilities use CrossEntropy on the logits)");
        }

        layout.ReadLabels(Op, logProbabilities, "logProbabilities", target, ignoreIndex);
        Tensor? losses = reduction == Reduction.None ? Tensor.Empty(layout.PositionShape, logProbabilities.DType) : null;
        var forward = new LossAction(logProbabilities, layout, losses);
        DTypeDispatch.Float(logProbabilities.DType, ref forward);
        Tensor output = losses ?? Tensor.Scalar(
            reduction == Reduction.Mean ? forward.Total / layout.Denominator : forward.Total, logProbabilities.DType);
        if (Tape.ShouldRecord(Op, output, logProbabilities))
        {
            output.SetGradFn(new NllLossEntry(logProbabilities, layout, reduction));
        }

        return output;
    }

    private struct LossAction(Tensor x, ClassTargets layout, Tensor? losses) : IFloatAction
    {
        public double Total;

        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> values = x.Span<T>();
            Span<T> perPosition = losses is null ? default : losses.Span<T>();
            int[] labels = layout.Labels!;
            int classes = layout.Classes, inner = layout.Inner;
            double total = 0;
            for (int position = 0; position < labels.Length; position++)
            {
                int y = labels[position];
                double loss = y < 0
                    ? 0
                    : -layout.WeightOf(y) * double.CreateChecked(values[(position / inner * classes * inner) + (position % inner) + (y * inner)]);
                if (losses is not null)
                {
                    perPosition[position] = T.CreateChecked(loss);
                }

                total += loss;
            }

            Total = total;
        }
    }

    /// <summary>dx[position, y] = −a·w_y, every other element 0.</summary>
    private readonly struct GradientAction(ClassTargets layout, Reduction reduction, Tensor gradOutput, Tensor dx) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> g = gradOutput.Span<T>();
            Span<T> d = dx.Span<T>();
            d.Clear();
            int[] labels = layout.Labels!;
            int classes = layout.Classes, inner = layout.Inner;
            for (int position = 0; position < labels.Length; position++)
            {
                int y = labels[position];
                if (y >= 0)
                {
                    double a = double.CreateChecked(reduction == Reduction.None ? g[position] : g[0]) * layout.PositionFactor(position, reduction);
                    d[(position / inner * classes * inner) + (position % inner) + (y * inner)] = T.CreateChecked(-a * layout.WeightOf(y));
                }
            }
        }
    }

    private sealed class NllLossEntry(Tensor x, ClassTargets layout, Reduction reduction) : TapeEntry(Op, x)
    {
        private readonly int[] _shape = x.ShapeArray;
        private ClassTargets? _layout = layout;

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            ClassTargets targets = _layout!;
            if (context.CreateGraph)
            {
                // −w_y (with the mean's 1/denominator and the ignored zeros) as a constant, times g per position.
                double[] weights = new double[ShapeText.Count(_shape, Op)];
                int[] labels = targets.Labels!;
                int classes = targets.Classes, inner = targets.Inner;
                for (int position = 0; position < labels.Length; position++)
                {
                    int y = labels[position];
                    if (y >= 0)
                    {
                        weights[(position / inner * classes * inner) + (position % inner) + (y * inner)] =
                            -targets.WeightOf(y) * targets.PositionFactor(position, reduction);
                    }
                }

                Tensor share = reduction == Reduction.None ? Reshape.Forward(gradOutput, targets.KeptShape) : gradOutput;
                inputGrads[0] = Tensor.FromValues(weights, _shape, gradOutput.DType) * share;
                return;
            }

            Tensor dx = Tensor.Empty(_shape, gradOutput.DType);
            DTypeDispatch.Float(dx.DType, new GradientAction(targets, reduction, gradOutput, dx));
            inputGrads[0] = dx;
        }

        protected override void ReleaseSaved() => _layout = null;
    }
}
