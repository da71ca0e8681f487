using Autograd.Data;

namespace Autograd.Tests.Data;

public class DataLoaderTests
{
    // Sample i has features (i, 100 + i) and label 1000 + i, so every batch can be checked row by row.
    private static (Tensor X, int[] Labels) Samples(int n, DType dtype = DType.Float32)
    {
        var values = new double[n * 2];
        for (var i = 0; i < n; i++)
        {
            values[2 * i] = i;
            values[(2 * i) + 1] = 100 + i;
        }

        var x = dtype == DType.Float64
            ? Tensor.FromArray(values, n, 2)
            : Tensor.FromArray(values.Select(v => (float)v).ToArray(), n, 2);
        return (x, Enumerable.Range(1000, n).ToArray());
    }

    private static int[] EpochOrder(DataLoader loader) => loader.SelectMany(b => b.Indices).ToArray();

    [Test]
    public void EachEpoch_VisitsEverySampleExactlyOnce()
    {
        var (x, labels) = Samples(23);
        var loader = new DataLoader(x, labels, batchSize: 5, seed: 1);

        for (var epoch = 0; epoch < 3; epoch++)
        {
            Assert.That(EpochOrder(loader).Order(), Is.EqualTo(Enumerable.Range(0, 23)));
        }

        Assert.That(loader.Epoch, Is.EqualTo(3));
    }

    [Test]
    public void Batches_KeepRowsAndLabelsTogether()
    {
        var (x, labels) = Samples(17, DType.Float64);
        var loader = new DataLoader(x, labels, batchSize: 4, seed: 2);

        foreach (var batch in loader)
        {
            var rows = batch.X.ToArray<double>();
            Assert.That(batch.X.Shape, Is.EqualTo(new[] { batch.Indices.Length, 2 }));
            Assert.That(batch.X.DType, Is.EqualTo(DType.Float64));
            Assert.That(batch.X.RequiresGrad, Is.False);
            for (var r = 0; r < batch.Indices.Length; r++)
            {
                var i = batch.Indices[r];
                Assert.That(rows[2 * r], Is.EqualTo(i));
                Assert.That(rows[(2 * r) + 1], Is.EqualTo(100 + i));
                Assert.That(batch.Labels[r], Is.EqualTo(1000 + i));
            }
        }
    }

    [Test]
    public void LastPartialBatch_IsKeptByDefault_AndDroppedWithDropLast()
    {
        var (x, labels) = Samples(10);

        var kept = new DataLoader(x, labels, batchSize: 4, seed: 3).Select(b => b.Labels.Length).ToArray();
        var dropLast = new DataLoader(x, labels, batchSize: 4, dropLast: true, seed: 3);
        var dropped = dropLast.Select(b => b.Labels.Length).ToArray();

        Assert.That(kept, Is.EqualTo(new[] { 4, 4, 2 }));
        Assert.That(dropped, Is.EqualTo(new[] { 4, 4 }));
        Assert.That(new DataLoader(x, labels, 4).BatchCount, Is.EqualTo(3));
        Assert.That(dropLast.BatchCount, Is.EqualTo(2));
    }

    [Test]
    public void SameSeed_GivesTheSameSequenceOfEpochs()
    {
        var (x, labels) = Samples(50);
        var a = new DataLoader(x, labels, batchSize: 8, seed: 42);
        var b = new DataLoader(x, labels, batchSize: 8, seed: 42);
        var c = new DataLoader(x, labels, batchSize: 8, seed: 43);

        var first = EpochOrder(a);
        var second = EpochOrder(a);

        Assert.That(EpochOrder(b), Is.EqualTo(first));
        Assert.That(EpochOrder(b), Is.EqualTo(second));
        Assert.That(EpochOrder(c), Is.Not.EqualTo(first));
    }

    [Test]
    public void EveryEpoch_IsReshuffled()
    {
        var (x, labels) = Samples(50);
        var loader = new DataLoader(x, labels, batchSize: 8, seed: 7);

        var epochs = Enumerable.Range(0, 4).Select(_ => string.Join(",", EpochOrder(loader))).ToArray();

        Assert.That(epochs, Is.Unique);
        Assert.That(epochs[0], Is.Not.EqualTo(string.Join(",", Enumerable.Range(0, 50))));
    }

    [Test]
    public void WithoutShuffle_BatchesFollowTheDataOrder()
    {
        var (x, labels) = Samples(7);
        var loader = new DataLoader(x, labels, batchSize: 3, shuffle: false);

        Assert.That(loader.Select(b => b.Labels), Is.EqualTo(new[]
        {
            new[] { 1000, 1001, 1002 }, new[] { 1003, 1004, 1005 }, new[] { 1006 },
        }));
    }

    [Test]
    public void RankThreeInputs_KeepTheirTrailingShape()
    {
        var x = Tensor.Randn([6, 2, 3], seed: 1);
        var loader = new DataLoader(x, new int[6], batchSize: 4, seed: 1);

        Assert.That(loader.Select(b => b.X.Shape), Is.EqualTo(new[] { new[] { 4, 2, 3 }, new[] { 2, 2, 3 } }));
    }

    [Test]
    public void Constructor_RejectsMismatchedLabels_AndBadBatchSize()
    {
        var (x, labels) = Samples(5);

        Assert.That(() => new DataLoader(x, labels[..4], 2), Throws.ArgumentException.With.Message.Contains("5 samples").And.Message.Contains("4 labels"));
        Assert.That(() => new DataLoader(x, labels, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new DataLoader(Tensor.Scalar(1), [], 1), Throws.ArgumentException);
    }
}
