using System.Buffers.Binary;
using System.Text;
using Autograd.Tests.NN;

namespace Autograd.Tests.Serialization;

/// <summary><see cref="SafeTensors.ReadHeader"/>: names, stored types, shapes, offsets and metadata without the data.</summary>
public class SafeTensorsHeaderTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"autograd-header-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(string header, int dataLength)
    {
        var path = Path.Combine(_directory, "file.safetensors");
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Test]
    public void ReadHeader_TorchFixture_ListsEveryTensorInNameOrder_WithTypesShapesOffsetsAndMetadata()
    {
        var header = SafeTensors.ReadHeader(TestFixtures.PathOf("halfs.safetensors"));

        Assert.That(header.Tensors.Keys, Is.EqualTo(new[] { "bf16", "bf16_matrix", "bool", "f16", "f16_matrix", "f32", "i64" }));
        var matrix = header.Tensors["f16_matrix"];
        Assert.That((matrix.Name, matrix.StoredType, matrix.Count, matrix.End - matrix.Begin), Is.EqualTo(("f16_matrix", "F16", 105L, 210L)));
        Assert.That(matrix.Shape, Is.EqualTo(new long[] { 3, 5, 7 }));
        Assert.That(matrix.LoadsAs, Is.EqualTo(DType.Float32));
        Assert.That(header.Tensors.Values.Select(e => e.StoredType), Is.EqualTo(new[] { "BF16", "BF16", "BOOL", "F16", "F16", "F32", "I64" }));
        Assert.That(header.Tensors.Values.Select(e => e.LoadsAs),
            Is.EqualTo(new DType?[] { DType.Float32, DType.Float32, DType.Bool, DType.Float32, DType.Float32, DType.Float32, DType.Int64 }));
        Assert.That(header.Metadata["producer"], Is.EqualTo("make_serialization_fixtures.py"));
        Assert.That(header.DataOffset + header.DataLength, Is.EqualTo(new FileInfo(TestFixtures.PathOf("halfs.safetensors")).Length));
        Assert.That(header.Tensors["i64"].End, Is.EqualTo(header.DataLength));
    }

    [Test]
    public void ReadHeader_ListsTypesThatDoNotLoad_AndLoadNamesThem()
    {
        var path = WriteFile(
            """{"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F4","shape":[2,3],"data_offsets":[8,11]},"c":{"dtype":"U8","shape":[1],"data_offsets":[11,12]}}""",
            12);

        var header = SafeTensors.ReadHeader(path);

        Assert.That(header.Tensors.Values.Select(e => (e.StoredType, e.Count, e.LoadsAs)),
            Is.EqualTo(new (string, long, DType?)[] { ("I32", 2, null), ("F4", 6, null), ("U8", 1, null) }));
        Assert.That(header.Metadata, Is.Empty);
        Assert.That(() => SafeTensors.Load(path),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("tensor 'a': dtype I32 is not supported"));
    }

    [Test]
    public void ReadHeader_SubByteTypeThatDoesNotFillWholeBytes_IsInvalid()
    {
        var path = WriteFile("""{"b":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}""", 2);

        Assert.That(() => SafeTensors.ReadHeader(path),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("does not fill whole bytes"));
    }

    [Test]
    public void ReadHeader_AcceptsMoreElementsThanATensorHolds_LoadRejectsThem()
    {
        var path = WriteFile("""{"huge":{"dtype":"F32","shape":[0,3000000000],"data_offsets":[0,0]}}""", 0);

        var header = SafeTensors.ReadHeader(path);

        Assert.That(header.Tensors["huge"].Shape, Is.EqualTo(new[] { 0L, 3_000_000_000L }));
        Assert.That(() => SafeTensors.Load(path),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("more elements than a tensor can hold"));
    }

    [Test]
    public void Load_FileOfEmptyTensorsOnly_NeedsNoData()
    {
        var path = WriteFile("""{"e":{"dtype":"F16","shape":[0,4],"data_offsets":[0,0]},"s":{"dtype":"I64","shape":[0],"data_offsets":[0,0]}}""", 0);

        var loaded = SafeTensors.Load(path);

        Assert.That(loaded["e"].Shape, Is.EqualTo(new[] { 0, 4 }));
        Assert.That(loaded["e"].DType, Is.EqualTo(DType.Float32));
        Assert.That(loaded["s"].Count, Is.Zero);
    }

    [Test]
    public void ReadHeader_ChecksTheLayoutLikeLoad()
    {
        var path = WriteFile("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12);

        Assert.That(() => SafeTensors.ReadHeader(path),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("cover 8 bytes but the data section has 12"));
    }
}
