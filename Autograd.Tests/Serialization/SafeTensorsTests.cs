using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Autograd.NN;
using Autograd.Tests.NN;

namespace Autograd.Tests.Serialization;

public class SafeTensorsTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"autograd-safetensors-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private string File(string name) => Path.Combine(_directory, name);

    private static Sequential PyTorchEquivalent(int seed = 99) =>
        new(new Linear(4, 8, seed: seed), new ReLU(), new Linear(8, 3, seed: seed + 1));

    private static byte[] Build(string header, byte[] data, ulong? headerLength = null)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + headerBytes.Length);
        return bytes;
    }

    private static Dictionary<string, double[]> Snapshot(Module module) =>
        module.NamedParameters().ToDictionary(p => p.Name, p => p.Value.ToArray<double>());

    [Test]
    public void SaveLoad_RoundTripsFloat32AndFloat64_ScalarVectorAndRank3()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["scalar"] = Tensor.Scalar(3.25, DType.Float64),
            ["vector"] = Tensor.FromArray(new[] { 1.5f, -2f, float.MaxValue, float.Epsilon }, 4),
            ["cube"] = Tensor.Randn([2, 3, 4], seed: 1, dtype: DType.Float64),
            ["a.b.weight"] = Tensor.Randn([5, 2], seed: 2),
        };
        var path = File("round.safetensors");

        SafeTensors.Save(path, tensors);
        var loaded = SafeTensors.Load(path);

        Assert.That(loaded.Keys, Is.EqualTo(tensors.Keys.Order(StringComparer.Ordinal)));
        foreach (var (name, tensor) in tensors)
        {
            Assert.That(loaded[name].Shape, Is.EqualTo(tensor.Shape), name);
            Assert.That(loaded[name].DType, Is.EqualTo(tensor.DType), name);
            Assert.That(loaded[name].ToArray<double>(), Is.EqualTo(tensor.ToArray<double>()), name);
        }
    }

    [Test]
    public void Save_WritesSortedKeys_PaddedHeader_AndContiguousOffsets()
    {
        var path = File("layout.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["b"] = Tensor.Zeros([3], DType.Float64),
            ["a"] = Tensor.Ones([2, 1]),
        });

        var bytes = System.IO.File.ReadAllBytes(path);
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = Encoding.UTF8.GetString(bytes, 8, n);

        Assert.That((8 + n) % 8, Is.Zero, "data starts 8-byte aligned");
        Assert.That(header.TrimEnd(' '), Is.EqualTo(
            """{"a":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[3],"data_offsets":[8,32]}}"""));
        Assert.That(bytes, Has.Length.EqualTo(8 + n + 32));
        Assert.That(BitConverter.ToSingle(bytes, 8 + n), Is.EqualTo(1f));
    }

    [Test]
    public void PyTorchFixture_LoadsIntoEquivalentSequential_AndReproducesOutputs()
    {
        using var io = TestFixtures.Json("mlp_io.json");
        var root = io.RootElement;
        var model = PyTorchEquivalent();

        model.Load(TestFixtures.PathOf("mlp.safetensors"));
        var input = Tensor.FromArray(root.GetProperty("input").Doubles().Select(v => (float)v).ToArray(),
            root.GetProperty("input_shape").Ints());
        var output = model.Forward(input);

        Assert.That(model.StateDict().Keys,
            Is.EqualTo(root.GetProperty("state_dict_keys").EnumerateArray().Select(e => e.GetString())));
        Assert.That(output.Shape, Is.EqualTo(root.GetProperty("output_shape").Ints()));
        TestFixtures.AssertClose(output.ToArray<double>(), root.GetProperty("output").Doubles(), 1e-6, "output");
    }

    [Test]
    public void PyTorchFixture_SavedAgain_IsByteForByteTheSameFile()
    {
        var original = TestFixtures.PathOf("mlp.safetensors");
        var copy = File("copy.safetensors");

        SafeTensors.Save(copy, SafeTensors.Load(original), new Dictionary<string, string> { ["format"] = "pt" });

        Assert.That(System.IO.File.ReadAllBytes(copy), Is.EqualTo(System.IO.File.ReadAllBytes(original)));
    }

    private static IEnumerable<TestCaseData> BadFiles()
    {
        const string Good = """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        var eight = new byte[8];
        yield return new TestCaseData(Array.Empty<byte>(), "truncated").SetName("Empty file");
        yield return new TestCaseData(new byte[5], "truncated").SetName("Shorter than the length prefix");
        yield return new TestCaseData(Build(Good, eight, headerLength: 1000), "truncated").SetName("Header length past the end");
        yield return new TestCaseData(Build(Good, eight, headerLength: ulong.MaxValue), "larger than the limit").SetName("Header length overflow");
        yield return new TestCaseData(Build(Good, eight[..4]), "truncated").SetName("Data truncated");
        yield return new TestCaseData(Build(Good, new byte[12]), "cover 8 bytes").SetName("Data left over");
        yield return new TestCaseData(Build("{\"w\":{\"dtype\":", eight), "not valid JSON").SetName("Broken JSON");
        yield return new TestCaseData(Build("[1,2]", eight), "must be a JSON object").SetName("JSON array header");
        yield return new TestCaseData(Build(Good.Replace("F32", "F8_E4M3").Replace("[2]", "[8]"), eight), "F8_E4M3 is not supported").SetName("F8 dtype");
        yield return new TestCaseData(Build(Good.Replace("F32", "I32"), eight), "I32 is not supported").SetName("I32 dtype");
        yield return new TestCaseData(Build(Good.Replace("F32", "Q4"), eight), "unknown dtype 'Q4'").SetName("Unknown dtype");
        yield return new TestCaseData(Build(Good.Replace("[2]", "[3]"), eight), "needs 12").SetName("Shape times dtype size mismatch");
        yield return new TestCaseData(Build(Good.Replace("[2]", "[-2]"), eight), "non-negative integers").SetName("Negative dimension");
        yield return new TestCaseData(Build(Good.Replace("[0,8]", "[8,0]"), eight), "end before they begin").SetName("Offsets reversed");
        yield return new TestCaseData(Build(Good.Replace("\"shape\":[2],", ""), eight), "'shape'").SetName("Missing shape");
        yield return new TestCaseData(Build(
            """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""",
            new byte[12]), "overlap").SetName("Overlapping tensors");
        yield return new TestCaseData(Build(
            """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""",
            new byte[12]), "gap").SetName("Gap between tensors");
        yield return new TestCaseData(Build(
            """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""",
            eight), "twice").SetName("Duplicate name");
        yield return new TestCaseData(Build("""{"__metadata__":{"n":1}}""", []), "__metadata__").SetName("Metadata not strings");
    }

    [TestCaseSource(nameof(BadFiles))]
    public void Load_BadFile_ThrowsInvalidDataNamingFileAndProblem(byte[] contents, string problem)
    {
        var path = File("bad.safetensors");
        System.IO.File.WriteAllBytes(path, contents);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));

        Assert.That(error!.Message, Does.Contain(path).And.Contain(problem));
    }

    [TestCaseSource(nameof(BadFiles))]
    public void ModuleLoad_BadFile_LeavesModuleUnchanged(byte[] contents, string problem)
    {
        var path = File("bad.safetensors");
        System.IO.File.WriteAllBytes(path, contents);
        var model = PyTorchEquivalent();
        var before = Snapshot(model);

        Assert.That(() => model.Load(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(problem));

        Assert.That(Snapshot(model), Is.EqualTo(before));
    }

    [Test]
    public void ModuleLoad_WrongShapeInValidFile_NamesKeyAndLeavesModuleUnchanged()
    {
        var path = File("wrong-shape.safetensors");
        var state = new Dictionary<string, Tensor>(SafeTensors.Load(TestFixtures.PathOf("mlp.safetensors")))
        {
            ["2.weight"] = Tensor.Zeros([3, 7]),
        };
        SafeTensors.Save(path, state);
        var model = PyTorchEquivalent();
        var before = Snapshot(model);

        Assert.That(() => model.Load(path), Throws.ArgumentException.With.Message.Contains("'2.weight'"));

        Assert.That(Snapshot(model), Is.EqualTo(before));
    }

    [Test]
    public void ModuleLoad_FileForADifferentArchitecture_ReportsMissingAndUnexpectedKeys()
    {
        var path = File("other.safetensors");
        new Sequential(new Linear(4, 8, seed: 1), new Linear(8, 3, seed: 2)).Save(path);
        var model = PyTorchEquivalent();
        var before = Snapshot(model);

        var error = Assert.Throws<ArgumentException>(() => model.Load(path));

        Assert.That(error!.Message, Does.Contain("missing key(s): '2.weight', '2.bias'").And.Contain("unexpected key(s): '1.bias', '1.weight'"));
        Assert.That(Snapshot(model), Is.EqualTo(before));
    }

    [Test]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.That(() => SafeTensors.Load(File("absent.safetensors")), Throws.InstanceOf<FileNotFoundException>());
    }

    [Test]
    public void Save_RejectsReservedName()
    {
        Assert.That(() => SafeTensors.Save(File("x.safetensors"), new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Zeros([1]) }),
            Throws.ArgumentException);
    }

    [Test]
    public void Save_OverwritesAndLeavesNoTemporaryFile()
    {
        var path = File("over.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.Zeros([100]) });

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.Ones([1]) });

        Assert.That(SafeTensors.Load(path)["a"].ToArray<float>(), Is.EqualTo(new[] { 1f }));
        Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void Save_HeaderIsValidJsonWithMetadata()
    {
        var path = File("meta.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros([1]) },
            new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "3" });
        var bytes = System.IO.File.ReadAllBytes(path);

        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes)));

        Assert.That(header.RootElement.GetProperty("__metadata__").GetProperty("epoch").GetString(), Is.EqualTo("3"));
        Assert.That(SafeTensors.Load(path).Keys, Is.EqualTo(new[] { "x" }));
    }
}
