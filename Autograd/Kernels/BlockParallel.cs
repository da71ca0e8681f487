namespace Autograd.Kernels;

/// <summary>The work on one block of a <see cref="FixedBlocks"/> partition: elements [start, end) of block <c>block</c>.</summary>
internal interface IBlockBody
{
    void Run(int block, int start, int end);
}

/// <summary>
/// Runs a body over every block of a <see cref="FixedBlocks"/> partition: in block order on the calling thread, or
/// on the GEMM pool, each part claiming the next block from a shared counter (so a part whose core is busy elsewhere
/// takes fewer). A block is computed by the same calls whoever runs it, so the results do not depend on the threads.
/// Bodies must not start parallel work of their own (the pool is busy with them).
/// </summary>
internal static class BlockParallel
{
    /// <summary>Runs <paramref name="body"/> on every block, on up to <paramref name="threads"/> threads.</summary>
    public static void For<TBody>(FixedBlocks blocks, int threads, TBody body)
        where TBody : struct, IBlockBody
    {
        threads = Math.Min(threads, blocks.Count);
        if (threads <= 1)
        {
            for (int block = 0; block < blocks.Count; block++)
            {
                body.Run(block, blocks.Start(block), blocks.End(block));
            }

            return;
        }

        GemmThreading.Run(new BlockJob<TBody>(body, blocks), threads);
    }

    private sealed class BlockJob<TBody>(TBody body, FixedBlocks blocks) : GemmJob
        where TBody : struct, IBlockBody
    {
        private int _next;

        public override void Execute(int part, int parts)
        {
            for (int block = Interlocked.Increment(ref _next) - 1; block < blocks.Count; block = Interlocked.Increment(ref _next) - 1)
            {
                body.Run(block, blocks.Start(block), blocks.End(block));
            }
        }
    }
}
