using Autograd.Data;

namespace Autograd;

/// <summary>
/// What a <see cref="Checkpoint"/> keeps of a <see cref="DataLoader"/>: its random state (<see cref="Epoch"/> and
/// <see cref="GeneratorState"/>, which fix the order of every later epoch) and, to catch a restore onto another data
/// set, the number of samples and whether it shuffles.
/// </summary>
/// <param name="Epoch">The epochs the loader had started (<see cref="DataLoader.Epoch"/>).</param>
/// <param name="GeneratorState">The state of its shuffling generator (<see cref="DataLoader.Generator"/>).</param>
/// <param name="Count">The number of samples it drew from (<see cref="DataLoader.Count"/>).</param>
/// <param name="Shuffle">Whether it shuffled (<see cref="DataLoader.Shuffle"/>).</param>
public sealed record CheckpointLoaderState(int Epoch, ulong GeneratorState, int Count, bool Shuffle)
{
    /// <summary>Reads the state of <paramref name="loader"/>.</summary>
    /// <param name="loader">The loader.</param>
    /// <returns>Its state now.</returns>
    public static CheckpointLoaderState Of(DataLoader loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        return new(loader.Epoch, loader.Generator.State, loader.Count, loader.Shuffle);
    }
}
