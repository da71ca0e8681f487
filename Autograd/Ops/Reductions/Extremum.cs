using System.Numerics;
using Autograd.Kernels;

namespace Autograd.Ops;

/// <summary>
/// The maximum (or minimum) of all elements, a scalar. VJP as PyTorch's evenly_distribute_backward: the gradient is
/// shared equally among every element equal to the result (among the NaNs when the result is NaN), so tied maxima
/// each get g / count. The tie mask is a constant (its derivative is zero), so the graph path is
/// <c>(g / count) · mask</c>, linear in g.
/// </summary>
internal static class Extremum
{
    public static Tensor All(Tensor x, bool minimum)
    {
        string op = minimum ? "Min" : "Max";
        OpChecks.NotNull(x, op, "x");
        OpChecks.FloatingPoint(op, x);
        if (x.Count == 0)
        {
            throw new ArgumentException(
                $"{op}: {ShapeText.Format(x.ShapeSpan)} has no elements, so it has no {(minimum ? "minimum" : "maximum")}; "
                + $"reduce along a non-empty axis with {op}(axis) instead.");
        }

        Tensor output = Tensor.Empty([], x.DType);
        DTypeDispatch.Float(x.DType, new ExtremumAction(x, output, minimum));
        if (Tape.ShouldRecord(op, output, x))
        {
            output.SetGradFn(new EvenlyDistributedEntry(op, x, output.Item()));
        }

        return output;
    }

    private readonly struct ExtremumAction(Tensor x, Tensor output, bool minimum) : IFloatAction
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Span<int> index = stackalloc int[1];
            if (minimum)
            {
                ReductionKernels.ArgExtremum<T, Least>(x.Span<T>(), 1, x.Count, 1, output.Span<T>(), index);
            }
            else
            {
                ReductionKernels.ArgExtremum<T, Greatest>(x.Span<T>(), 1, x.Count, 1, output.Span<T>(), index);
            }
        }
    }

    /// <summary>
    /// Writes 1 where x equals <paramref name="value"/> (or is NaN, when value is NaN) and 0 elsewhere, and counts those
    /// elements; with a <paramref name="gradient"/>, writes g / count instead of the 1s (as PyTorch: a division, not a
    /// product with 1/count; the graph path divides the same way).
    /// </summary>
    private struct TiesAction(Tensor x, double value, double? gradient, Tensor destination) : IFloatAction
    {
        public int Count;

        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> source = x.Span<T>();
            Span<T> result = destination.Span<T>();
            T target = T.CreateChecked(value);
            bool nan = double.IsNaN(value);
            int count = 0;
            for (int i = 0; i < source.Length; i++)
            {
                bool tied = nan ? T.IsNaN(source[i]) : source[i] == target;
                result[i] = tied ? T.One : T.Zero;
                count += tied ? 1 : 0;
            }

            Count = count;
            if (gradient is { } g)
            {
                T share = T.CreateChecked(g) / T.CreateChecked(count);
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = result[i] == T.One ? share : T.Zero;
                }
            }
        }
    }

    /// <summary>Saves x and the result's value (as a double: exact for float and double).</summary>
    private sealed class EvenlyDistributedEntry : TapeEntry
    {
        private readonly double _value;

        public EvenlyDistributedEntry(string op, Tensor x, double value)
            : base(op, x)
        {
            _value = value;
            Save(x);
        }

        internal override void Backward(in BackwardContext context, Tensor gradOutput, Span<Tensor?> inputGrads)
        {
            Tensor x = Saved(0);
            if (context.CreateGraph)
            {
                // The mask is made without recording: it is a constant (its derivative is zero almost everywhere).
                Tensor mask = Tensor.Empty(x.ShapeArray, x.DType);
                var ties = new TiesAction(x, _value, gradient: null, mask);
                DTypeDispatch.Float(x.DType, ref ties);
                inputGrads[0] = (gradOutput / ties.Count) * mask;
                return;
            }

            Tensor dx = Tensor.Empty(x.ShapeArray, x.DType);
            DTypeDispatch.Float(x.DType, new TiesAction(x, _value, gradOutput.Item(), dx));
            inputGrads[0] = dx;
        }
    }
}
