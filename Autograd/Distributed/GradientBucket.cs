using System.Numerics.Tensors;

namespace Autograd.Distributed;

/// <summary>
/// Parameters of one dtype whose gradients travel in one all-reduce: a pinned flat buffer (the Pinned Object Heap, so
/// its address is stable while MPI works on it), each parameter's offset in it, and how many have arrived this pass.
/// </summary>
internal sealed class GradientBucket
{
    private readonly Array _buffer;
    private readonly Dictionary<Tensor, int> _offsets = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Tensor> _arrived = new(ReferenceEqualityComparer.Instance);
    private nint _request;

    public GradientBucket(IReadOnlyList<Tensor> parameters, DType dtype)
    {
        Parameters = parameters;
        DType = dtype;
        int count = 0;
        foreach (Tensor p in parameters)
        {
            _offsets[p] = count;
            count += p.Count;
        }

        Count = count;
        _buffer = dtype == DType.Float32 ? GC.AllocateArray<float>(count, pinned: true) : GC.AllocateArray<double>(count, pinned: true);
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    public DType DType { get; }

    /// <summary>Elements in the bucket.</summary>
    public int Count { get; }

    public bool IsFull => _arrived.Count == Parameters.Count;

    public bool IsStarted => _request != 0;

    public bool Holds(Tensor parameter) => _offsets.ContainsKey(parameter);

    /// <summary>
    /// Puts a parameter's whole local gradient in its slice: this pass's <paramref name="gradient"/> plus what Grad held
    /// before it (<paramref name="earlier"/>), as PyTorch reduces the accumulated Grad.
    /// </summary>
    public void Add(Tensor parameter, Tensor gradient, Tensor? earlier)
    {
        int offset = _offsets[parameter];
        if (DType == DType.Float32)
        {
            Span<float> slice = ((float[])_buffer).AsSpan(offset, parameter.Count);
            gradient.Span<float>().CopyTo(slice);
            if (earlier is not null)
            {
                TensorPrimitives.Add(slice, earlier.Span<float>(), slice);
            }
        }
        else
        {
            Span<double> slice = ((double[])_buffer).AsSpan(offset, parameter.Count);
            gradient.Span<double>().CopyTo(slice);
            if (earlier is not null)
            {
                TensorPrimitives.Add(slice, earlier.Span<double>(), slice);
            }
        }

        _arrived.Add(parameter);
    }

    /// <summary>
    /// For the parameters that got no gradient this pass, what Grad holds (or zeros), so that every rank reduces the
    /// same bucket.
    /// </summary>
    public void FillMissing()
    {
        foreach (Tensor p in Parameters)
        {
            if (!_arrived.Contains(p))
            {
                if (p.Grad is { } grad)
                {
                    Add(p, grad, earlier: null);
                }
                else
                {
                    Array.Clear(_buffer, _offsets[p], p.Count);
                    _arrived.Add(p);
                }
            }
        }
    }

    /// <summary>Starts the in-place sum over ranks.</summary>
    public unsafe void Start(ProcessGroup group)
    {
        void* address = DType == DType.Float32
            ? System.Runtime.CompilerServices.Unsafe.AsPointer(ref ((float[])_buffer)[0])
            : System.Runtime.CompilerServices.Unsafe.AsPointer(ref ((double[])_buffer)[0]);
        _request = group.StartAllReduce((nint)address, Count, DType);
    }

    /// <summary>Waits for the sum, then gives each parameter the mean over ranks as its Grad.</summary>
    public void Finish(ProcessGroup group)
    {
        group.Wait(ref _request, "AllReduce (DistributedDataParallel)");
        _request = 0;
        _arrived.Clear();
        double scale = 1.0 / group.Size;
        foreach (Tensor p in Parameters)
        {
            int offset = _offsets[p];
            Tensor mean = Tensor.Empty(p.ShapeArray, p.DType);
            if (DType == DType.Float32)
            {
                TensorPrimitives.Multiply(((float[])_buffer).AsSpan(offset, p.Count), (float)scale, mean.Span<float>());
            }
            else
            {
                TensorPrimitives.Multiply(((double[])_buffer).AsSpan(offset, p.Count), scale, mean.Span<double>());
            }

            p.ReplaceGrad(mean);
        }
    }
}
