namespace Autograd;

/// <summary>
/// Shared <c>[rows, columns]</c> shape arrays for the outputs of matrix products, so that a training step does not
/// allocate a new one per product (shapes are immutable once a tensor owns them: <see cref="Tensor.ShapeArray"/>).
/// </summary>
/// <remarks>
/// A small direct-mapped table shared by all threads: a lookup reads one slot and compares two ints; a miss or a
/// collision simply publishes a new array in the slot (a fully built array, so a racing reader sees either the old
/// or the new one, both valid shapes). A training loop repeats a handful of shapes, which stay in the table.
/// </remarks>
internal static class MatrixShapes
{
    private const int Slots = 64;

    private static readonly int[]?[] _table = new int[Slots][];

    /// <summary>A shape array holding <c>[rows, columns]</c>; never write to it.</summary>
    public static int[] Of(int rows, int columns)
    {
        ref int[]? slot = ref _table[(int)((unchecked((uint)rows * 0x9E3779B1u) ^ (uint)columns) % Slots)];
        int[]? shape = Volatile.Read(ref slot);
        if (shape is not null && shape[0] == rows && shape[1] == columns)
        {
            return shape;
        }

        shape = [rows, columns];
        Volatile.Write(ref slot, shape);
        return shape;
    }
}
