using Autograd.Data;

namespace Autograd.Tests.Data;

/// <summary>Dataset, TensorDataset and the collation of their samples into batches.</summary>
public class DatasetTests
{
    // Sample i: features (i, 100 + i), a float target (0.5·i, −i, 1) and an Int64 label 1000 + i.
    private static TensorDataset Samples(int n) => new(
        Tensor.FromArray(Enumerable.Range(0, n).SelectMany(i => new[] { (float)i, 100f + i }).ToArray(), n, 2),
        Tensor.FromArray(Enumerable.Range(0, n).SelectMany(i => new[] { 0.5 * i, -i, 1.0 }).ToArray(), n, 3),
        Tensor.FromArray(Enumerable.Range(0, n).Select(i => 1000L + i).ToArray(), n));

    /// <summary>Samples computed on the fly: sample i is a [2,2] Float64 of i and a Bool scalar (i even).</summary>
    private sealed class Computed(int count, Func<int, Tensor[]>? sample = null) : Dataset
    {
        public override int Count => count;

        public override Tensor[] this[int index] => sample?.Invoke(index)
            ?? [Tensor.FromArray(new double[] { index, index, index, index }, 2, 2), Tensor.FromArray(new[] { index % 2 == 0 })];
    }

    [Test]
    public void TensorDataset_SampleIsRowIOfEveryTensor_WithoutTheFirstAxis()
    {
        var dataset = Samples(5);

        var sample = dataset[3];

        Assert.That(dataset.Count, Is.EqualTo(5));
        Assert.That(sample.Select(t => t.Shape), Is.EqualTo(new[] { new[] { 2 }, new[] { 3 }, Array.Empty<int>() }));
        Assert.That(sample[0].ToArray<float>(), Is.EqualTo(new[] { 3f, 103f }));
        Assert.That(sample[1].ToArray<double>(), Is.EqualTo(new[] { 1.5, -3, 1 }));
        Assert.That(sample[2].ToArray<long>(), Is.EqualTo(new[] { 1003L }));
    }

    [Test]
    public void TensorDataset_GetBatch_GathersRowsInIndexOrder_RunsAndRepeatsIncluded()
    {
        var dataset = Samples(10);
        int[] indices = [7, 2, 3, 4, 2, 9];

        var batch = dataset.GetBatch(indices);

        Assert.That(batch.Select(t => t.Shape), Is.EqualTo(new[] { new[] { 6, 2 }, new[] { 6, 3 }, new[] { 6 } }));
        Assert.That(batch.Select(t => t.DType), Is.EqualTo(new[] { DType.Float32, DType.Float64, DType.Int64 }));
        Assert.That(batch[0].ToArray<float>(), Is.EqualTo(indices.SelectMany(i => new[] { (float)i, 100f + i })));
        Assert.That(batch[1].ToArray<double>(), Is.EqualTo(indices.SelectMany(i => new[] { 0.5 * i, -i, 1.0 })));
        Assert.That(batch[2].ToArray<long>(), Is.EqualTo(indices.Select(i => 1000L + i)));
        Assert.That(batch.All(t => !t.RequiresGrad), Is.True);
    }

    [Test]
    public void TensorDataset_DoesNotCopyItsTensors()
    {
        var x = Tensor.Zeros([4, 2]);
        var dataset = new TensorDataset(x);

        using (Tape.NoGrad())
        {
            x.Fill(7);
        }

        Assert.That(dataset.GetBatch([1])[0].ToArray<float>(), Is.EqualTo(new[] { 7f, 7f }));
        Assert.That(dataset.Tensors[0], Is.SameAs(x));
    }

