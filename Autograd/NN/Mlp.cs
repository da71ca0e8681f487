namespace Autograd.NN;

/// <summary>
/// Multi-layer perceptron: a <see cref="Sequential"/> of <see cref="Linear"/> layers with an
/// activation between consecutive ones and none after the last, so
/// <c>new Mlp([784, 256, 10])</c> is PyTorch's
/// <c>nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))</c> with the same names
/// (<c>"0.weight"</c>, <c>"2.weight"</c>, ...).
/// </summary>
public sealed class Mlp : Sequential
{
    /// <summary>Creates the network.</summary>
    /// <param name="sizes">Layer widths, input first, output last; at least two.</param>
    /// <param name="activation">Makes the activation placed between layers; null means <see cref="ReLU"/>.</param>
    /// <param name="seed">Seed of all layers' initialisation; null draws one at random.</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public Mlp(int[] sizes, Func<Module>? activation = null, int? seed = null, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length < 2)
        {
            throw new ArgumentException("An MLP needs at least two sizes (input and output).", nameof(sizes));
        }

        activation ??= () => new ReLU();
        var seeds = Init.CreateRandom(seed);
        for (var i = 0; i + 1 < sizes.Length; i++)
        {
            if (i > 0)
            {
                Append(activation());
            }

            var layerSeed = (int)(seeds.NextDouble() * int.MaxValue);
            Append(new Linear(sizes[i], sizes[i + 1], seed: layerSeed, dtype: dtype));
        }
    }
}
