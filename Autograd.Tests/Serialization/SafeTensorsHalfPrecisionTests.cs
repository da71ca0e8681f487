using System.Text.Json;
using Autograd.Tests.NN;

namespace Autograd.Tests.Serialization;

/// <summary>F16 and BF16 files: loaded exactly as PyTorch's <c>.float()</c> widens them, saved as <c>.half()</c> and
/// <c>.bfloat16()</c> round (fixtures from <c>Fixtures/make_serialization_fixtures.py</c>).</summary>
public class SafeTensorsHalfPrecisionTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"autograd-halfs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private string File(string name) => Path.Combine(_directory, name);

    private static JsonDocument Fixture() => TestFixtures.Json("serialization.json");

    private static uint[] UInts(JsonElement array) => array.EnumerateArray().Select(e => e.GetUInt32()).ToArray();

    private static ulong[] ULongs(JsonElement array) => array.EnumerateArray().Select(e => e.GetUInt64()).ToArray();

    private static bool IsNaN16(uint bits, bool brain) => brain ? (bits & 0x7FFF) > 0x7F80 : (bits & 0x7FFF) > 0x7C00;

    /// <summary>Equal bit patterns; a NaN only has to be a NaN of the same sign (payloads are not values).</summary>
    private static void AssertSameFloat32(float actual, uint expectedBits, string what)
    {
        var expected = BitConverter.UInt32BitsToSingle(expectedBits);
        if (float.IsNaN(expected))
        {
            Assert.That(float.IsNaN(actual) && float.IsNegative(actual) == float.IsNegative(expected), Is.True,
                $"{what}: expected a NaN of bits 0x{expectedBits:X8}, got 0x{BitConverter.SingleToUInt32Bits(actual):X8}");
        }
        else
        {
            Assert.That(BitConverter.SingleToUInt32Bits(actual), Is.EqualTo(expectedBits),
                $"{what}: expected {expected:R} (0x{expectedBits:X8}), got {actual:R}");
        }
    }

    /// <summary>Equal bit patterns; for a NaN, any NaN: PyTorch's own float-to-BF16 gives 0x7FC0 on its scalar path and
    /// 0xFFFF (sign lost) on its vector path.</summary>
    private static void AssertSameHalfBits(ushort actual, uint expected, bool brain, string what)
    {
        if (IsNaN16(expected, brain))
        {
            Assert.That(IsNaN16(actual, brain), Is.True,
                $"{what}: expected a NaN of bits 0x{expected:X4}, got 0x{actual:X4}");
        }
        else
        {
            Assert.That(actual, Is.EqualTo(expected), $"{what}: expected 0x{expected:X4}, got 0x{actual:X4}");
        }
    }

    [Test]
    public void Load_F16AndBF16_WidenToFloat32_ExactlyAsTorch_EdgeValuesIncluded()
    {
        using var fixture = Fixture();
        var loaded = SafeTensors.Load(TestFixtures.PathOf("halfs.safetensors"));

        foreach (var name in new[] { "f16", "f16_matrix", "bf16", "bf16_matrix", "f32" })
        {
            var expected = fixture.RootElement.GetProperty("loaded").GetProperty(name);
            var tensor = loaded[name];
            Assert.That(tensor.DType, Is.EqualTo(DType.Float32), name);
            Assert.That(tensor.Shape, Is.EqualTo(expected.GetProperty("shape").Ints()), name);
            var bits = UInts(expected.GetProperty("float32_bits"));
            var values = tensor.ToArray<float>();
            Assert.That(values, Has.Length.EqualTo(bits.Length), name);
            for (int i = 0; i < bits.Length; i++)
            {
                AssertSameFloat32(values[i], bits[i], $"{name}[{i}]");
            }
        }
    }

    [Test]
    public void Load_MixedFile_ReadsI64AndBool_AndAnF16TensorAtAnOddOffset()
    {
        using var fixture = Fixture();
        var path = TestFixtures.PathOf("halfs.safetensors");

        var loaded = SafeTensors.Load(path);

        var expected = fixture.RootElement.GetProperty("loaded");
        Assert.That(loaded.Keys, Is.EqualTo(new[] { "bf16", "bf16_matrix", "bool", "f16", "f16_matrix", "f32", "i64" }));
        Assert.That(loaded["i64"].ToArray<long>(), Is.EqualTo(expected.GetProperty("i64").GetProperty("values").EnumerateArray().Select(e => e.GetInt64())));
        Assert.That(loaded["bool"].ToArray<bool>(), Is.EqualTo(new[] { true, false, true }));
        Assert.That(SafeTensors.ReadHeader(path).Tensors["f16"].Begin % 2, Is.EqualTo(1), "the fixture puts f16 at an odd offset");
    }

    [Test]
    public void Load_WithMetadata_ReturnsTheMetadataPairs()
    {
        using var fixture = Fixture();

        SafeTensors.Load(TestFixtures.PathOf("halfs.safetensors"), out var metadata);

        var expected = fixture.RootElement.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.That(metadata, Is.EquivalentTo(expected));
    }

    [TestCase(FloatStorage.Float16, "f16_bits")]
    [TestCase(FloatStorage.BFloat16, "bf16_bits")]
    public void Save_Float32_RoundsToNearestEvenAsTorch(FloatStorage floats, string expectedName)
    {
        using var fixture = Fixture();
        var cases = fixture.RootElement.GetProperty("save_float32");
        var inputs = UInts(cases.GetProperty("input_bits")).Select(BitConverter.UInt32BitsToSingle).ToArray();

        var stored = SaveAndReadBits(Tensor.FromArray(inputs, inputs.Length), floats);

        AssertBits(stored, UInts(cases.GetProperty(expectedName)), floats == FloatStorage.BFloat16, inputs.Select(v => (double)v).ToArray());
    }

    [TestCase(FloatStorage.Float16, "f16_bits")]
    [TestCase(FloatStorage.BFloat16, "bf16_bits")]
    public void Save_Float64_RoundsThroughFloat32AsTorch(FloatStorage floats, string expectedName)
    {
        using var fixture = Fixture();
        var cases = fixture.RootElement.GetProperty("save_float64");
        var inputs = ULongs(cases.GetProperty("input_bits")).Select(b => BitConverter.UInt64BitsToDouble(b)).ToArray();

        var stored = SaveAndReadBits(Tensor.FromArray(inputs, inputs.Length), floats);

        AssertBits(stored, UInts(cases.GetProperty(expectedName)), floats == FloatStorage.BFloat16, inputs);
    }

    private ushort[] SaveAndReadBits(Tensor tensor, FloatStorage floats)
    {
        var path = File("rounded.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = tensor }, floats: floats);
        var header = SafeTensors.ReadHeader(path);
        var entry = header.Tensors["x"];
        Assert.That(entry.StoredType, Is.EqualTo(floats == FloatStorage.Float16 ? "F16" : "BF16"));
        Assert.That(entry.Shape, Is.EqualTo(new long[] { tensor.Count }));
        var bytes = System.IO.File.ReadAllBytes(path).AsSpan((int)(header.DataOffset + entry.Begin), (int)(entry.End - entry.Begin));
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bytes).ToArray();
    }

    private static void AssertBits(ushort[] actual, uint[] expected, bool brain, double[] inputs)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        for (int i = 0; i < expected.Length; i++)
        {
            AssertSameHalfBits(actual[i], expected[i], brain, $"input {i} = {inputs[i]:R}");
        }
    }

    [TestCase("f16_only.safetensors", FloatStorage.Float16)]
    [TestCase("bf16_only.safetensors", FloatStorage.BFloat16)]
    public void TorchFile_LoadedAndSavedAgainInItsType_IsByteForByteTheSameFile(string name, FloatStorage floats)
    {
        var original = TestFixtures.PathOf(name);
        var copy = File("copy.safetensors");

        SafeTensors.Save(copy, SafeTensors.Load(original, out var metadata), metadata, floats);

        Assert.That(System.IO.File.ReadAllBytes(copy), Is.EqualTo(System.IO.File.ReadAllBytes(original)));
    }

    [Test]
    public void Save_Float16_ThenLoad_GivesTheHalfRoundedValues()
    {
        var x = Tensor.Randn([7, 9], seed: 3) * 1000;
        var path = File("half.safetensors");

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = x, ["n"] = Tensor.FromArray(new long[] { 5 }, 1) },
            floats: FloatStorage.Float16);
        var loaded = SafeTensors.Load(path);

        Assert.That(loaded["x"].ToArray<float>(), Is.EqualTo(x.ToArray<float>().Select(v => (float)(Half)v)));
        Assert.That(loaded["n"].DType, Is.EqualTo(DType.Int64), "integer tensors are stored as they are");
        Assert.That(SafeTensors.ReadHeader(path).Tensors["n"].StoredType, Is.EqualTo("I64"));
    }

    [Test]
    public void Save_UndefinedFloatStorage_Throws()
    {
        Assert.That(() => SafeTensors.Save(File("x.safetensors"), new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros([1]) },
            floats: (FloatStorage)7), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("floats"));
    }
}
