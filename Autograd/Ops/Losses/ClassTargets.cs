namespace Autograd.Ops;

/// <summary>
/// The layout and the validated class-index targets of CrossEntropy and NllLoss (PyTorch's conventions): the input
/// is [N,C,d1,...] with the classes on axis 1, or [C] for one sample; the target holds one class index per sample and
/// position, of shape [N,d1,...] (or [] for a [C] input). Positions whose target equals ignoreIndex contribute
/// nothing, and the mean divides by the total weight of the targets that remain.
/// </summary>
internal sealed class ClassTargets
{
    private readonly int[] _inputShape;
    private int[]? _positionShape, _keptShape;
    private bool _borrowedLabels;
    private bool _rentedLabels;   // Labels is a copy from BufferPool, given back by ReturnLabels

    private ClassTargets(int[] inputShape, int outer, int classes, int inner, int classAxis)
    {
        (_inputShape, Outer, Classes, Inner, ClassAxis) = (inputShape, outer, classes, inner, classAxis);
    }

    /// <summary>N (1 for a [C] input).</summary>
    public int Outer { get; }

    /// <summary>C, the number of classes.</summary>
    public int Classes { get; }

    /// <summary>d1·d2·... (1 when there are no trailing dimensions).</summary>
    public int Inner { get; }

    /// <summary>1, or 0 for a [C] input.</summary>
    public int ClassAxis { get; }

    /// <summary>The input's shape without the class axis: the target's shape, and the per-element losses'.</summary>
    public int[] PositionShape => _positionShape ??= ShapeText.Reduced(_inputShape, ClassAxis, keepDim: false);

    /// <summary>The input's shape with the class axis kept as 1 (per-position values broadcast over the classes).</summary>
    public int[] KeptShape => _keptShape ??= ShapeText.Reduced(_inputShape, ClassAxis, keepDim: true);

    /// <summary>Outer·Inner, the number of positions.</summary>
    public int Positions => Outer * Inner;

    /// <summary>Per position (o·Inner + i): its class, or −1 where the target is ignored. Null for probability targets.</summary>
    public int[]? Labels { get; private set; }

    /// <summary>
    /// True for class indices on [N,C] without weights and with none ignored (the training loops' case): the
    /// kernels then take the short path of the original CrossEntropy.
    /// </summary>
    public bool IsPlain { get; private set; }

    /// <summary>The class weights, or null for none (all 1).</summary>
    public double[]? Weight { get; private set; }

    /// <summary>
    /// What the mean divides by: the total weight of the targets that are not ignored (their count without weights,
    /// and the number of positions for probability targets). Zero makes the mean NaN, as PyTorch.
    /// </summary>
    public double Denominator { get; private set; }

    /// <summary>
    /// Checks the input's shape (rank ≥ 1) and the weight (one per class, the input's dtype, no gradient), and
    /// splits the input around its class axis.
    /// </summary>
    public static ClassTargets Layout(string op, Tensor input, string inputName, Tensor? weight)
    {
        OpChecks.FloatingPoint(op, input);
        ReadOnlySpan<int> shape = input.ShapeSpan;
        if (shape.Length == 0)
        {
            throw new ArgumentException(
                $"{op}: {inputName} must be [N,C], [N,C,d1,...] or [C]; got a scalar {ShapeText.Format(shape)}.");
        }

        int classAxis = shape.Length == 1 ? 0 : 1;
        var (outer, classes, inner) = ShapeText.AroundAxis(shape, classAxis);
        var layout = new ClassTargets(input.ShapeArray, outer, classes, inner, classAxis);
        layout.Weight = Weights(op, weight, input, inputName, classes);
        return layout;
    }

    private static double[]? Weights(string op, Tensor? weight, Tensor input, string inputName, int classes)
    {
        if (weight is null)
        {
            return null;
        }

        OpChecks.FloatingPoint(op, weight);
        if (weight.Rank != 1 || weight.Count != classes)
        {
            throw new ArgumentException(
                $"{op}: weight {ShapeText.Format(weight.ShapeSpan)} must have one element per class: [{classes}] for "
                + $"{inputName} {ShapeText.Format(input.ShapeSpan)} ({classes} classes on axis {(input.Rank == 1 ? 0 : 1)}).");
        }

        OpChecks.SameDType(op, input, weight);
        if (weight.RequiresGrad)
        {
            throw new ArgumentException(
                $"{op}: weight requires a gradient, which this loss does not compute (as PyTorch); pass weight.Detach().");
        }

        return weight.ToArray<double>();
    }

    /// <summary>
    /// Reads an Int64 target of <see cref="PositionShape"/>, checking each class index, and sums the weights of the
    /// targets that are not ignored into <see cref="Denominator"/>.
    /// </summary>
    public void ReadLabels(string op, Tensor input, string inputName, Tensor target, int ignoreIndex)
    {
        CheckShape(op, input, inputName, target, "Int64 class indices");
        ReadOnlySpan<long> values = target.Span<long>();
        int[] labels = new int[values.Length];
        double denominator = 0;
        for (int position = 0; position < values.Length; position++)
        {
            long label = values[position];
            if (label == ignoreIndex)
            {
                labels[position] = -1;
                continue;
            }

            if ((ulong)label >= (ulong)Classes)
            {
                throw new ArgumentOutOfRangeException(nameof(target),
                    $"{op}: target{IndexText(position)} = {label} is out of range for {Classes} classes "
                    + $"({inputName} {ShapeText.Format(input.ShapeSpan)}; ignoreIndex is {ignoreIndex}).");
            }

            labels[position] = (int)label;
            denominator += Weight is null ? 1 : Weight[label];
        }

        Labels = labels;
        Denominator = denominator;
        IsPlain = Inner == 1 && Weight is null && Array.IndexOf(labels, -1) < 0;
    }

