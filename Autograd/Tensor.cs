using System.Numerics.Tensors;

namespace Autograd;

/// <summary>
/// A dense, contiguous, row-major array of <see cref="float"/> or <see cref="double"/> that records the
/// ops applied to it on a gradient tape, so that <see cref="Backward"/> can compute exact gradients.
/// </summary>
/// <remarks>
/// A tensor is either a <b>leaf</b> (made by the user: <see cref="FromArray(float[], int[])"/>,
/// <see cref="Zeros"/>, ...) or the output of an op. An op whose input requires a gradient records a
/// <see cref="TapeEntry"/> on its output; the entries, linked from output to inputs, are the tape.
/// Nothing global holds them: a graph that is dropped without <see cref="Backward"/> is collected.
/// </remarks>
public sealed partial class Tensor
{
    private readonly int[] _shape;
    private readonly Array _storage;   // float[] or double[], exactly Count long
    private bool _requiresGrad;
    private Tensor? _grad;

    internal Tensor(Array storage, int[] shape)
    {
        _storage = storage;
        _shape = shape;
        DType = storage is float[]? DType.Float32 : DType.Float64;
    }

    /// <summary>The dimensions, outermost first (a copy; <c>[]</c> for a scalar).</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements.</summary>
    public int Count => _storage.Length;

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The op that produced this tensor, or null for a leaf (or a result recorded under no-grad).</summary>
    internal TapeEntry? GradFn { get; private set; }

    /// <summary>True for tensors the user made, false for outputs of recorded ops.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>
    /// Whether gradients flow to (or through) this tensor. Settable on leaves only; an op's output
    /// requires a gradient exactly when one of its inputs does and recording is enabled.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null)
            {
                throw new InvalidOperationException(
                    "RequiresGrad can only be changed on leaf tensors; this tensor is the output of "
                    + $"{GradFn.Name}. Use Detach() to get a leaf that shares its data.");
            }

            _requiresGrad = value;
        }
    }

    /// <summary>The gradient accumulated by <see cref="Backward"/> into this leaf; null until then.</summary>
    public Tensor? Grad => _grad;

    internal ReadOnlySpan<int> ShapeSpan => _shape;

    /// <summary>
    /// The shape array itself, not a copy. Shapes are immutable once a tensor owns them, so ops share one array
    /// between an input and an output of the same shape instead of cloning it; never write to it.
    /// </summary>
    internal int[] ShapeArray => _shape;

    internal Array Storage => _storage;

    /// <summary>The raw row-major storage; <typeparamref name="T"/> must match <see cref="DType"/>.</summary>
    internal Span<T> Span<T>()
        where T : unmanaged => Data<T>();

    /// <summary>The backing array; <typeparamref name="T"/> must match <see cref="DType"/>.</summary>
    internal T[] Data<T>()
        where T : unmanaged
    {
        if (_storage is T[] array)
        {
            return array;
        }

        throw new InvalidOperationException($"The tensor holds {DType}, not {typeof(T).Name}.");
    }

    /// <summary>Makes the output of an op: storage of <paramref name="shape"/> that nothing else references (new, or a
    /// dead gradient buffer from <see cref="BufferPool"/>), uninitialised.</summary>
    internal static Tensor Empty<T>(int[] shape)
        where T : unmanaged
    {
        int count = ShapeText.Count(shape, "Tensor");
        return new Tensor(BufferPool.Rent<T>(count), shape);
    }

    internal static Tensor Empty(int[] shape, DType dtype) =>
        dtype == DType.Float32 ? Empty<float>(shape) : Empty<double>(shape);

    /// <summary>Attaches the op that produced this tensor; called once, right after the forward pass.</summary>
    internal void SetGradFn(TapeEntry entry)
    {
        GradFn = entry;
        _requiresGrad = true;
    }

    /// <summary>
    /// Adds <paramref name="gradient"/> into <see cref="Grad"/>; takes it over when it is exclusively ours.
    /// Returns true when it was taken over (it then belongs to this leaf).
    /// </summary>
    internal bool AccumulateGrad(Tensor gradient, bool exclusive)
    {
        if (_grad is null)
        {
            _grad = exclusive ? gradient : gradient.Clone();
            return exclusive;
        }
        else if (DType == DType.Float32)
        {
            TensorPrimitives.Add(_grad.Span<float>(), gradient.Span<float>(), _grad.Span<float>());
        }
        else
        {
            TensorPrimitives.Add(_grad.Span<double>(), gradient.Span<double>(), _grad.Span<double>());
        }

        return false;
    }

    /// <summary>A copy of the data as a new leaf that does not require a gradient.</summary>
    internal Tensor Clone() => new((Array)_storage.Clone(), (int[])_shape.Clone());

    /// <summary>True when both tensors view the same storage.</summary>
    internal bool SharesStorageWith(Tensor other) => ReferenceEquals(_storage, other._storage);

    /// <summary>Copies the elements out, converting to <typeparamref name="T"/> (float or double).</summary>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        if (_storage is T[] same)
        {
            return (T[])same.Clone();
        }

        if (typeof(T) == typeof(double) && _storage is float[] f)
        {
            return (T[])(object)Array.ConvertAll(f, x => (double)x);
        }

        if (typeof(T) == typeof(float) && _storage is double[] d)
        {
            return (T[])(object)Array.ConvertAll(d, x => (float)x);
        }

        throw new NotSupportedException($"ToArray<{typeof(T).Name}>: only float and double are supported.");
    }

    /// <summary>The value of a single-element tensor, as a double.</summary>
    public double Item()
    {
        if (Count != 1)
        {
            throw new InvalidOperationException(
                $"Item: only a single-element tensor has one value; this one has shape {ShapeText.Format(_shape)}.");
        }

        return _storage is float[] f ? f[0] : ((double[])_storage)[0];
    }

    /// <summary>
    /// A leaf that shares this tensor's data but is cut from the tape: no gradient flows through it.
    /// </summary>
    public Tensor Detach() => new(_storage, _shape);

    /// <summary>Forgets the accumulated gradient (sets <see cref="Grad"/> to null, as PyTorch's set_to_none).</summary>
    public void ZeroGrad() => _grad = null;

    /// <summary>
    /// Back-propagates from this tensor: walks the recorded ops in reverse and accumulates d(this)/d(leaf)
    /// into every leaf's <see cref="Grad"/>.
    /// </summary>
    /// <param name="gradient">d(loss)/d(this); defaults to 1 for a single-element tensor, required otherwise.</param>
    /// <param name="retainGraph">Keep the graph's saved buffers so that Backward can run through it again.</param>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        BackwardPass.Run(this, gradient, retainGraph);

    /// <summary>A short description: shape, dtype and the first values.</summary>
    public override string ToString()
    {
        const int Shown = 8;
        var values = _storage is float[] f
            ? f.Take(Shown).Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))
            : ((double[])_storage).Take(Shown).Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
        string more = Count > Shown ? ", ..." : "";
        string grad = GradFn is not null ? $", grad_fn={GradFn.Name}" : RequiresGrad ? ", requires_grad" : "";
        return $"Tensor({ShapeText.Format(_shape)} {DType}: {string.Join(", ", values)}{more}{grad})";
    }
}
