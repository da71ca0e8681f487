using System.Collections;

namespace Autograd.Data;

/// <summary>
/// Mini-batches of a <see cref="Dataset"/>, PyTorch's <c>DataLoader(dataset, batch_size, shuffle, drop_last)</c>
/// (samples collated by stacking, single process). Each enumeration is one epoch: with <c>shuffle</c>, every epoch
/// visits every sample once in a fresh random order, and the sequence of epochs is the same for the same seed. The
/// last, smaller batch is kept unless <c>dropLast</c>.
/// </summary>
/// <remarks>
/// <para><b>Sharding for data-parallel training.</b> With <c>worldSize</c> &gt; 1 each rank gets its share of every batch:
/// all ranks draw the same epoch order (the seed is required), cut it into global batches of
/// <c>batchSize · worldSize</c> samples, and rank r takes the r-th contiguous part of each. So every sample is seen
/// once per epoch across the ranks, every rank has the same number of batches (collectives stay in step), and the
/// union of the ranks' batches is exactly the batch one process would draw with <c>batchSize · worldSize</c>. A last
/// global batch smaller than that is split as evenly as possible (parts differ by at most one sample); only when it
/// has fewer samples than ranks do the ranks without one take a sample from the start of the epoch order.</para>
/// <para><b>Resuming.</b> An epoch's order is drawn from <see cref="Generator"/> when its enumeration starts, and
/// <see cref="Epoch"/> counts the epochs started. Saving both after an epoch and setting them back on a new loader over
/// the same data makes it yield the same batches as the uninterrupted run from the next epoch on.</para>
/// </remarks>
public sealed class DataLoader : IEnumerable<Batch>
{
    /// <summary>Creates the loader.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (per rank when sharded), ≥ 1.</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new random order (otherwise 0..N−1).</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">Seed of the shuffling; null draws one at random.</param>
    /// <param name="rank">This process's rank, for sharding (see remarks).</param>
    /// <param name="worldSize">The number of ranks sharing each batch; 1 for no sharding.</param>
    /// <exception cref="ArgumentException">Sharding a shuffled loader without a seed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A batch size or world size below 1, or a rank outside [0, worldSize).</exception>
    public DataLoader(Dataset dataset, int batchSize, bool shuffle = true, bool dropLast = false, int? seed = null,
        int rank = 0, int worldSize = 1)
    {
        ArgumentNullException.ThrowIfNull(dataset);
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

        Dataset = dataset;
        BatchSize = batchSize;
        Rank = rank;
        WorldSize = worldSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Generator = new SplitMix64(seed is { } s ? unchecked((ulong)s) : unchecked((ulong)Random.Shared.NextInt64()));
    }

    /// <summary>
    /// Creates a loader of (inputs, labels) batches: a <see cref="TensorDataset"/> of <paramref name="x"/> and the
    /// labels as an Int64 tensor, so each batch's <see cref="Batch.X"/> holds the inputs and <see cref="Batch.Labels"/>
    /// the labels. The inputs are not copied.
    /// </summary>
    /// <param name="x">Inputs, shape [N, ...].</param>
    /// <param name="labels">N labels.</param>
    /// <param name="batchSize">Samples per batch (per rank when sharded), ≥ 1.</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new random order (otherwise 0..N−1).</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">Seed of the shuffling; null draws one at random.</param>
    /// <param name="rank">This process's rank, for sharding (see remarks).</param>
    /// <param name="worldSize">The number of ranks sharing each batch; 1 for no sharding.</param>
    /// <exception cref="ArgumentException">The inputs are a scalar, or the label count differs from N, or sharding has no seed.</exception>
    public DataLoader(Tensor x, int[] labels, int batchSize, bool shuffle = true, bool dropLast = false, int? seed = null,
        int rank = 0, int worldSize = 1)
        : this(LabelledSamples(x, labels), batchSize, shuffle, dropLast, seed, rank, worldSize)
    {
    }

    /// <summary>The samples.</summary>
    public Dataset Dataset { get; }

    /// <summary>Number of samples N (the data set's count).</summary>
    public int Count => Dataset.Count;

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

    /// <summary>The number of epochs started so far (enumerations begun). Settable, with <see cref="Generator"/>'s
    /// state, to resume a run (see remarks).</summary>
    public int Epoch
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>The generator of the epoch orders: its <see cref="SplitMix64.State"/> is the loader's whole random state.
    /// Each shuffled epoch takes N − 1 draws from it when it starts; an unshuffled one takes none.</summary>
    public SplitMix64 Generator { get; }

    /// <summary>Starts a new epoch: draws its order now, then yields its batches lazily.</summary>
    /// <returns>The epoch's batches.</returns>
    public IEnumerator<Batch> GetEnumerator()
    {
        Epoch++;
        var order = NextOrder();
        return Batches(order).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static TensorDataset LabelledSamples(Tensor x, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        if (x.Rank == 0)
        {
            throw new ArgumentException("DataLoader: the inputs need a first (sample) axis; got a scalar.", nameof(x));
        }

        if (x.ShapeSpan[0] != labels.Length)
        {
            throw new ArgumentException(
                $"DataLoader: the inputs have {x.ShapeSpan[0]} samples (shape {ShapeText.Format(x.ShapeSpan)}) but there are {labels.Length} labels.",
                nameof(labels));
        }

        return new TensorDataset(x, Tensor.FromArray(Array.ConvertAll(labels, l => (long)l), labels.Length));
    }

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
                var j = (int)(Generator.NextDouble() * (i + 1));
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

            var indices = Shard(order, start, size);
            yield return new Batch(Dataset.GetBatch(indices), indices);
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
}
