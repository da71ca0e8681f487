using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// Layer normalisation, PyTorch's F.layer_norm: each row of D = prod(normalizedShape) trailing values is normalised by
/// its own mean and biased variance, y = (x − mean)·rstd·w + b with rstd = 1/√(var + eps). One fused entry for x, w and
/// b. VJP with x̂ = (x − mean)·rstd and gw = g·w: dx = rstd·(gw − mean(gw) − x̂·mean(gw·x̂)), dw = Σ_rows g·x̂,
/// db = Σ_rows g. Saves x, w and the per-row mean and rstd.
/// </summary>
internal static class LayerNorm
{
    private const string Op = "LayerNorm";

    public static Tensor Forward(Tensor input, int[] normalizedShape, Tensor? weight, Tensor? bias, double eps)
    {
        int d = Validate(input, normalizedShape, weight, bias);
        int rows = d == 0 ? ShapeText.Count(input.ShapeSpan[..^normalizedShape.Length], Op) : input.Count / d;
        Tensor output = Tensor.Empty(input.ShapeArray, input.DType);
        Tensor mean = Tensor.Empty([rows], input.DType);
        Tensor rstd = Tensor.Empty([rows], input.DType);
        DTypeDispatch.Float(input.DType, new ForwardAction(input, weight, bias, rows, d, eps, output, mean, rstd));
        Tensor[] inputs = Affine.Inputs(input, weight, bias);
        if (Tape.ShouldRecord(Op, output, inputs))
        {
            output.SetGradFn(new LayerNormEntry(inputs, weight is not null, bias is not null, normalizedShape, rows, d, eps, mean, rstd));
        }

        return output;
    }

    /// <summary>Checks the shapes and dtypes; returns D.</summary>
    private static int Validate(Tensor input, int[] normalizedShape, Tensor? weight, Tensor? bias)
    {
        OpChecks.NotNull(input, Op, "input");
        ArgumentNullException.ThrowIfNull(normalizedShape);
        OpChecks.FloatingPoint(Op, input);
        if (normalizedShape.Length == 0)
        {
            throw new ArgumentException($"{Op}: normalizedShape must have at least one dimension; got [].", nameof(normalizedShape));
        }

        ReadOnlySpan<int> shape = input.ShapeSpan;
        if (shape.Length < normalizedShape.Length || !shape[^normalizedShape.Length..].SequenceEqual(normalizedShape))
        {
            throw new ArgumentException(
                $"{Op}: input {ShapeText.Format(shape)} does not end with normalizedShape {ShapeText.Format(normalizedShape)}.");
        }

        Affine.CheckParameter(Op, input, weight, "weight", normalizedShape, "normalizedShape");
        Affine.CheckParameter(Op, input, bias, "bias", normalizedShape, "normalizedShape");
        return ShapeText.Count(normalizedShape, Op);
    }

    private readonly struct ForwardAction(Tensor x, Tensor? weight, Tensor? bias, int rows, int d, double eps, Tensor y,
        Tensor mean, Tensor rstd) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            RangeParallel.For(rows, x.Count, new LayerNormKernels.ForwardBody<T>(
                x.Data<T>(), weight?.Data<T>(), bias?.Data<T>(), d, T.CreateChecked(eps), y.Data<T>(), mean.Data<T>(), rstd.Data<T>()));
    }

    private readonly struct BackwardAction(Tensor x, Tensor g, Tensor? weight, Tensor mean, Tensor rstd, int rows, int d,
        Tensor? dx, Tensor? dw, Tensor? db) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            // Each block of rows sums its share of dw and db into its own partial row; the partials are added in order.
            int blocks = LayerNormKernels.Blocks(rows);
            T[]? dwPartial = dw is null ? null : BufferPool.RentScratch<T>(blocks * d);   // each block clears its row
            T[]? dbPartial = db is null ? null : BufferPool.RentScratch<T>(blocks * d);
            RangeParallel.For(blocks, 2L * x.Count, new LayerNormKernels.BackwardBody<T>(x.Data<T>(), g.Data<T>(), weight?.Data<T>(),
                mean.Data<T>(), rstd.Data<T>(), rows, d, blocks, dx?.Data<T>(), dwPartial, dbPartial));
            if (dw is not null)
            {
                LayerNormKernels.SumBlocks<T>(dwPartial, blocks, d, dw.Span<T>());
                BufferPool.Return(dwPartial!);
            }

            if (db is not null)
            {
                LayerNormKernels.SumBlocks<T>(dbPartial, blocks, d, db.Span<T>());
                BufferPool.Return(dbPartial!);
            }
        }
    }

    /// <summary>Inputs: x, then w and b when given. Saves x and w; keeps the per-row mean and rstd it computed.</summary>
    private sealed class LayerNormEntry : TapeEntry
    {
        private readonly int _weightIndex, _biasIndex;   // −1 when absent
        private readonly int[] _normalizedShape;
        private readonly int _rows, _d;
        private readonly double _eps;
        private Tensor? _mean, _rstd;

        public LayerNormEntry(Tensor[] inputs, bool hasWeight, bool hasBias, int[] normalizedShape, int rows, int d, double eps,
            Tensor mean, Tensor rstd)
            : base(Op, inputs)
        {
            (_weightIndex, _biasIndex) = Affine.Indices(hasWeight, hasBias);
            (_normalizedShape, _rows, _d, _eps, _mean, _rstd) = ((int[])normalizedShape.Clone(), rows, d, eps, mean, rstd);
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

            Tensor? dx = needX ? Tensor.Empty(x.ShapeArray, x.DType) : null;
            Tensor? dw = needW ? Tensor.Empty(_normalizedShape, x.DType) : null;
            Tensor? db = needB ? Tensor.Empty(_normalizedShape, x.DType) : null;
            DTypeDispatch.Float(x.DType, new BackwardAction(x, gradOutput, weight, _mean!, _rstd!, _rows, _d, dx, dw, db));
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
        /// The same formulas from recorded ops on x viewed as [rows, D], x̂ recomputed from x (its mean and variance are
        /// functions of x), so the gradients can be differentiated again.
        /// </summary>
        private void GraphBackward(Tensor x, Tensor? weight, Tensor g, bool needX, bool needW, bool needB, Span<Tensor?> inputGrads)
        {
            Tensor rows = x.Reshape(_rows, _d);
            Tensor centred = rows - rows.Mean(1, keepDim: true);
            Tensor rstd = ((centred * centred).Mean(1, keepDim: true) + _eps).Pow(-0.5);
            Tensor xhat = centred * rstd;
            Tensor gRows = g.Reshape(_rows, _d);
            if (needX)
            {
                Tensor gw = weight is null ? gRows : gRows * weight.Reshape(1, _d);
                Tensor dx = rstd * (gw - gw.Mean(1, keepDim: true) - (xhat * (gw * xhat).Mean(1, keepDim: true)));
                inputGrads[0] = dx.Reshape(x.ShapeArray);
            }

            if (needW)
            {
                inputGrads[_weightIndex] = (gRows * xhat).Sum(0).Reshape(_normalizedShape);
            }

            if (needB)
            {
                inputGrads[_biasIndex] = gRows.Sum(0).Reshape(_normalizedShape);
            }
        }

        protected override void ReleaseSaved() => (_mean, _rstd) = (null, null);
    }
}
