using System.Collections;

namespace Autograd.Data;

/// <summary>One mini-batch: the inputs, their labels, and which samples of the data set they are.</summary>
/// <param name="X">Inputs, shape [B, ...] where B ≤ the batch size; no gradient.</param>
/// <param name="Labels">The B labels, in the same order as the rows of <paramref name="X"/>.</param>
/// <param name="Indices">The B sample indices into the data set.</param>
public sealed record Batch(Tensor X, int[] Labels, int[] Indices);

/// <summary>
/// Mini-batches of (inputs, labels), PyTorch's <c>DataLoader(TensorDataset(x, y), batch_size,
/// shuffle, drop_last)</c> for data held in memory. Each enumeration is one epoch: with
/// <c>shuffle</c>, every epoch visits every sample once in a fresh random order, and the sequence
/// of epochs is the same for the same seed. The last, smaller batch is kept unless
/// <c>dropLast</c>.
/// </summary>
/// <remarks>
/// <b>Sharding for data-parallel training.</b> With <c>worldSize</c> &gt; 1 each rank gets its share of every batch:
/// all ranks draw the same epoch order (the seed is required), cut it into global batches of
/// <c>batchSize · worldSize</c> samples, and rank r takes the r-th contiguous part of each. So every sample is seen
/// once per epoch across the ranks, every rank has the same number of batches (collectives stay in step), and the
/// union of the ranks' batches is exactly the batch one process would draw with <c>batchSize · worldSize</c>. A last
/// global batch smaller than that is split as evenly as possible (parts differ by at most one sample); only when it
/// has fewer samples than ranks do the ranks without one take a sample from the start of the epoch order.
/// </remarks>
public sealed class DataLoader : IEnumerable<Batch>
{
    private readonly Tensor _x;   // a private copy of the samples (any dtype: batches are gathered with Array.Copy)
    private readonly int[] _labels;
    private readonly int[] _sampleShape;
    private readonly int _sampleSize;
    private readonly SplitMix64 _random;

    /// <summary>Creates the loader; the inputs are copied once.</summary>
    /// <param name="x">Inputs, shape [N, ...].</param>
    /// <param name="labels">N labels.</param>
    /// <param name="batchSize">Samples per batch, ≥ 1.</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new random order (otherwise 0..N−1).</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">Seed of the shuffling; null draws one at random.</param>
    /// <param name="rank">This process's rank, for sharding (see remarks).</param>
    /// <param name="worldSize">The number of ranks sharing each batch; 1 for no sharding.</param>
    /// <exception cref="ArgumentException">The inputs are a scalar, or the label count differs from N, or sharding has no seed.</exception>
    public DataLoader(Tensor x, int[] labels, int batchSize, bool shuffle = true, bool dropLast = false, int? seed = null,
        int rank = 0, int worldSize = 1)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(worldSize);
        if ((uint)rank >= (uint)worldSize)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"DataLoader: rank must be in [0, {worldSize}).");
        }

        if (worldSize > 1 && shuffle && seed is null)
        {
            throw new ArgumentException(
                $"DataLoader: sharding over {worldSize} ranks needs a seed, so that every rank draws the same order.", nameof(seed));
        }

        var shape = x.Shape;
        if (shape.Length == 0)
        {
            throw new ArgumentException("The inputs need a first (sample) axis; got a scalar.", nameof(x));
        }

        if (shape[0] != labels.Length)
        {
            throw new ArgumentException(
                $"The inputs have {shape[0]} samples (shape [{string.Join(", ", shape)}]) but there are {labels.Length} labels.",
                nameof(labels));
        }

        Count = shape[0];
        BatchSize = batchSize;
        Rank = rank;
        WorldSize = worldSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        _sampleShape = shape[1..];
        _sampleSize = Count == 0 ? 0 : x.Count / Count;
        _labels = (int[])labels.Clone();
        _x = x.CloneData();

        _random = new SplitMix64(seed is { } s ? unchecked((ulong)s) : unchecked((ulong)Random.Shared.NextInt64()));
    }

    /// <summary>Number of samples N.</summary>
    public int Count { get; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether the last smaller batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>This process's rank among <see cref="WorldSize"/> (0 without sharding).</summary>
    public int Rank { get; }

    /// <summary>The number of ranks sharing each batch (1 without sharding).</summary>
    public int WorldSize { get; }

    /// <summary>Batches per epoch, PyTorch's <c>len(loader)</c>; the same on every rank.</summary>
    public int BatchCount
    {
        get
        {
            long global = (long)BatchSize * WorldSize;
            return (int)(DropLast ? Count / global : (Count + global - 1) / global);
        }
    }

    /// <summary>Number of epochs started so far (enumerations begun).</summary>
    public int Epoch { get; private set; }

    /// <summary>Starts a new epoch: draws its order now, then yields its batches lazily.</summary>
    /// <returns>The epoch's batches.</returns>
    public IEnumerator<Batch> GetEnumerator()
    {
        Epoch++;
        var order = NextOrder();
        return Batches(order).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int[] NextOrder()
    {
        var order = new int[Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (Shuffle)
        {
            // Fisher–Yates, drawing j uniformly from [0, i].
            for (var i = order.Length - 1; i > 0; i--)
            {
                var j = (int)(_random.NextDouble() * (i + 1));
                (order[i], order[j]) = (order[j], order[i]);
            }
        }

        return order;
    }

    private IEnumerable<Batch> Batches(int[] order)
    {
        int global = BatchSize * WorldSize;
        for (var start = 0; start < order.Length; start += global)
        {
            var size = Math.Min(global, order.Length - start);
            if (size < global && DropLast)
            {
                yield break;
            }

            yield return Gather(Shard(order, start, size));
        }
    }

    /// <summary>This rank's contiguous part of the global batch order[start .. start + size).</summary>
    private int[] Shard(int[] order, int start, int size)
    {
        if (WorldSize == 1)
        {
            return order.AsSpan(start, size).ToArray();
        }

        if (size < WorldSize)
        {
            // Fewer samples than ranks: ranks past the end take one from the start of the order (never an empty batch).
            return [Rank < size ? order[start + Rank] : order[(Rank - size) % order.Length]];
        }

        int part = size / WorldSize, extra = size % WorldSize;
        int offset = (Rank * part) + Math.Min(Rank, extra);
        return order.AsSpan(start + offset, part + (Rank < extra ? 1 : 0)).ToArray();
    }

    private Batch Gather(int[] indices)
    {
        var shape = new int[_sampleShape.Length + 1];
        shape[0] = indices.Length;
        _sampleShape.CopyTo(shape, 1);
        var labels = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            labels[i] = _labels[indices[i]];
        }

        var x = Tensor.Empty(shape, _x.DType);
        for (var i = 0; i < indices.Length; i++)
        {
            Array.Copy(_x.Storage, indices[i] * _sampleSize, x.Storage, i * _sampleSize, _sampleSize);
        }

        return new Batch(x, labels, indices);
    }
}
