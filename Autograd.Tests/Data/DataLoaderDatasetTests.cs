using Autograd.Data;

namespace Autograd.Tests.Data;

/// <summary>The DataLoader over any Dataset: float targets, the (x, y) loop, sharding, and resuming at an epoch boundary.</summary>
public class DataLoaderDatasetTests
{
    // Sample i: input (i, −i) and regression target 0.25·i.
    private static TensorDataset Regression(int n) => new(
        Tensor.FromArray(Enumerable.Range(0, n).SelectMany(i => new[] { (double)i, -i }).ToArray(), n, 2),
        Tensor.FromArray(Enumerable.Range(0, n).Select(i => 0.25f * i).ToArray(), n, 1));

    private static List<int[]> Epoch(DataLoader loader) => loader.Select(b => b.Indices).ToList();

    [Test]
    public void FloatTargets_ArriveWithTheirInputs_InTheXYLoop()
    {
        var loader = new DataLoader(Regression(11), batchSize: 4, seed: 3);
        var seen = new List<int>();

        foreach (var batch in loader)
        {
            var (x, y) = batch;
            Assert.That(x.Shape, Is.EqualTo(new[] { batch.Count, 2 }));
            Assert.That(y.Shape, Is.EqualTo(new[] { batch.Count, 1 }));
            Assert.That(y.DType, Is.EqualTo(DType.Float32));
            Assert.That(x.ToArray<double>(), Is.EqualTo(batch.Indices.SelectMany(i => new[] { (double)i, -i })));
            Assert.That(y.ToArray<float>(), Is.EqualTo(batch.Indices.Select(i => 0.25f * i)));
            seen.AddRange(batch.Indices);
        }

        Assert.That(seen.Order(), Is.EqualTo(Enumerable.Range(0, 11)));
        Assert.That(loader.Dataset.Count, Is.EqualTo(11));
    }

    [Test]
    public void TheLabelsConstructor_GivesTheBatchesOfATensorDatasetWithInt64Labels()
    {
        var x = Tensor.Randn([13, 3], seed: 1);
        int[] labels = Enumerable.Range(0, 13).Select(i => i % 4).ToArray();
        var legacy = new DataLoader(x, labels, 5, seed: 8);
        var general = new DataLoader(new TensorDataset(x, Tensor.FromArray(labels.Select(l => (long)l).ToArray(), 13)), 5, seed: 8);

        foreach (var (a, b) in legacy.Zip(general))
        {
            Assert.That(a.Indices, Is.EqualTo(b.Indices));
            Assert.That(a.X.ToArray<float>(), Is.EqualTo(b.X.ToArray<float>()));
            Assert.That(a.Labels, Is.EqualTo(b.Labels));
            Assert.That(a.Labels, Is.EqualTo(a.Indices.Select(i => labels[i])));
        }
    }

    [Test]
    public void EpochOrder_IsFisherYatesOnTheSeededStream()
    {
        var loader = new DataLoader(Regression(9), batchSize: 9, seed: 21);
        var random = new SplitMix64(21);
        var expected = Enumerable.Range(0, 9).ToArray();
        for (int i = expected.Length - 1; i > 0; i--)
        {
            int j = (int)(random.NextDouble() * (i + 1));
            (expected[i], expected[j]) = (expected[j], expected[i]);
        }

        Assert.That(Epoch(loader).Single(), Is.EqualTo(expected));
        Assert.That(loader.Generator.State, Is.EqualTo(random.State), "an epoch of N samples takes N - 1 draws");
    }

    [Test]
    public void Resuming_FromEpochAndGeneratorState_GivesTheSameLaterEpochs()
    {
        var uninterrupted = new DataLoader(Regression(20), batchSize: 6, seed: 4);
        Epoch(uninterrupted);
        Epoch(uninterrupted);
        var (epoch, state) = (uninterrupted.Epoch, uninterrupted.Generator.State);   // what a checkpoint saves
        var third = Epoch(uninterrupted);
        var fourth = Epoch(uninterrupted);

        var resumed = new DataLoader(Regression(20), batchSize: 6, seed: 999) { Epoch = epoch };
        resumed.Generator.State = state;

        Assert.That(Epoch(resumed), Is.EqualTo(third));
        Assert.That(Epoch(resumed), Is.EqualTo(fourth));
        Assert.That(resumed.Epoch, Is.EqualTo(4));
        Assert.That(() => resumed.Epoch = -1, Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Resuming_ShardedLoaders_EveryRankContinuesTheSameGlobalOrder()
    {
        var ranks = Enumerable.Range(0, 3).Select(r => new DataLoader(Regression(25), 3, seed: 6, rank: r, worldSize: 3)).ToArray();
        foreach (var rank in ranks)
        {
            Epoch(rank);
        }

        var saved = ranks.Select(r => (r.Epoch, r.Generator.State)).ToArray();
        var next = ranks.Select(Epoch).ToArray();
        var resumed = Enumerable.Range(0, 3).Select(r => new DataLoader(Regression(25), 3, seed: 6, rank: r, worldSize: 3)
        {
            Epoch = saved[r].Epoch,
        }).ToArray();
        for (int r = 0; r < 3; r++)
        {
            resumed[r].Generator.State = saved[r].State;
        }

        Assert.That(resumed.Select(Epoch), Is.EqualTo(next));
        Assert.That(next.SelectMany(rank => rank.SelectMany(b => b)).Order(), Is.EqualTo(Enumerable.Range(0, 25)));
    }

    [Test]
    public void WithoutShuffle_TheGeneratorIsNotTouched_AndBatchesAreContiguous()
    {
        var loader = new DataLoader(Regression(7), batchSize: 3, shuffle: false, seed: 2);

        var batches = loader.ToList();

        Assert.That(batches.Select(b => b.Indices), Is.EqualTo(new[] { new[] { 0, 1, 2 }, new[] { 3, 4, 5 }, new[] { 6 } }));
        Assert.That(batches[1][1].ToArray<float>(), Is.EqualTo(new[] { 0.75f, 1f, 1.25f }));
        Assert.That(loader.Generator.State, Is.EqualTo(2UL));
    }
}
