namespace Autograd.NN;

/// <summary>
/// A lookup table, PyTorch's <c>nn.Embedding</c>: row i of <see cref="Weight"/> [numEmbeddings, embeddingDim] for each
/// Int64 index i of the input (any shape); the output is input.Shape ++ [embeddingDim]. Initialised N(0, 1), as PyTorch.
/// </summary>
public sealed class Embedding : Module
{
    /// <summary>Creates the table.</summary>
    /// <param name="numEmbeddings">Number of rows (the vocabulary size).</param>
    /// <param name="embeddingDim">Width of each row.</param>
    /// <param name="seed">Seed of the initialisation; null draws one at random.</param>
    /// <param name="dtype">Element type of the weight.</param>
    public Embedding(int numEmbeddings, int embeddingDim, int? seed = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEmbeddings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingDim);
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        Weight = RegisterParameter("weight", Tensor.Zeros([numEmbeddings, embeddingDim], dtype));
        Init.Normal(Weight, Init.CreateRandom(seed), 0, 1);
    }

    /// <summary>Number of rows.</summary>
    public int NumEmbeddings { get; }

    /// <summary>Width of each row.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The table, [numEmbeddings, embeddingDim]; its name is <c>"weight"</c>.</summary>
    public Tensor Weight { get; }

    /// <summary>Looks up Int64 <paramref name="input"/> (any shape) and returns input.Shape ++ [embeddingDim].</summary>
    public override Tensor Forward(Tensor input) => Functional.Embedding(input, Weight);

    /// <inheritdoc/>
    public override string ToString() => $"Embedding({NumEmbeddings}, {EmbeddingDim})";
}
