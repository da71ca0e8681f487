using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Batch normalisation, PyTorch's F.batch_norm, on [N,C] or [N,C,d1,...] viewed as [N,C,S]: per channel c, over its
/// M = N·S values, y = (x − mean)·rstd·w + b with rstd = 1/√(var + eps). Training uses the batch mean and biased
/// variance and moves the running statistics towards them (the unbiased variance for runningVar, as PyTorch);
/// evaluation uses the running statistics, so y is affine in x. One fused entry for x, w and b.
/// VJP with x̂ = (x − mean)·rstd: dw = Σ g·x̂, db = Σ g, and dx = w·rstd/M·(M·g − Σg − x̂·Σ g·x̂) in training,
/// dx = w·rstd·g in evaluation. Saves x, w and the per-channel mean and rstd it used.
/// </summary>
internal static class BatchNorm
{
    private const string Op = "BatchNorm";

    public static Tensor Forward(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, double momentum, double eps)
    {
        var (n, c, s) = Validate(input, runningMean, runningVar, weight, bias, training);
        Tensor output = Tensor.Empty(input.ShapeArray, input.DType);
        Tensor mean = Tensor.Empty([c], input.DType);
        Tensor rstd = Tensor.Empty([c], input.DType);
        Tensor? unbiased = training && runningVar is not null ? Tensor.Empty([c], input.DType) : null;
        DTypeDispatch.Float(input.DType, new ForwardAction(input, runningMean, runningVar, weight, bias, training, eps, n, c, s,
            output, mean, rstd, unbiased));
        if (training && (long)n * s > 0)
        {
            UpdateRunningStatistics(runningMean, runningVar, mean, unbiased, momentum);
        }

        Tensor[] inputs = Affine.Inputs(input, weight, bias);
        if (Tape.ShouldRecord(Op, output, inputs))
        {
            output.SetGradFn(new BatchNormEntry(inputs, weight is not null, bias is not null, training, n, c, s, eps, mean, rstd));
        }

        return output;
    }

    /// <summary>Checks the layout, shapes and dtypes; returns the [N,C,S] view of the input.</summary>
    private static (int N, int C, int S) Validate(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight,
        Tensor? bias, bool training)
    {
        OpChecks.NotNull(input, Op, "input");
        OpChecks.FloatingPoint(Op, input);
        ReadOnlySpan<int> shape = input.ShapeSpan;
        if (shape.Length < 2)
        {
            throw new ArgumentException(
                $"{Op}: input must be [N,C], [N,C,L] or [N,C,H,W] (channels on axis 1); got {ShapeText.Format(shape)}.");
        }

        int n = shape[0], c = shape[1];
        int s = ShapeText.Count(shape[2..], Op);
        string why = $"one value per channel of input {ShapeText.Format(shape)}";
        Affine.CheckParameter(Op, input, weight, "weight", [c], why);
        Affine.CheckParameter(Op, input, bias, "bias", [c], why);
        Affine.CheckParameter(Op, input, runningMean, "runningMean", [c], why);
        Affine.CheckParameter(Op, input, runningVar, "runningVar", [c], why);
        if (runningMean is { RequiresGrad: true } || runningVar is { RequiresGrad: true })
        {
            throw new ArgumentException(
                $"{Op}: {(runningMean is { RequiresGrad: true } ? "runningMean" : "runningVar")} requires a gradient; running "
                + "statistics are buffers that are updated, not trained. Pass tensors that do not require one.");
        }

        if (!training && (runningMean is null || runningVar is null))
        {
            throw new ArgumentException(
                $"{Op}: runningMean and runningVar are required in evaluation mode (training: false), which normalises with "
                + "them; pass both, or training: true to normalise with the batch statistics.");
        }

        if (training && (long)n * s == 1)
        {
            throw new ArgumentException(
                $"{Op}: expected more than 1 value per channel when training; got input {ShapeText.Format(shape)}.");
        }

        return (n, c, s);
    }

    /// <summary>running ← (1 − momentum)·running + momentum·statistic, in place with recording off (versions bumped).</summary>
    private static void UpdateRunningStatistics(Tensor? runningMean, Tensor? runningVar, Tensor mean, Tensor? unbiased, double momentum)
    {
        using (Tape.NoGrad())
        {
            if (runningMean is not null)
            {
                runningMean.MulInPlace(1 - momentum).AddInPlace(mean, momentum);
            }

            if (runningVar is not null)
            {
                runningVar.MulInPlace(1 - momentum).AddInPlace(unbiased!, momentum);
            }
        }
    }