    [Test]
    public void TensorDataset_RejectsNoTensors_Scalars_AndFirstAxesThatDiffer()
    {
        Assert.That(() => new TensorDataset(), Throws.ArgumentException.With.Message.Contains("at least one"));
        Assert.That(() => new TensorDataset(Tensor.Scalar(1)), Throws.ArgumentException.With.Message.Contains("scalar"));
        Assert.That(() => new TensorDataset(Tensor.Zeros([5, 2]), Tensor.Zeros([4])),
            Throws.ArgumentException.With.Message.Contains("tensor 1 [4] has 4 samples but tensor 0 [5,2] has 5"));
    }

    [Test]
    public void TensorDataset_GetBatch_RejectsAnIndexOutOfRange_AndNoIndices()
    {
        var dataset = Samples(3);

        Assert.That(() => dataset.GetBatch([0, 3]), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("[0, 3)"));
        Assert.That(() => dataset.GetBatch([-1]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => dataset.GetBatch([]), Throws.ArgumentException.With.Message.Contains("no indices"));
    }

    [Test]
    public void Dataset_DefaultGetBatch_StacksTheSamplesAlongANewFirstAxis()
    {
        var dataset = new Computed(6);

        var batch = dataset.GetBatch([4, 1, 1]);

        Assert.That(batch[0].Shape, Is.EqualTo(new[] { 3, 2, 2 }));
        Assert.That(batch[0].ToArray<double>(), Is.EqualTo(new double[] { 4, 4, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1 }));
        Assert.That(batch[1].Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(batch[1].ToArray<bool>(), Is.EqualTo(new[] { true, false, false }));
    }

    [Test]
    public void Dataset_DefaultGetBatch_SamplesThatDoNotStack_ThrowNamingFieldAndSamples()
    {
        var shapes = new Computed(4, i => [Tensor.Zeros([i == 2 ? 3 : 2])]);
        var dtypes = new Computed(4, i => [Tensor.Zeros([2], i == 3 ? DType.Float64 : DType.Float32)]);
        var fields = new Computed(4, i => i == 1 ? [Tensor.Zeros([2]), Tensor.Zeros([2])] : [Tensor.Zeros([2])]);

        Assert.That(() => shapes.GetBatch([0, 2]), Throws.ArgumentException.With.Message.Contains("field 0 of sample 2 is Float32 [3]"));
        Assert.That(() => dtypes.GetBatch([0, 3]), Throws.ArgumentException.With.Message.Contains("Float64 [2], of sample 0 Float32 [2]"));
        Assert.That(() => fields.GetBatch([0, 1]), Throws.ArgumentException.With.Message.Contains("sample 1 has 2 fields"));
        Assert.That(() => shapes.GetBatch([4]), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Batch_DeconstructsIntoItsFields_AndRefusesAnotherCount()
    {
        var batch = new Batch(Samples(3).GetBatch([0, 2]), [0, 2]);

        var (x, y, labels) = batch;

        Assert.That(x, Is.SameAs(batch.X));
        Assert.That(y, Is.SameAs(batch[1]));
        Assert.That(labels.ToArray<long>(), Is.EqualTo(new[] { 1000L, 1002L }));
        Assert.That(batch.Count, Is.EqualTo(2));
        Assert.That(() => { var (_, _) = batch; }, Throws.InvalidOperationException.With.Message.Contains("has 3 fields"));
    }

    [Test]
    public void Batch_Labels_NeedsAOneDimensionalInt64SecondField()
    {
        var twoFields = new Batch([Tensor.Zeros([2, 1]), Tensor.FromArray(new long[] { 4, 5 }, 2)], [0, 1]);
        var floatTargets = new Batch([Tensor.Zeros([2, 1]), Tensor.Zeros([2])], [0, 1]);

        Assert.That(twoFields.Labels, Is.EqualTo(new[] { 4, 5 }));
        Assert.That(() => floatTargets.Labels, Throws.InvalidOperationException.With.Message.Contains("Float32 [2]"));
        Assert.That(() => new Batch([Tensor.Zeros([3])], [0, 1]), Throws.ArgumentException.With.Message.Contains("first axis of 2"));
    }
}
