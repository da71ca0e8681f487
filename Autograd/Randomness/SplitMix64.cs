namespace Autograd;

/// <summary>
/// A small, fast, seedable random generator (SplitMix64). The same stream is implemented in
/// <c>Autograd.Benchmarks/Peers/workloads.py</c>, so C# and PyTorch benchmarks can train on identical data.
/// </summary>
/// <remarks>
/// Its whole state is one 64-bit counter, <see cref="State"/>: the n-th draw is a fixed mix of
/// <c>seed + n·0x9E3779B97F4A7C15</c>. Saving <see cref="State"/> and setting it back later continues the stream
/// exactly where it was, which is how a resumed training run draws the same dropout masks and epoch orders as an
/// uninterrupted one. The <c>Next*</c> methods are not safe to call on one generator from several threads at
/// once; <see cref="Reserve"/> is.
/// </remarks>
public sealed class SplitMix64
{
    private const ulong Golden = 0x9E3779B97F4A7C15;
    private ulong _state;

    /// <summary>Starts the stream at <paramref name="seed"/>.</summary>
    /// <param name="seed">The initial <see cref="State"/>.</param>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>
    /// The generator's whole state (the seed plus 0x9E3779B97F4A7C15 per draw so far, wrapping). Setting it puts the
    /// stream at that point: a generator whose state is set to another's draws the same numbers from then on.
    /// </summary>
    public ulong State
    {
        get => Volatile.Read(ref _state);
        set => Volatile.Write(ref _state, value);
    }

    /// <summary>
    /// Takes the next <paramref name="count"/> draws of this stream in one atomic step and returns a generator that
    /// yields exactly them: on one thread, drawing <paramref name="count"/> numbers from the result gives what
    /// <paramref name="count"/> calls on this generator would have given, and this generator continues after them.
    /// Safe to call from several threads at once: each caller gets its own part of the stream, none shared.
    /// </summary>
    /// <param name="count">The number of 64-bit draws to take (a <see cref="NextNormal"/> takes two).</param>
    /// <returns>A new generator positioned at the first reserved draw.</returns>
    public SplitMix64 Reserve(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ulong span = unchecked((ulong)count * Golden);
        return new SplitMix64(unchecked(Interlocked.Add(ref _state, span) - span));
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += Golden;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1): the top 53 bits divided by 2^53.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal by Box–Muller; consumes two uniforms.</summary>
    public double NextNormal()
    {
        double u1 = NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextDouble() * maxExclusive);
    }
}
