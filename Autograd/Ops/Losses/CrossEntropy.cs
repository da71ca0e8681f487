using System.Numerics;
using System.Numerics.Tensors;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Softmax cross-entropy, fused as PyTorch's F.cross_entropy, over logits [N,C,d1,...] (or [C]) with the classes on
/// axis 1. Every option reduces to one target distribution q per position, and
/// loss = −Σ_k q_k · log softmax(z)_k (a max-shifted log-softmax: stable for logits of ±1000):
/// <list type="bullet">
/// <item>class index y (Int64), weights w, smoothing ε: q_k = (1−ε)·w_y·[k = y] + (ε/C)·w_k; 0 where y = ignoreIndex
/// (PyTorch 1.13's label-smoothing formula);</item>
/// <item>class probabilities t (a float target of the logits' shape): q_k = w_k·((1−ε)·t_k + ε/C).</item>
/// </list>
/// Mean divides by Σ w_y over the targets not ignored (their count without weights; the number of positions for
/// probabilities). VJP: dz = a·(s·softmax(z) − q) with s = Σ_k q_k and a the position's share of g;
/// dt = −a·(1−ε)·w·log softmax(z). Saves the log-probabilities (fast path) and the logits (createGraph path).
/// </summary>
internal static class CrossEntropy
{
    private const string Op = "CrossEntropy";

    /// <summary>The original overload: logits [N,C], int labels, mean; its checks and messages are unchanged.</summary>
    public static Tensor Forward(Tensor logits, int[] labels)
    {
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

        ClassTargets layout = ClassTargets.Layout(Op, logits, "logits", weight: null);
        layout.UseLabels(labels);   // the caller's array: Core copies it if the entry keeps it
        return Core(logits, probabilities: null, layout, smoothing: 0, Reduction.Mean);
    }