    /// <summary>
    /// For int labels already checked by the caller (the int[] overload of CrossEntropy): none ignored. The array is
    /// the caller's until <see cref="OwnLabels"/>.
    /// </summary>
    public void UseLabels(int[] labels)
    {
        Labels = labels;
        Denominator = labels.Length;
        IsPlain = Inner == 1 && Weight is null;
        _borrowedLabels = true;
    }

    /// <summary>
    /// Copies labels given by <see cref="UseLabels"/>, before an entry keeps them for the backward pass. The copy comes
    /// from <see cref="BufferPool"/> (a training loop passes the same batch size every step) and goes back through
    /// <see cref="ReturnLabels"/> when the entry is released.
    /// </summary>
    public void OwnLabels()
    {
        if (_borrowedLabels)
        {
            int[] copy = BufferPool.RentScratch<int>(Labels!.Length);
            Labels.CopyTo(copy, 0);
            Labels = copy;
            _borrowedLabels = false;
            _rentedLabels = true;
        }
    }

    /// <summary>Gives the label copy made by <see cref="OwnLabels"/> back to the pool: the one entry that held this layout
    /// was released and nothing else reads it.</summary>
    public void ReturnLabels()
    {
        if (_rentedLabels)
        {
            BufferPool.Return(Labels!);
            Labels = null;
            _rentedLabels = false;
        }
    }

    /// <summary>For probability targets (of the input's shape): the mean is over the positions.</summary>
    public void UseProbabilities(string op, Tensor input, string inputName, Tensor target)
    {
        if (!target.ShapeSpan.SequenceEqual(input.ShapeSpan))
        {
            throw new ArgumentException(
                $"{op}: {inputName} {ShapeText.Format(input.ShapeSpan)} and target {ShapeText.Format(target.ShapeSpan)}: "
                + $"a {target.DType} target holds class probabilities and must have the {inputName}' shape "
                + $"{ShapeText.Format(input.ShapeSpan)} (for class indices use an Int64 target of shape "
                + $"{ShapeText.Format(PositionShape)}).");
        }

        OpChecks.SameDType(op, input, target);
        Denominator = Positions;
    }

    /// <summary>The error for a target that is neither of the expected dtype nor of the expected shape.</summary>
    private void CheckShape(string op, Tensor input, string inputName, Tensor target, string expected)
    {
        if (!target.ShapeSpan.SequenceEqual(PositionShape))
        {
            throw new ArgumentException(
                $"{op}: {inputName} {ShapeText.Format(input.ShapeSpan)} and target {ShapeText.Format(target.ShapeSpan)} "
                + $"do not match: {expected} must have shape {ShapeText.Format(PositionShape)} (the {inputName}' shape "
                + "without the class axis).");
        }
    }

    /// <summary>"[3]", "[1,2]" (the multi-index of a flat position in the target), or "" for a scalar target.</summary>
    private string IndexText(int position)
    {
        if (PositionShape.Length == 0)
        {
            return "";
        }

        int[] index = new int[PositionShape.Length];
        for (int axis = PositionShape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = position % PositionShape[axis];
            position /= PositionShape[axis];
        }

        return "[" + string.Join(",", index) + "]";
    }

    /// <summary>
    /// Per position, the factor the mean and the ignored targets put on its loss's gradient: 0 where ignored,
    /// else 1/<see cref="Denominator"/> for the mean and 1 otherwise.
    /// </summary>
    public double PositionFactor(int position, Reduction reduction) =>
        Labels is { } labels && labels[position] < 0 ? 0 : reduction == Reduction.Mean ? 1 / Denominator : 1;

    /// <summary>The weight of class <paramref name="k"/> (1 without weights).</summary>
    public double WeightOf(int k) => Weight is null ? 1 : Weight[k];

    /// <summary>Σ_k weight_k (C without weights).</summary>
    public double TotalWeight()
    {
        if (Weight is null)
        {
            return Classes;
        }

        double total = 0;
        foreach (double w in Weight)
        {
            total += w;
        }

        return total;
    }

    /// <summary>The weights as a constant tensor shaped to broadcast along the class axis ([C] or [1,C,1,...]).</summary>
    public Tensor WeightTensor(DType dtype)
    {
        int[] shape = new int[KeptShape.Length];
        Array.Fill(shape, 1);
        shape[ClassAxis] = Classes;
        return Tensor.FromValues((double[])Weight!.Clone(), shape, dtype);
    }

    /// <summary>A message for a target of a dtype the op does not take.</summary>
    public static ArgumentException WrongTargetDType(string op, Tensor target, string expected) =>
        new($"{op}: target {ShapeText.Format(target.ShapeSpan)} is {target.DType}; expected {expected}.");
}
