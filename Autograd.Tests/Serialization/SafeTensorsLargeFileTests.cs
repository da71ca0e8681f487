using System.Buffers.Binary;
using System.Text;

namespace Autograd.Tests.Serialization;

/// <summary>A file above 2 GB (a byte array cannot hold it): written sparse, so it costs no disk and little time.</summary>
public class SafeTensorsLargeFileTests
{
    [Test]
    public void Load_FileAbove2GB_ReadsEveryTensor_IncludingThosePastTheFirst2GB()
    {
        const long a = 300_000_000, b = 240_000_000;   // F32: 1.2 GB and 0.96 GB, so "c" and "d" start past 2^31
        var header = "{" + string.Join(",",
            Entry("a", "F32", a, 0, a * 4),
            Entry("b", "F32", b, a * 4, (a + b) * 4),
            Entry("c", "F16", 4, (a + b) * 4, ((a + b) * 4) + 8),
            Entry("d", "F32", 3, ((a + b) * 4) + 8, ((a + b) * 4) + 20)) + "}";
        var headerBytes = Encoding.UTF8.GetBytes(header.PadRight(header.Length + ((8 - (header.Length % 8)) % 8)));
        long dataOffset = 8 + headerBytes.Length;
        long fileLength = dataOffset + ((a + b) * 4) + 20;
        var path = Path.Combine(Path.GetTempPath(), $"autograd-large-{Guid.NewGuid():N}.safetensors");
        var free = new DriveInfo(Path.GetPathRoot(Path.GetFullPath(path))!).AvailableFreeSpace;
        if (free < fileLength)
        {
            Assert.Ignore($"The disk holding {Path.GetTempPath()} has {free} bytes free; the sparse test file needs up to {fileLength}.");
        }

        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                file.SetLength(fileLength);   // sparse: only the pages written below take disk space
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)headerBytes.Length);
                file.Write(prefix);
                file.Write(headerBytes);
                WriteFloat(file, dataOffset, 1.5f);                                  // a[0]
                WriteFloat(file, dataOffset + ((a - 1) * 4), -2.25f);                // a[last]
                WriteFloat(file, dataOffset + (a * 4), 3f);                          // b[0]
                WriteFloat(file, dataOffset + (((a + b) * 4) - 4), 4.5f);            // b[last]
                file.Position = dataOffset + ((a + b) * 4);
                file.Write([0x00, 0x3C, 0x00, 0xC1, 0x01, 0x00, 0x00, 0x7C]);        // c: F16 1, -2.5, 2^-24, inf
                foreach (var value in new[] { 7f, -8f, 9.75f })
                {
                    WriteFloat(file, file.Position, value);                          // d
                }
            }

            Assert.That(fileLength, Is.GreaterThan((long)int.MaxValue + 1));
            var read = SafeTensors.ReadHeader(path);
            Assert.That(read.Tensors["d"].Begin + read.DataOffset, Is.GreaterThan((long)int.MaxValue));

            var loaded = SafeTensors.Load(path);

            var first = loaded["a"].Span<float>();   // the storage itself: ToArray would copy a gigabyte
            Assert.That((first.Length, first[0], first[1], first[^1]), Is.EqualTo(((int)a, 1.5f, 0f, -2.25f)));
            var second = loaded["b"].Span<float>();
            Assert.That((second.Length, second[0], second[^2], second[^1]), Is.EqualTo(((int)b, 3f, 0f, 4.5f)));
            Assert.That(loaded["c"].ToArray<float>(), Is.EqualTo(new[] { 1f, -2.5f, MathF.Pow(2, -24), float.PositiveInfinity }));
            Assert.That(loaded["d"].ToArray<float>(), Is.EqualTo(new[] { 7f, -8f, 9.75f }));
        }
        finally
        {
            File.Delete(path);
            GC.Collect();   // give the 2 GB back now, not when the next test allocates
        }
    }

    private static string Entry(string name, string dtype, long count, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{count}],\"data_offsets\":[{begin},{end}]}}";

    private static void WriteFloat(FileStream file, long position, float value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        file.Position = position;
        file.Write(bytes);
    }
}
