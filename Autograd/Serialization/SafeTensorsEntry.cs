namespace Autograd;

/// <summary>One tensor as a safetensors header describes it, without its data (see <see cref="SafeTensors.ReadHeader"/>).</summary>
public sealed class SafeTensorsEntry
{
    internal SafeTensorsEntry(string name, string storedType, long[] shape, long count, long begin, long end)
    {
        Name = name;
        StoredType = storedType;
        Shape = Array.AsReadOnly(shape);
        Count = count;
        Begin = begin;
        End = end;
    }

    /// <summary>The tensor's name, e.g. <c>"0.weight"</c>.</summary>
    public string Name { get; }

    /// <summary>The element type as the file names it: <c>"F32"</c>, <c>"F16"</c>, <c>"BF16"</c>, <c>"I64"</c>, <c>"U8"</c>, ...</summary>
    public string StoredType { get; }

    /// <summary>The dimensions, outermost first (empty for a scalar). Long: a header may describe tensors larger than
    /// a <see cref="Tensor"/> can hold.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The number of elements, the product of <see cref="Shape"/>.</summary>
    public long Count { get; }

    /// <summary>The offset of the tensor's first byte in the data section (which starts at <see cref="SafeTensorsHeader.DataOffset"/>).</summary>
    public long Begin { get; }

    /// <summary>The offset one past the tensor's last byte in the data section.</summary>
    public long End { get; }

    /// <summary>The dtype <see cref="SafeTensors.Load(string)"/> gives this tensor (Float32 for F16 and BF16, which it widens
    /// exactly), or null when it cannot load the stored type.</summary>
    public DType? LoadsAs => SafeTensorsFormat.LoadsAs(StoredType);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {StoredType} [{string.Join(", ", Shape)}] bytes [{Begin}, {End})";
}
