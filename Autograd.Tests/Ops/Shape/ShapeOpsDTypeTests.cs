namespace Autograd.Tests.Ops.Shape;

/// <summary>Every shape op on Int64 and Bool tensors (data-only types: indices, labels, masks), against the references.</summary>
public class ShapeOpsDTypeTests
{
    private static readonly int[] _shape = [2, 3, 4];

    // 2⁵³ + i: values a float or double copy would round, so a kernel that converted would show.
    private static long[] Longs(int count) => Enumerable.Range(0, count).Select(i => (1L << 53) + i).ToArray();

    private static bool[] Bools(int count) => Enumerable.Range(0, count).Select(i => i % 3 == 1).ToArray();

    private static IEnumerable<TestCaseData> Data()
    {
        yield return new TestCaseData(Tensor.FromArray(Longs(24), _shape)).SetName("Int64");
        yield return new TestCaseData(Tensor.FromArray(Bools(24), _shape)).SetName("Bool");
    }

    private static T[] Read<T>(Tensor t)
        where T : unmanaged => t.ToArray<T>();

    [TestCaseSource(nameof(Data))]
    public void NarrowPermuteTranspose(Tensor x)
    {
        if (x.DType == DType.Int64)
        {
            Check<long>(x);
        }
        else
        {
            Check<bool>(x);
        }

        static void Check<T>(Tensor x)
            where T : unmanaged
        {
            T[] data = Read<T>(x);
            Tensor narrowed = x.Narrow(2, 1, 2);
            Assert.That(narrowed.DType, Is.EqualTo(x.DType));
            Assert.That(Read<T>(narrowed), Is.EqualTo(ShapeReference.Narrow(data, _shape, 2, 1, 2)));
            Assert.That(Read<T>(x.Narrow(0, 1, 1)), Is.EqualTo(ShapeReference.Narrow(data, _shape, 0, 1, 1)));
            Assert.That(Read<T>(x.Permute(2, 0, 1)), Is.EqualTo(ShapeReference.Permute(data, _shape, [2, 0, 1])));
            Assert.That(Read<T>(x.Permute(1, 0, 2)), Is.EqualTo(ShapeReference.Permute(data, _shape, [1, 0, 2])));
            Assert.That(Read<T>(x.Transpose(-1, -2)), Is.EqualTo(ShapeReference.Permute(data, _shape, [0, 2, 1])));
            Assert.That(narrowed.RequiresGrad, Is.False);
        }
    }

    [TestCaseSource(nameof(Data))]
    public void ViewsAndExpand(Tensor x)
    {
        if (x.DType == DType.Int64)
        {
            Check<long>(x);
        }
        else
        {
            Check<bool>(x);
        }

        static void Check<T>(Tensor x)
            where T : unmanaged
        {
            T[] data = Read<T>(x);
            Assert.That(Read<T>(x.Unsqueeze(1).Squeeze(1)), Is.EqualTo(data));
            Assert.That(x.Flatten(0, 1).Shape, Is.EqualTo(new[] { 6, 4 }));
            Assert.That(Read<T>(x.Flatten()), Is.EqualTo(data));
            Tensor row = x.Narrow(0, 0, 1).Narrow(1, 0, 1);   // [1,1,4]
            int[] target = [3, 2, 5, 4];
            Tensor expanded = row.Expand(3, 2, -1, 4).Expand(target);   // the second is a no-op (a view)
            Assert.That(expanded.DType, Is.EqualTo(x.DType));
            Assert.That(Read<T>(expanded), Is.EqualTo(ShapeReference.Expand(ShapeReference.Expand(Read<T>(row), [1, 1, 4], [3, 2, 1, 4]),
                [3, 2, 1, 4], target)));
        }
    }

    [TestCaseSource(nameof(Data))]
    public void CatStackSplitChunk(Tensor x)
    {
        if (x.DType == DType.Int64)
        {
            Check<long>(x);
        }
        else
        {
            Check<bool>(x);
        }

        static void Check<T>(Tensor x)
            where T : unmanaged
        {
            T[] data = Read<T>(x);
            Tensor[] pieces = x.Split(3, -1);
            Assert.That(pieces.Select(p => p.Shape[2]), Is.EqualTo(new[] { 3, 1 }));
            Assert.That(Read<T>(Tensor.Cat(pieces, -1)), Is.EqualTo(data));
            Tensor[] chunks = x.Chunk(2, 1);
            Assert.That(chunks.Select(p => p.Shape[1]), Is.EqualTo(new[] { 2, 1 }));
            Tensor joined = Tensor.Cat([chunks[1], chunks[0]], 1);
            Assert.That(Read<T>(joined), Is.EqualTo(ShapeReference.Cat(
                [(Read<T>(chunks[1]), chunks[1].Shape), (Read<T>(chunks[0]), chunks[0].Shape)], 1)));
            Tensor stacked = Tensor.Stack([x, x], 1);
            Assert.That(stacked.Shape, Is.EqualTo(new[] { 2, 2, 3, 4 }));
            Assert.That(Read<T>(stacked), Is.EqualTo(Read<T>(Tensor.Cat([x.Unsqueeze(1), x.Unsqueeze(1)], 1))));
        }
    }

    [Test]
    public void InsideDetectAnomaly_DataOnlyTensorsStillMove()
    {
        Tensor labels = Tensor.FromArray(new long[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Tensor mask = Tensor.FromArray(new[] { true, false, true, false, true, false }, 2, 3);
        using (Tape.DetectAnomaly())
        {
            Assert.That(labels.Narrow(1, 1, 2).Permute(1, 0).ToArray<long>(), Is.EqualTo(new long[] { 2, 5, 3, 6 }));
            Assert.That(Tensor.Cat([mask, mask.Expand(2, 3)], 0).Split(2)[1].Flatten().ToArray<bool>(),
                Is.EqualTo(new[] { true, false, true, false, true, false }));
            Assert.That(Tensor.Stack([labels, labels], -1).Unsqueeze(0).Squeeze(0).Shape, Is.EqualTo(new[] { 2, 3, 2 }));
        }
    }

    [Test]
    public void Cat_OfInt64AndBool_Throws()
    {
        Assert.That(() => Tensor.Cat([Tensor.Zeros([2], DType.Int64), Tensor.Zeros([2], DType.Bool)]),
            Throws.ArgumentException.With.Message.Contains("Cat: tensor 0 [2] is Int64 but tensor 1 [2] is Bool"));
    }
}
