using System.Runtime.CompilerServices;

namespace Autograd.Kernels;

/// <summary>
/// Where each product of a batched GEMM finds its matrices: the batch dimensions and, per dimension, the element
/// stride of A, B and C along it. A stride of 0 in A or B broadcasts that operand; a stride of 0 in C sums the
/// products along that dimension into the same C matrix (the VJP of a broadcast batch). Dimensions are stored
/// kept first (those C advances along), summed last, with size-1 dimensions dropped and neighbours that are
/// contiguous in all three merged, so item i's offsets are one row-major decomposition of i and a broadcast
/// operand shows up as a zero stride on the innermost dimension (what the GEMM folds into M or K).
/// Held inline (no arrays), so describing a batch allocates nothing.
/// </summary>
internal struct GemmBatch
{
    /// <summary>The most batch dimensions left after dropping 1s and merging (a tensor would need more than 16 alternations of broadcast patterns).</summary>
    public const int MaxRank = 16;

    private Dims<long> _shape;
    private Dims<long> _strideA;
    private Dims<long> _strideB;
    private Dims<long> _strideC;

    /// <summary>The number of (merged) dimensions.</summary>
    public int Rank { get; private set; }

    /// <summary>Dimensions [0, KeptRank) index distinct C matrices; [KeptRank, Rank) are summed.</summary>
    public int KeptRank { get; private set; }

    /// <summary>The number of distinct C matrices written.</summary>
    public long Outputs { get; private set; }

    /// <summary>The number of products summed into each C matrix.</summary>
    public long Terms { get; private set; }

    /// <summary>
    /// A batch of <paramref name="shape"/> (any rank, 0-size dimensions allowed) with the given element strides;
    /// a dimension where <paramref name="strideC"/> is 0 is summed.
    /// </summary>
    public static GemmBatch Create(ReadOnlySpan<int> shape, ReadOnlySpan<long> strideA, ReadOnlySpan<long> strideB,
        ReadOnlySpan<long> strideC)
    {
        var batch = default(GemmBatch);
        batch.Outputs = 1;
        batch.Terms = 1;

        // Kept dimensions first, then summed ones, each group in its original order.
        for (var pass = 0; pass < 2; pass++)
        {
            var summed = pass == 1;
            for (var d = 0; d < shape.Length; d++)
            {
                if (shape[d] == 1 || (strideC[d] == 0) != summed)
                {
                    continue;
                }

                if (summed)
                {
                    batch.Terms *= shape[d];
                }
                else
                {
                    batch.Outputs *= shape[d];
                }

                batch.Append(shape[d], strideA[d], strideB[d], strideC[d], summed);
            }

            if (!summed)
            {
                batch.KeptRank = batch.Rank;
            }
        }

        return batch;
    }

    /// <summary>A batch of <paramref name="count"/> products along one dimension (the strided-batch form).</summary>
    public static GemmBatch Strided(int count, long strideA, long strideB, long strideC) =>
        Create([count], [strideA], [strideB], [strideC]);

    /// <summary>The size of dimension <paramref name="d"/>.</summary>
    public readonly long Size(int d) => _shape[d];

    /// <summary>A's element stride along dimension <paramref name="d"/>.</summary>
    public readonly long StrideA(int d) => _strideA[d];

    /// <summary>B's element stride along dimension <paramref name="d"/>.</summary>
    public readonly long StrideB(int d) => _strideB[d];

    /// <summary>C's element stride along dimension <paramref name="d"/>.</summary>
    public readonly long StrideC(int d) => _strideC[d];

    /// <summary>The largest offset of any matrix of A, B and C (for the bounds checks); 0 for an empty batch.</summary>
    public readonly (long A, long B, long C) LastOffsets()
    {
        long a = 0, b = 0, c = 0;
        for (var d = 0; d < Rank; d++)
        {
            if (_shape[d] == 0)
            {
                return (0, 0, 0);
            }

            a += (_shape[d] - 1) * _strideA[d];
            b += (_shape[d] - 1) * _strideB[d];
            c += (_shape[d] - 1) * _strideC[d];
        }

        return (a, b, c);
    }

    /// <summary>
    /// The offsets of item <paramref name="item"/> of the row-major walk over dimensions [0, <paramref name="rank"/>)
    /// (the dimensions past <paramref name="rank"/> sit at index 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly (nint A, nint B, nint C) Offsets(long item, int rank)
    {
        nint a = 0, b = 0, c = 0;
        for (var d = rank - 1; d >= 0; d--)
        {
            var size = _shape[d];
            var index = item % size;
            item /= size;
            a += (nint)(index * _strideA[d]);
            b += (nint)(index * _strideB[d]);
            c += (nint)(index * _strideC[d]);
        }

        return (a, b, c);
    }

    private void Append(long size, long strideA, long strideB, long strideC, bool summed)
    {
        var last = Rank - 1;

        // Merge into the previous dimension of the same group when it steps over exactly this one in all three.
        if (Rank > (summed ? KeptRank : 0)
            && _strideA[last] == strideA * size && _strideB[last] == strideB * size && _strideC[last] == strideC * size)
        {
            _shape[last] *= size;
            (_strideA[last], _strideB[last], _strideC[last]) = (strideA, strideB, strideC);
            return;
        }

        if (Rank == MaxRank)
        {
            throw new ArgumentException(
                $"Gemm: a batch needs more than {MaxRank} dimensions after merging those that are contiguous in every operand.");
        }

        _shape[Rank] = size;
        (_strideA[Rank], _strideB[Rank], _strideC[Rank]) = (strideA, strideB, strideC);
        Rank++;
    }

    [InlineArray(MaxRank)]
    private struct Dims<T>
    {
        private T _element;
    }
}
