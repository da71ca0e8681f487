namespace Autograd.Tests.Randomness;

/// <summary>The seeded generator behind Randn/Rand/Dropout/DataLoader: reference outputs, ranges, validation.</summary>
public class SplitMix64Tests
{
    // Reference outputs of Vigna's splitmix64.c (next(): x += 0x9e3779b97f4a7c15, then the two xor-shift-multiply
    // rounds); re-derived with Python big-integer arithmetic masked to 64 bits.
    [TestCase(0UL, 0xE220A8397B1DCDAFUL, 0x6E789E6AA1B965F4UL, 0x06C45D188009454FUL)]
    [TestCase(1234567UL, 0x599ED017FB08FC85UL, 0x2C73F08458540FA5UL, 0x883EBCE5A3F27C77UL)]
    public void NextUInt64_MatchesTheReferenceOutputs(ulong seed, ulong first, ulong second, ulong third)
    {
        var random = new SplitMix64(seed);
        Assert.That(random.NextUInt64(), Is.EqualTo(first));
        Assert.That(random.NextUInt64(), Is.EqualTo(second));
        Assert.That(random.NextUInt64(), Is.EqualTo(third));
    }

    [Test]
    public void NextDouble_IsTheTop53BitsOverTwoToThe53()
    {
        var bits = new SplitMix64(0);
        var doubles = new SplitMix64(0);
        for (int i = 0; i < 100; i++)
        {
            ulong raw = bits.NextUInt64();
            Assert.That(doubles.NextDouble(), Is.EqualTo((raw >> 11) / 9007199254740992.0));
        }

        Assert.That(new SplitMix64(0).NextDouble(), Is.EqualTo(0.8833108082136426), "uniforms(0, 1) in workloads.py");
    }

    [Test]
    public void NextDouble_StaysInZeroToOne()
    {
        var random = new SplitMix64(77);
        double min = 1, max = 0;
        for (int i = 0; i < 100_000; i++)
        {
            double u = random.NextDouble();
            Assert.That(u is >= 0 and < 1, Is.True, $"draw {i} = {u}");
            min = Math.Min(min, u);
            max = Math.Max(max, u);
        }

        Assert.That(min, Is.LessThan(1e-3));
        Assert.That(max, Is.GreaterThan(1 - 1e-3));
    }

    [Test]
    public void SameSeed_SameStream_DifferentSeed_DifferentStream()
    {
        var a = new SplitMix64(5);
        var b = new SplitMix64(5);
        var c = new SplitMix64(6);
        ulong[] sa = [a.NextUInt64(), a.NextUInt64()];
        ulong[] sb = [b.NextUInt64(), b.NextUInt64()];
        ulong[] sc = [c.NextUInt64(), c.NextUInt64()];
        Assert.That(sa, Is.EqualTo(sb));
        Assert.That(sa[0], Is.Not.EqualTo(sc[0]));
    }

    [Test]
    public void NextNormal_IsBoxMullerOnTwoConsecutiveUniforms()
    {
        var uniforms = new SplitMix64(7);
        var normals = new SplitMix64(7);
        for (int i = 0; i < 10; i++)
        {
            double u1 = uniforms.NextDouble(), u2 = uniforms.NextDouble();
            double expected = Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(2.0 * Math.PI * u2);
            Assert.That(normals.NextNormal(), Is.EqualTo(expected));
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(7)]
    [TestCase(1000)]
    [TestCase(int.MaxValue)]
    public void NextInt_StaysInZeroToMaxExclusive(int maxExclusive)
    {
        var random = new SplitMix64(123);
        for (int i = 0; i < 20_000; i++)
        {
            int value = random.NextInt(maxExclusive);
            Assert.That(value is >= 0 && value < maxExclusive, Is.True, $"draw {i} = {value}");
        }
    }

    [Test]
    public void NextInt_One_IsAlwaysZero()
    {
        var random = new SplitMix64(9);
        Assert.That(Enumerable.Range(0, 100).Select(_ => random.NextInt(1)), Is.All.Zero);
    }

    [Test]
    public void NextInt_HitsEveryValueRoughlyEvenly()
    {
        var random = new SplitMix64(31);
        int[] counts = new int[6];
        for (int i = 0; i < 60_000; i++)
        {
            counts[random.NextInt(6)]++;
        }

        Assert.That(counts, Is.All.InRange(9_500, 10_500), string.Join(", ", counts));   // ±5 standard deviations
    }

    [Test]
    public void NextInt_IsFloorOfNextDoubleTimesMax()
    {
        var a = new SplitMix64(4);
        var b = new SplitMix64(4);
        for (int i = 0; i < 100; i++)
        {
            Assert.That(a.NextInt(10), Is.EqualTo((int)(b.NextDouble() * 10)));
        }
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(int.MinValue)]
    public void NextInt_NonPositiveMax_ThrowsArgumentOutOfRange(int maxExclusive)
    {
        var random = new SplitMix64(1);
        Assert.That(() => random.NextInt(maxExclusive),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("maxExclusive"));
    }

    [Test]
    public void State_IsTheSeedPlusTheGoldenGammaPerDraw_AndSettingItContinuesTheStream()
    {
        var random = new SplitMix64(42);
        Assert.That(random.State, Is.EqualTo(42UL));
        random.NextUInt64();
        random.NextDouble();
        Assert.That(random.State, Is.EqualTo(unchecked(42UL + (2 * 0x9E3779B97F4A7C15UL))));

        var state = random.State;
        ulong[] next = [random.NextUInt64(), random.NextUInt64()];
        var other = new SplitMix64(7) { State = state };

        Assert.That(new[] { other.NextUInt64(), other.NextUInt64() }, Is.EqualTo(next));
    }

    [Test]
    public void Reserve_YieldsTheNextDraws_AndThisGeneratorContinuesAfterThem()
    {
        var reserving = new SplitMix64(3);
        var plain = new SplitMix64(3);

        var block = reserving.Reserve(5);

        Assert.That(Enumerable.Range(0, 5).Select(_ => block.NextUInt64()), Is.EqualTo(Enumerable.Range(0, 5).Select(_ => plain.NextUInt64())));
        Assert.That(reserving.NextUInt64(), Is.EqualTo(plain.NextUInt64()));
        Assert.That(reserving.Reserve(0).State, Is.EqualTo(reserving.State));
        Assert.That(() => reserving.Reserve(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Reserve_FromManyThreadsAtOnce_HandsOutDisjointBlocksCoveringTheStream()
    {
        const int Blocks = 4000, Length = 3;
        var shared = new SplitMix64(11);
        var starts = new ulong[Blocks];

        Parallel.For(0, Blocks, i => starts[i] = shared.Reserve(Length).State);

        var expected = Enumerable.Range(0, Blocks).Select(i => unchecked(11UL + ((ulong)(i * Length) * 0x9E3779B97F4A7C15UL)));
        Assert.That(starts, Is.EquivalentTo(expected));
        Assert.That(shared.State, Is.EqualTo(unchecked(11UL + ((ulong)(Blocks * Length) * 0x9E3779B97F4A7C15UL))));
    }
}
