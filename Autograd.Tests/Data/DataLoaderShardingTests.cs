using Autograd.Data;

namespace Autograd.Tests.Data;

/// <summary>Per-rank sharding for data-parallel training: every sample once per epoch, the same batch count on every rank.</summary>
public class DataLoaderShardingTests
{
    private static (Tensor X, int[] Labels) Samples(int n) =>
        (Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n, 1), Enumerable.Range(0, n).ToArray());

    private static List<List<int[]>> Epoch(int n, int batch, int worldSize, bool dropLast = false, bool shuffle = true)
    {
        var (x, labels) = Samples(n);
        return Enumerable.Range(0, worldSize)
            .Select(r => new DataLoader(x, labels, batch, shuffle, dropLast, seed: 5, rank: r, worldSize: worldSize)
                .Select(b => b.Indices).ToList())
            .ToList();
    }

    [TestCase(24, 4, 2)]
    [TestCase(28, 4, 3)]
    [TestCase(7, 3, 3)]
    [TestCase(10, 5, 2)]
    public void EverySampleIsSeenOncePerEpoch_AcrossRanks_AndEveryRankHasTheSameNumberOfBatches(int n, int batch, int worldSize)
    {
        var ranks = Epoch(n, batch, worldSize);
        Assert.That(ranks.Select(r => r.Count).Distinct().Count(), Is.EqualTo(1), "batch counts differ between ranks");
        var seen = ranks.SelectMany(r => r.SelectMany(b => b)).ToList();
        Assert.That(seen.Distinct().Count(), Is.EqualTo(n), "a sample was missed");
        Assert.That(seen, Has.Count.EqualTo(n), "a sample was seen twice");
    }

    [Test]
    public void TheRanksBatchesTogether_AreTheBatchOneProcessDrawsWithTheGlobalBatchSize()
    {
        var (x, labels) = Samples(30);
        var single = new DataLoader(x, labels, 12, shuffle: true, seed: 5).Select(b => b.Indices).ToList();
        var ranks = Epoch(30, 4, 3);
        for (int i = 0; i < single.Count; i++)
        {
            Assert.That(ranks.SelectMany(r => r[i]), Is.EqualTo(single[i]), $"global batch {i}");
        }
    }

    [Test]
    public void ALastBatchSmallerThanTheRankCount_GivesNoRankAnEmptyBatch()
    {
        var ranks = Epoch(n: 9, batch: 2, worldSize: 4);   // global batches of 8, then 1 sample for 4 ranks
        Assert.That(ranks.All(r => r.Count == 2 && r.All(b => b.Length > 0)), Is.True);
    }

    [Test]
    public void DropLast_DropsThePartialGlobalBatchOnEveryRank()
    {
        var ranks = Epoch(n: 25, batch: 4, worldSize: 3, dropLast: true);
        Assert.That(ranks.Select(r => r.Count), Is.All.EqualTo(2));
        Assert.That(ranks.SelectMany(r => r.SelectMany(b => b)).Distinct().Count(), Is.EqualTo(24));
    }

    [Test]
    public void Sharding_WithShuffleButNoSeed_OrABadRank_Throws()
    {
        var (x, labels) = Samples(4);
        var ex = Assert.Throws<ArgumentException>(() => new DataLoader(x, labels, 2, shuffle: true, seed: null, rank: 0, worldSize: 2));
        Assert.That(ex!.Message, Does.Contain("needs a seed"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(x, labels, 2, seed: 1, rank: 2, worldSize: 2));
        Assert.That(new DataLoader(x, labels, 2, shuffle: false, rank: 1, worldSize: 2).Count(), Is.EqualTo(1));
    }
}