    /// <summary>
    /// Mean and rstd per channel (the batch's in training, with the unbiased variance when asked; the running ones in
    /// evaluation), folded with w and b into y = x·scale + shift.
    /// </summary>
    private readonly struct ForwardAction(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, double eps, int n, int c, int s, Tensor y, Tensor mean, Tensor rstd, Tensor? unbiased) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] m = mean.Data<T>(), r = rstd.Data<T>();
            if (training)
            {
                RangeParallel.For(c, x.Count, new BatchNormKernels.StatisticsBody<T>(x.Data<T>(), n, c, s, m, r));
                if ((long)n * s == 0)
                {
                    // No values: statistics 0 (not 0/0), so the weight and bias get zero gradients as PyTorch's.
                    Array.Clear(m);
                    Array.Clear(r);
                }

                if (unbiased is not null)
                {
                    T correction = T.CreateChecked((double)n * s / (((double)n * s) - 1));
                    System.Numerics.Tensors.TensorPrimitives.Multiply(r, correction, unbiased.Data<T>());
                }
            }
            else
            {
                runningMean!.Data<T>().CopyTo(m, 0);
                runningVar!.Data<T>().CopyTo(r, 0);
            }

            // r holds the variance until here.
            T epsilon = T.CreateChecked(eps);
            T[] scale = new T[c], shift = new T[c];
            T[]? w = weight?.Data<T>(), b = bias?.Data<T>();
            for (int ch = 0; ch < c; ch++)
            {
                r[ch] = T.One / T.Sqrt(r[ch] + epsilon);
                scale[ch] = w is null ? r[ch] : w[ch] * r[ch];
                shift[ch] = (b is null ? T.Zero : b[ch]) - (m[ch] * scale[ch]);
            }

            RangeParallel.For(c, x.Count, new BatchNormKernels.TransformBody<T>(x.Data<T>(), n, c, s, scale, shift, y.Data<T>()));
        }
    }

    private readonly struct BackwardAction(Tensor x, Tensor g, Tensor? weight, Tensor mean, Tensor rstd, bool training, int n,
        int c, int s, Tensor? dx, Tensor? dw, Tensor? db) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            RangeParallel.For(c, 2L * x.Count, new BatchNormKernels.BackwardBody<T>(x.Data<T>(), g.Data<T>(), n, c, s,
                mean.Data<T>(), rstd.Data<T>(), weight?.Data<T>(), training, dx?.Data<T>(), dw?.Data<T>(), db?.Data<T>()));
    }

    /// <summary>Inputs: x, then w and b when given. Saves x and w; keeps the per-channel mean and rstd it normalised with.</summary>
    private sealed class BatchNormEntry : TapeEntry
    {
        private readonly int _weightIndex, _biasIndex;   // −1 when absent
        private readonly bool _training;
        private readonly int _n, _c, _s;
        private readonly double _eps;
        private Tensor? _mean, _rstd;

        public BatchNormEntry(Tensor[] inputs, bool hasWeight, bool hasBias, bool training, int n, int c, int s, double eps,
            Tensor mean, Tensor rstd)
            : base(Op, inputs)
        {
            (_weightIndex, _biasIndex) = Affine.Indices(hasWeight, hasBias);
            (_training, _n, _c, _s, _eps, _mean, _rstd) = (training, n, c, s, eps, mean, rstd);
            Save(inputs[0]);
            if (hasWeight)
            {
                Save(inputs[1]);
            }
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor x = Saved(0);
            Tensor? weight = _weightIndex >= 0 ? Saved(1) : null;
            bool needX = context.NeedsInputGrad(0);
            bool needW = _weightIndex >= 0 && context.NeedsInputGrad(_weightIndex);
            bool needB = _biasIndex >= 0 && context.NeedsInputGrad(_biasIndex);
            if (context.CreateGraph)
            {
                GraphBackward(x, weight, gradOutput, needX, needW, needB, inputGrads);
                return;
            }

            int[] channels = [_c];
            Tensor? dx = needX ? Tensor.Empty(x.ShapeArray, x.DType) : null;
            Tensor? dw = needW ? Tensor.Empty(channels, x.DType) : null;
            Tensor? db = needB ? Tensor.Empty(channels, x.DType) : null;
            DTypeDispatch.Float(x.DType, new BackwardAction(x, gradOutput, weight, _mean!, _rstd!, _training, _n, _c, _s, dx, dw, db));
            inputGrads[0] = dx;
            if (needW)
            {
                inputGrads[_weightIndex] = dw;
            }

            if (needB)
            {
                inputGrads[_biasIndex] = db;
            }
        }

        /// <summary>
        /// The same formulas from recorded ops on x viewed as [N,C,S], channel sums as Sum over axes 2 then 0. In training
        /// the mean and rstd are recomputed from x (they are functions of x); in evaluation they are constants.
        /// </summary>
        private void GraphBackward(Tensor x, Tensor? weight, Tensor g, bool needX, bool needW, bool needB, Span<Tensor?> inputGrads)
        {
            double count = (double)_n * _s;
            Tensor xs = x.Reshape(_n, _c, _s);
            Tensor gs = g.Reshape(_n, _c, _s);
            Tensor mean, rstd;
            if (_training)
            {
                mean = ChannelSum(xs) * (1 / count);
                Tensor centred = xs - mean;
                rstd = ((ChannelSum(centred * centred) * (1 / count)) + _eps).Pow(-0.5);
            }
            else
            {
                (mean, rstd) = (_mean!.Reshape(1, _c, 1), _rstd!.Reshape(1, _c, 1));
            }

            Tensor xhat = (xs - mean) * rstd;
            Tensor sumG = ChannelSum(gs);
            Tensor sumGx = ChannelSum(gs * xhat);
            if (needX)
            {
                Tensor scale = weight is null ? rstd : weight.Reshape(1, _c, 1) * rstd;
                Tensor dx = _training
                    ? scale * (gs - (sumG * (1 / count)) - (xhat * (sumGx * (1 / count))))
                    : gs * scale;
                inputGrads[0] = dx.Reshape(x.ShapeArray);
            }

            if (needW)
            {
                inputGrads[_weightIndex] = sumGx.Reshape(_c);
            }

            if (needB)
            {
                inputGrads[_biasIndex] = sumG.Reshape(_c);
            }
        }

        /// <summary>Σ over the batch and spatial axes of [N,C,S], kept as [1,C,1].</summary>
        private static Tensor ChannelSum(Tensor t) => t.Sum(2, keepDim: true).Sum(0, keepDim: true);

        protected override void ReleaseSaved() => (_mean, _rstd) = (null, null);
    }
}