    public static Tensor Forward(Tensor logits, Tensor target, Tensor? weight, int ignoreIndex, double labelSmoothing, Reduction reduction)
    {
        OpChecks.NotNull(logits, Op, "logits");
        OpChecks.NotNull(target, Op, "target");
        LossReduction.Check(Op, reduction);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing,
                $"{Op}: labelSmoothing must be in [0, 1]; got {labelSmoothing}.");
        }

        ClassTargets layout = ClassTargets.Layout(Op, logits, "logits", weight);
        Tensor? probabilities = null;
        if (target.DType == DType.Int64)
        {
            layout.ReadLabels(Op, logits, "logits", target, ignoreIndex);
        }
        else if (DTypeDispatch.IsFloatingPoint(target.DType))
        {
            if (ignoreIndex >= 0)
            {
                throw new ArgumentException(
                    $"{Op}: ignoreIndex ({ignoreIndex}) applies to class indices only; a {target.DType} target holds "
                    + "class probabilities (as PyTorch, which rejects it too).");
            }

            layout.UseProbabilities(Op, logits, "logits", target);
            probabilities = target;
        }
        else
        {
            throw ClassTargets.WrongTargetDType(Op, target,
                $"Int64 class indices of shape {ShapeText.Format(layout.PositionShape)} or {logits.DType} class probabilities of "
                + $"the logits' shape {ShapeText.Format(logits.ShapeSpan)}");
        }

        return Core(logits, probabilities, layout, labelSmoothing, reduction);
    }

    private static Tensor Core(Tensor logits, Tensor? probabilities, ClassTargets layout, double smoothing, Reduction reduction)
    {
        Tensor logProbabilities = Tensor.Empty(logits.ShapeArray, logits.DType);
        Tensor? losses = reduction == Reduction.None ? Tensor.Empty(layout.PositionShape, logits.DType) : null;
        var forward = new LossAction(logits, probabilities, layout, smoothing, logProbabilities, losses);
        DTypeDispatch.Float(logits.DType, ref forward);
        // Accumulated in double, rounded once.
        Tensor output = losses
            ?? Tensor.Scalar(reduction == Reduction.Mean ? forward.Total / layout.Denominator : forward.Total, logits.DType);
        if (probabilities is null)
        {
            if (Tape.ShouldRecord(Op, output, logits))
            {
                layout.OwnLabels();
                output.SetGradFn(new CrossEntropyEntry(logits, logProbabilities, layout, smoothing, reduction));
            }
        }
        else if (Tape.ShouldRecord(Op, output, logits, probabilities))
        {
            output.SetGradFn(new CrossEntropyEntry(logits, probabilities, logProbabilities, layout, smoothing, reduction));
        }

        return output;
    }

    /// <summary>The log-softmax into logProbabilities, then each position's loss (written out for Reduction.None) and their sum.</summary>
    private struct LossAction(Tensor logits, Tensor? probabilities, ClassTargets layout, double smoothing, Tensor logProbabilities, Tensor? losses)
        : IFloatAction
    {
        public double Total;

        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int classes = layout.Classes, inner = layout.Inner;
            AxisKernels.Softmax<T>(logits.Span<T>(), layout.Outer, classes, inner, logProbabilities.Span<T>(), log: true);
            ReadOnlySpan<T> logP = logProbabilities.Span<T>();
            ReadOnlySpan<T> t = probabilities is null ? default : probabilities.Span<T>();
            Span<T> perPosition = losses is null ? default : losses.Span<T>();
            bool writeEach = losses is not null;
            int[]? labels = layout.Labels;
            if (layout.IsPlain && smoothing == 0 && losses is null)
            {
                // The training loops' case: the mean (or sum) of −log p[y], as short as it can be.
                double sum = 0;
                for (int i = 0; i < labels!.Length; i++)
                {
                    sum -= double.CreateChecked(logP[(i * classes) + labels[i]]);
                }

                Total = sum;
                return;
            }

            double[]? w = layout.Weight;
            double keep = 1 - smoothing, spread = smoothing / classes;
            double total = 0;
            for (int o = 0; o < layout.Outer; o++)
            {
                for (int i = 0; i < inner; i++)
                {
                    int position = (o * inner) + i, first = (o * classes * inner) + i;
                    double loss = 0;
                    if (labels is not null)
                    {
                        int y = labels[position];
                        if (y >= 0)
                        {
                            loss = -(w is null ? 1 : w[y]) * double.CreateChecked(logP[first + (y * inner)]);
                            if (smoothing != 0)
                            {
                                double weightedSum = 0;
                                for (int k = 0; k < classes; k++)
                                {
                                    weightedSum += (w is null ? 1 : w[k]) * double.CreateChecked(logP[first + (k * inner)]);
                                }

                                loss = (keep * loss) - (spread * weightedSum);
                            }
                        }
                    }
                    else
                    {
                        for (int k = 0; k < classes; k++)
                        {
                            int at = first + (k * inner);
                            double q = (w is null ? 1 : w[k]) * ((keep * double.CreateChecked(t[at])) + spread);
                            loss -= q * double.CreateChecked(logP[at]);
                        }
                    }

                    if (writeEach)
                    {
                        perPosition[position] = T.CreateChecked(loss);
                    }

                    total += loss;
                }
            }

            Total = total;
        }
    }

    /// <summary>dz = a·(s·softmax − q) and dt = −a·(1−ε)·w·log softmax per position, from the saved log-probabilities.</summary>
    private readonly struct GradientAction(
        Tensor logProbabilities, Tensor? probabilities, ClassTargets layout, double smoothing, Reduction reduction,
        Tensor gradOutput, Tensor? dz, Tensor? dt) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (dz is not null)
            {
                Span<T> d = dz.Span<T>();
                MathKernels.Exp(logProbabilities.Span<T>(), d);
                if (layout.Labels is not null)
                {
                    LabelGradient(d);
                }
                else
                {
                    ProbabilityGradient(d);
                }
            }

            if (dt is not null)
            {
                TargetGradient(dt.Span<T>());
            }
        }

        /// <summary>The share a of g that position gets: g (or g[position]), over the mean's denominator; 0 when ignored.</summary>
        private double Share<T>(ReadOnlySpan<T> g, int position)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            double.CreateChecked(reduction == Reduction.None ? g[position] : g[0]) * layout.PositionFactor(position, reduction);

        private void LabelGradient<T>(Span<T> d)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> g = gradOutput.Span<T>();
            int[] labels = layout.Labels!;
            double[]? w = layout.Weight;
            int classes = layout.Classes, inner = layout.Inner;
            double keep = 1 - smoothing, spread = smoothing / classes;

            // Without weights and with one g, s = 1 and a is the same everywhere: subtract q, then one multiply over
            // the whole buffer, then clear the ignored columns.
            bool uniform = w is null && reduction != Reduction.None;
            if (uniform && layout.IsPlain && smoothing == 0)
            {
                // The training loops' case, as short as it can be: (softmax − onehot)·g/N.
                for (int i = 0; i < labels.Length; i++)
                {
                    d[(i * classes) + labels[i]] -= T.One;
                }

                double scale = reduction == Reduction.Mean ? double.CreateChecked(g[0]) / layout.Denominator : double.CreateChecked(g[0]);
                TensorPrimitives.Multiply(d, T.CreateChecked(scale), d);
                return;
            }

            if (uniform)
            {
                T keepT = T.CreateChecked(keep), spreadT = T.CreateChecked(spread);
                bool anyIgnored = false;
                for (int position = 0; position < labels.Length; position++)
                {
                    int y = labels[position];
                    if (y < 0)
                    {
                        anyIgnored = true;
                        continue;
                    }

                    int first = ColumnStart(position);
                    d[first + (y * inner)] -= keepT;
                    if (smoothing != 0)
                    {
                        AddToColumn(d, first, classes, inner, -spreadT);
                    }
                }

                double share = double.CreateChecked(g[0]) * (reduction == Reduction.Mean ? 1 / layout.Denominator : 1);
                TensorPrimitives.Multiply(d, T.CreateChecked(share), d);
                if (anyIgnored)
                {
                    for (int position = 0; position < labels.Length; position++)
                    {
                        if (labels[position] < 0)
                        {
                            ClearColumn(d, ColumnStart(position), classes, inner);
                        }
                    }
                }

                return;
            }

            double totalWeight = layout.TotalWeight();
            for (int position = 0; position < labels.Length; position++)
            {
                int y = labels[position], first = ColumnStart(position);
                if (y < 0)
                {
                    ClearColumn(d, first, classes, inner);
                    continue;
                }

                double a = Share(g, position), wy = w is null ? 1 : w[y];
                ScaleColumn(d, first, classes, inner, T.CreateChecked(a * ((keep * wy) + (spread * totalWeight))));
                d[first + (y * inner)] -= T.CreateChecked(a * keep * wy);
                if (smoothing != 0)
                {
                    for (int k = 0; k < classes; k++)
                    {
                        d[first + (k * inner)] -= T.CreateChecked(a * spread * (w is null ? 1 : w[k]));
                    }
                }
            }
        }

        private void ProbabilityGradient<T>(Span<T> d)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> g = gradOutput.Span<T>(), t = probabilities!.Span<T>();
            double[]? w = layout.Weight;
            int classes = layout.Classes, inner = layout.Inner;
            double keep = 1 - smoothing, spread = smoothing / classes;
            for (int position = 0; position < layout.Positions; position++)
            {
                int first = ColumnStart(position);
                double a = Share(g, position), s = 0;
                for (int k = 0; k < classes; k++)
                {
                    s += (w is null ? 1 : w[k]) * ((keep * double.CreateChecked(t[first + (k * inner)])) + spread);
                }

                for (int k = 0; k < classes; k++)
                {
                    int at = first + (k * inner);
                    double q = (w is null ? 1 : w[k]) * ((keep * double.CreateChecked(t[at])) + spread);
                    d[at] = T.CreateChecked(a * ((s * double.CreateChecked(d[at])) - q));
                }
            }
        }

        private void TargetGradient<T>(Span<T> d)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> g = gradOutput.Span<T>(), logP = logProbabilities.Span<T>();
            double[]? w = layout.Weight;
            int classes = layout.Classes, inner = layout.Inner;
            for (int position = 0; position < layout.Positions; position++)
            {
                int first = ColumnStart(position);
                double a = Share(g, position) * (1 - smoothing);
                for (int k = 0; k < classes; k++)
                {
                    int at = first + (k * inner);
                    d[at] = T.CreateChecked(-a * (w is null ? 1 : w[k]) * double.CreateChecked(logP[at]));
                }
            }
        }

        /// <summary>The flat index of class 0 at <paramref name="position"/>.</summary>
        private int ColumnStart(int position)
        {
            int inner = layout.Inner;
            return inner == 1 ? position * layout.Classes : (position / inner * layout.Classes * inner) + (position % inner);
        }

        private static void ScaleColumn<T>(Span<T> d, int first, int classes, int inner, T factor)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (inner == 1)
            {
                Span<T> row = d.Slice(first, classes);
                TensorPrimitives.Multiply(row, factor, row);
                return;
            }

            for (int k = 0; k < classes; k++)
            {
                d[first + (k * inner)] *= factor;
            }
        }

        private static void ClearColumn<T>(Span<T> d, int first, int classes, int inner)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (inner == 1)
            {
                d.Slice(first, classes).Clear();
                return;
            }

            for (int k = 0; k < classes; k++)
            {
                d[first + (k * inner)] = T.Zero;
            }
        }

        private static void AddToColumn<T>(Span<T> d, int first, int classes, int inner, T value)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int k = 0; k < classes; k++)
            {
                d[first + (k * inner)] += value;
            }
        }
    }

    /// <summary>
    /// Fast path: from the saved log-probabilities. Graph path: softmax (and log-softmax) recomputed from the saved
    /// logits as recorded ops, so that the VJP differentiates through them; q and s are constants for class indices,
    /// recorded functions of the target for probabilities.
    /// </summary>
    private sealed class CrossEntropyEntry : TapeEntry
    {
        private readonly double _smoothing;
        private readonly Reduction _reduction;
        private ClassTargets? _layout;

        /// <summary>For class indices: the logits are the only input.</summary>
        public CrossEntropyEntry(Tensor logits, Tensor logProbabilities, ClassTargets layout, double smoothing, Reduction reduction)
            : base(Op, logits)
        {
            (_layout, _smoothing, _reduction) = (layout, smoothing, reduction);
            Save(logProbabilities);
            Save(logits);
        }

        /// <summary>For class probabilities: the target is the second input.</summary>
        public CrossEntropyEntry(Tensor logits, Tensor probabilities, Tensor logProbabilities, ClassTargets layout, double smoothing,
            Reduction reduction)
            : base(Op, logits, probabilities)
        {
            (_layout, _smoothing, _reduction) = (layout, smoothing, reduction);
            Save(logProbabilities);
            Save(logits);
            Save(probabilities);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            ClassTargets layout = _layout!;
            bool probabilityTarget = layout.Labels is null;
            if (context.CreateGraph)
            {
                GraphBackward(context, gradOutput, inputGrads, layout);
                return;
            }

            Tensor logProbabilities = Saved(0);
            Tensor? dz = context.NeedsInputGrad(0) ? Tensor.Empty(logProbabilities.ShapeArray, logProbabilities.DType) : null;
            Tensor? dt = probabilityTarget && context.NeedsInputGrad(1) ? Tensor.Empty(logProbabilities.ShapeArray, logProbabilities.DType) : null;
            DTypeDispatch.Float(logProbabilities.DType, new GradientAction(
                logProbabilities, probabilityTarget ? Saved(2) : null, layout, _smoothing, _reduction, gradOutput, dz, dt));
            inputGrads[0] = dz;
            if (probabilityTarget)
            {
                inputGrads[1] = dt;
            }
        }

        private void GraphBackward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads, ClassTargets layout)
        {
            Tensor logits = Saved(1);
            int axis = layout.ClassAxis;
            // g per position, broadcast over the classes.
            Tensor share = _reduction == Reduction.None ? Reshape.Forward(gradOutput, layout.KeptShape) : gradOutput;
            double keep = 1 - _smoothing, spread = _smoothing / layout.Classes;
            if (layout.Labels is not null)
            {
                (Tensor s, Tensor q) = LabelConstants(layout, logits.ShapeArray, logits.DType, keep, spread);
                inputGrads[0] = ((logits.Softmax(axis) * s) - q) * share;
                return;
            }

            Tensor t = Saved(2);
            Tensor? weight = layout.Weight is null ? null : layout.WeightTensor(logits.DType);
            Tensor a = _reduction == Reduction.Mean ? share / layout.Denominator : share;
            if (context.NeedsInputGrad(0))
            {
                Tensor target = _smoothing == 0 ? t : (t * keep) + spread;
                Tensor q = weight is null ? target : target * weight;
                inputGrads[0] = ((logits.Softmax(axis) * q.Sum(axis, keepDim: true)) - q) * a;
            }

            if (context.NeedsInputGrad(1))
            {
                Tensor logP = logits.LogSoftmax(axis);
                inputGrads[1] = -((weight is null ? logP : logP * weight) * (a * keep));
            }
        }

        /// <summary>s (per position, the kept shape) and q (the logits' shape) with the mean's 1/denominator and the ignored zeros folded in.</summary>
        private (Tensor S, Tensor Q) LabelConstants(ClassTargets layout, int[] shape, DType dtype, double keep, double spread)
        {
            int[] labels = layout.Labels!;
            int classes = layout.Classes, inner = layout.Inner;
            double totalWeight = layout.TotalWeight();
            double[] s = new double[layout.Positions];
            double[] q = new double[labels.Length * classes];
            for (int position = 0; position < labels.Length; position++)
            {
                int y = labels[position];
                if (y < 0)
                {
                    continue;
                }

                double factor = layout.PositionFactor(position, _reduction), wy = layout.WeightOf(y);
                int first = (position / inner * classes * inner) + (position % inner);
                s[position] = factor * ((keep * wy) + (spread * totalWeight));
                q[first + (y * inner)] += factor * keep * wy;
                if (spread != 0)
                {
                    for (int k = 0; k < classes; k++)
                    {
                        q[first + (k * inner)] += factor * spread * layout.WeightOf(k);
                    }
                }
            }

            return (Tensor.FromValues(s, layout.KeptShape, dtype), Tensor.FromValues(q, shape, dtype));
        }

        protected override void ReleaseSaved()
        {
            _layout?.ReturnLabels();   // the layout is this entry's alone
            _layout = null;
        }
    }
}
