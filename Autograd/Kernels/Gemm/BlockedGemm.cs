using System.Numerics;
using System.Runtime.CompilerServices;

namespace Autograd.Kernels;

/// <summary>
/// BLIS-style GEMM: five loops around a register-tiled micro-kernel.
/// <code>
/// for jc in N by NC          B panel  KC×NC  packed once, shared by all threads (L3)
///   for pc in K by KC
///     pack op(B)[pc.., jc..]      (threads pack disjoint slivers, then meet at a barrier)
///     for ic in M by MC      A block  MC×KC  packed per thread (L2)
///       pack op(A)[ic.., pc..]
///       for jr in NC by NR   B sliver KC×NR  stays in L1 across the ir loop
///         for ir in MC by MR micro-kernel: C[MR×NR] += A sliver · B sliver
/// </code>
/// The register tile is <see cref="GemmTiles.Current"/> (8×32 float with AVX-512, 6×16 with AVX2, 6×8 with SSE or
/// AdvSimd). Small operands are read in place rather than packed (<see cref="ReadInPlace"/>), and a product whose
/// A is one block streams B through a few slivers instead of a panel (<see cref="ExecuteStreaming"/>).
/// Threads split the ic rows (or the jr slivers), never K, so no two threads write the same element of C,
/// no reduction is needed, and the result does not depend on the thread count.
/// </summary>
internal sealed unsafe class BlockedGemm<T> : GemmJob
    where T : unmanaged, INumberBase<T>
{
    /// <summary>
    /// K depth of a block: a KC×NR sliver of B (32 KiB for the 8×32 float tile) plus an MR×KC sliver of A
    /// fits in a 48 KiB L1, and KC is long enough to amortise loading/storing the C tile.
    /// </summary>
    public const int Kc = 256;

    /// <summary>
    /// Most columns of a B panel: a multiple of NR; KC×NC (4 MiB float) is meant to sit in L3. N is
    /// cut into equal panels (see <see cref="PanelWidth"/>), so n = 4096 is one panel, not 4080 + 16
    /// (a second pass that repacked every A block for a single sliver).
    /// </summary>
    public const int Nc = 4096;

    [ThreadStatic]
    private static BlockedGemm<T>? _cached;

    [ThreadStatic]
    private static GemmScratch<T>? _packedAStore;

    [ThreadStatic]
    private static GemmScratch<T>? _packedBStore;

    [ThreadStatic]
    private static GemmScratch<T>? _streamSlotStore;

    private readonly GemmBarrier _barrier = new();
    private GemmProblem<T> _problem;
    private GemmTile _tile;
    private int _mr;
    private int _mc;
    private int _nr;
    private bool _directA;
    private bool _directB;
    private T* _packedB;
    private int _panelWidth;
    private bool _splitRows;
    private bool _streaming;
    private int _streamGroup;
    private int _streamChunk;
    private int _nextUnit;
    private int _doneUnits;
    private int[] _nextInShare = [];
    private int _blockRows;
    private int _nextBlock0;
    private int _nextBlock1;

    /// <summary>
    /// Rows of an A block (a multiple of the tile's rows) for <paramref name="tile"/>: MC×KC is 144 KiB (float or
    /// double) with the AVX2 and SSE tiles, well inside a 512 KiB L2 with room for the B sliver and C lines
    /// streaming through; 256 KiB with the AVX-512 tile, a quarter of the 1-2 MiB L2 of AVX-512 cores (measured:
    /// 256² 152 → 160 GFLOP/s, where all of A is one block; 512², 1024² unchanged within the noise).
    /// </summary>
    private static int BlockRows(GemmTile tile) => (tile, typeof(T) == typeof(float)) switch
    {
        (GemmTile.Vector512, true) => 256,
        (GemmTile.Vector512, false) => 128,
        (_, true) => 144,
        _ => 72,
    };

    /// <summary>Runs the product on up to <paramref name="threads"/> threads.</summary>
    public static void Multiply(in GemmProblem<T> problem, int threads)
    {
        var job = _cached ??= new BlockedGemm<T>();
        var tile = GemmTiles.Current;
        var mr = GemmTiles.Rows(tile);
        var nr = GemmTiles.Columns<T>(tile);
        var rowTiles = (problem.M + mr - 1) / mr;
        var columnTiles = (problem.N + nr - 1) / nr;
        job._problem = problem;
        job._tile = tile;
        job._mr = mr;
        job._mc = BlockRows(tile);
        job._nr = nr;
        (job._directA, job._directB) = ReadInPlace(problem, mr, nr, job._mc);
        job._splitRows = SplitRows(problem.M, job._mc, rowTiles, columnTiles, threads);
        job._streaming = problem.M <= job._mc && (threads == 1 || !job._splitRows);
        int parts;
        if (job._streaming)
        {
            // Groups of slivers that op(B) is packed and multiplied by (see ExecuteStreaming).
            // (slivers narrower than the 8×32 tile's 128 bytes go two or four at a time).
            job._streamGroup = ((long)problem.K * problem.N * sizeof(T) <= 1 << 20 ? 1 : 8) * Math.Max(1, 128 / (nr * sizeof(T)));
            parts = Math.Min(threads, (columnTiles + job._streamGroup - 1) / job._streamGroup);
        }
        else
        {
            var panelWidth = PanelWidth(problem.N, nr);
            job._panelWidth = panelWidth;
            job._packedB = (_packedBStore ??= new GemmScratch<T>()).Get(((long)Math.Min(Kc, problem.K) * panelWidth) + GemmPacking<T>.Slack);
            parts = Math.Min(threads, job._splitRows ? rowTiles : panelWidth / nr);
        }

        GemmThreading.Run(job, parts);
        job._problem = default;
        job._packedB = null;
    }

    public override void Prepare(int parts)
    {
        _barrier.Reset(parts);
        _nextBlock0 = 0;
        _nextBlock1 = 0;
        _nextUnit = 0;
        _doneUnits = 0;
        if (_nextInShare.Length < parts)
        {
            _nextInShare = new int[GemmThreading.MaxThreads];
        }

        Array.Clear(_nextInShare, 0, parts);
        if (_streaming)
        {
            // About four chunks per part, whole packing groups.
            var slivers = (_problem.N + _nr - 1) / _nr;
            var chunk = parts == 1 ? slivers : Math.Max(1, (slivers + (4 * parts) - 1) / (4 * parts));
            _streamChunk = (chunk + _streamGroup - 1) / _streamGroup * _streamGroup;
        }

        // Splitting rows, parts claim A blocks from a shared counter rather than fixed halves, so a
        // part on a core busy with something else simply takes fewer blocks. Aim for 4+ blocks per
        // part (whole register tiles, at most MC rows) so the claims can even out.
        var target = (_problem.M + (4 * parts) - 1) / (4 * parts);
        _blockRows = parts == 1 ? _mc : Math.Clamp((target + _mr - 1) / _mr * _mr, _mr, _mc);
    }

    /// <summary>Splitting rows of a packed panel, parts pack their slivers of it, then meet at a barrier.</summary>
    public override bool PartsMeet => _splitRows && !_streaming;

    public override void Execute(int part, int parts)
    {
        if (_streaming)
        {
            ExecuteStreaming(part, parts);
            return;
        }

        var p = _problem;
        var nr = _nr;
        var packedA = (_packedAStore ??= new GemmScratch<T>()).Get(((long)_mc * Kc) + GemmPacking<T>.Slack);
        var tile = stackalloc T[_mr * nr];
        var iteration = 0;

        // Slivers sit at a fixed stride, not kc·NR: splitting columns, parts pass no barrier, so one
        // may pack the short last K block while another still reads the previous one.
        var sliverStride = Math.Min(Kc, p.K) * nr;

        for (var jc = 0; jc < p.N; jc += _panelWidth)
        {
            var nc = Math.Min(_panelWidth, p.N - jc);
            var slivers = (nc + nr - 1) / nr;
            for (var pc = 0; pc < p.K; pc += Kc)
            {
                var kc = Math.Min(Kc, p.K - pc);
                var overwrite = !p.Accumulate && pc == 0;
                var (firstSliver, endSliver) = Share(slivers, part, parts);

                if (parts == 1 && p.M <= 2 * _mc)
                {
                    MultiplyPanelAlone(p, packedA, tile, jc, pc, kc, slivers, sliverStride, overwrite);
                    continue;
                }

                var ownSlivers = _packedB + ((nint)firstSliver * sliverStride);
                PrepareB(p, ownSlivers, jc, pc, kc, firstSliver, endSliver, sliverStride);
                if (_splitRows)
                {
                    // Every part reads the whole panel; splitting columns, a part reads only what it packed.
                    _barrier.SignalAndWait();

                    // Two counters alternate: the one the next step uses was last read before this
                    // step's first barrier, so part 0 can reset it now, ahead of the next barrier.
                    if (part == 0)
                    {
                        if ((iteration & 1) == 0)
                        {
                            _nextBlock1 = 0;
                        }
                        else
                        {
                            _nextBlock0 = 0;
                        }
                    }

                    ref var counter = ref (iteration & 1) == 0 ? ref _nextBlock0 : ref _nextBlock1;
                    for (var ic = ClaimBlock(ref counter); ic < p.M; ic = ClaimBlock(ref counter))
                    {
                        var mc = Math.Min(_blockRows, p.M - ic);
                        PrepareA(p, packedA, ic, mc, pc, kc);
                        MultiplyBlock(p, packedA, _packedB, tile, ic, mc, jc, pc, kc, sliverStride, 0, slivers, overwrite);
                    }

                    // The next pc step repacks the shared panel: wait until nobody still reads it.
                    _barrier.SignalAndWait();
                }
                else if (firstSliver < endSliver)
                {
                    for (var ic = 0; ic < p.M; ic += _mc)
                    {
                        var mc = Math.Min(_mc, p.M - ic);
                        PrepareA(p, packedA, ic, mc, pc, kc);
                        MultiplyBlock(p, packedA, ownSlivers, tile, ic, mc, jc, pc, kc, sliverStride, firstSliver, endSliver, overwrite);
                    }
                }

                iteration++;
            }
        }
    }

    /// <summary>
    /// One A block (m ≤ MC): op(B) never goes through a panel. op(B) is packed a group of slivers at a time into
    /// this thread's slot and multiplied at once, while still in L1/L2 (the whole panel went out to L2/L3 and
    /// back). While op(B) fits in L2 (≤ 1 MiB) a group is one sliver, in L1 when the micro-kernel reads it (2-10%
    /// faster than 8 on the small-M layer shapes, dX=GW 64,784,256 125 → 129 GFLOP/s); a larger B comes from L3 or
    /// DRAM, where packing 8 slivers row by row reads 1 KiB runs that the prefetchers follow, not 128 bytes per
    /// page (dX=GW 256,4096,4096 0.89 → 0.99× OpenBLAS, best calls).
    /// Parts claim units (a chunk of columns, about a quarter of a part's share, through every K block; or one K
    /// block of it when A is packed) in order from a shared counter, so a part whose core is busy, or whose
    /// thread wakes late, takes fewer; chunks rather than single slivers, because neighbouring parts writing the
    /// two halves of one cache line of C slowed two threads below one. A unit of K block t waits until every unit
    /// of block t - 1 is done, so each element of C is still summed in K order.
    /// </summary>
    private void ExecuteStreaming(int part, int parts)
    {
        var p = _problem;
        var group = _streamGroup;
        var chunk = _streamChunk;
        var kc0 = Math.Min(Kc, p.K);
        var sliverStride = kc0 * _nr;
        var packedA = (_packedAStore ??= new GemmScratch<T>()).Get(((long)_mc * Kc) + GemmPacking<T>.Slack);
        var slot = (_streamSlotStore ??= new GemmScratch<T>()).Get(((long)group * sliverStride) + GemmPacking<T>.Slack);
        var tile = stackalloc T[_mr * _nr];
        var slivers = (p.N + _nr - 1) / _nr;
        var chunks = (slivers + chunk - 1) / chunk;
        var steps = (p.K + Kc - 1) / Kc;

        // With A read in place a unit is a chunk through every K block: nothing to wait for. A packed A is
        // packed once per K block by each part, so units go K block by K block instead.
        var wholeChunks = _directA;
        var units = wholeChunks ? chunks : steps * chunks;
        var packedStep = -1;
        for (var unit = ClaimUnit(part, parts, units, wholeChunks); unit < units; unit = ClaimUnit(part, parts, units, wholeChunks))
        {
            var firstStep = wholeChunks ? 0 : unit / chunks;
            if (firstStep > 0 && Volatile.Read(ref _doneUnits) < firstStep * chunks)
            {
                var spinner = default(SpinWait);
                while (Volatile.Read(ref _doneUnits) < firstStep * chunks)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }
            }

            var first = unit % chunks * chunk;
            var end = Math.Min(slivers, first + chunk);
            for (var step = firstStep; step < (wholeChunks ? steps : firstStep + 1); step++)
            {
                var pc = step * Kc;
                var kc = Math.Min(Kc, p.K - pc);
                if (packedStep != step)
                {
                    PrepareA(p, packedA, 0, p.M, pc, kc);
                    packedStep = step;
                }

                for (var s0 = first; s0 < end; s0 += group)
                {
                    var s1 = Math.Min(end, s0 + group);
                    PrepareB(p, slot, 0, pc, kc, s0, s1, sliverStride);
                    MultiplyBlock(p, packedA, slot, tile, 0, p.M, 0, pc, kc, sliverStride, s0, s1, overwrite: !p.Accumulate && pc == 0);
                }
            }

            Interlocked.Increment(ref _doneUnits);
        }
    }

    /// <summary>
    /// One thread, one (jc, pc) step: the first A block is multiplied by each group of B slivers
    /// right after the group is packed, while it is still in L1/L2, instead of packing the whole
    /// KC×NC panel (4 MiB, out in L3) first and reading it back; later A blocks read the packed panel.
    /// Only for few rows (m ≤ 2·MC), where the first block is a large share of the panel's reuse:
    /// measured 0.92–0.93× → 0.97–0.99× OpenBLAS for m = 256 (with the transposed-B packing change);
    /// with many blocks it gains nothing measurable, so squares keep the plain order.
    /// </summary>
    private void MultiplyPanelAlone(in GemmProblem<T> p, T* packedA, T* tile, int jc, int pc, int kc, int slivers, int sliverStride, bool overwrite)
    {
        const int group = 8;
        var mc = Math.Min(_mc, p.M);
        PrepareA(p, packedA, 0, mc, pc, kc);
        for (var s0 = 0; s0 < slivers; s0 += group)
        {
            var s1 = Math.Min(slivers, s0 + group);
            var group0 = _packedB + ((nint)s0 * sliverStride);
            PrepareB(p, group0, jc, pc, kc, s0, s1, sliverStride);
            MultiplyBlock(p, packedA, group0, tile, 0, mc, jc, pc, kc, sliverStride, s0, s1, overwrite);
        }

        for (var ic = mc; ic < p.M; ic += _mc)
        {
            var rows = Math.Min(_mc, p.M - ic);
            PrepareA(p, packedA, ic, rows, pc, kc);
            MultiplyBlock(p, packedA, _packedB, tile, ic, rows, jc, pc, kc, sliverStride, 0, slivers, overwrite);
        }
    }

    /// <summary>
    /// Whether the micro-kernel reads op(A) and op(B) where they are, unpacked (ragged edge tiles are still
    /// packed, see <see cref="PrepareA"/> and <see cref="PrepareB"/>). Packing pays for itself by reuse: each
    /// packed A sliver serves every B sliver and each packed B sliver every row tile. With one A block (m ≤ MC)
    /// the rows of A stay in L1/L2 between B slivers anyway. A plain B is read in place when m ≤ 64 (a sliver
    /// serves at most 8 row tiles, too few to repay the copy). With the AVX-512 tile its rows must also be
    /// 64-byte aligned, or B small enough to stay in L1: a misaligned row costs each 64-byte load two cache lines,
    /// which made B in place slower than packed (124 against 131 GFLOP/s for dX=GW 64,784,256; 157 aligned); a
    /// 32-byte load crosses a line far less often, and with the AVX2 tile B in place won anyway (67 → 80).
    /// Either operand is packed when its rows are so far apart in a power of two that they crowd a few L1 sets
    /// (see <see cref="RowsPerL1Set"/>). Measured one thread, float, 8×32 tile: 64² 114 → 159 GFLOP/s,
    /// dW=GᵀX 128,256,64 126 → 150; B in place lost 6% at 128² and 256² (many row tiles per sliver), hence
    /// m ≤ 64. A transposed B is always packed: its sliver's columns are rows of the stored matrix.
    /// </summary>
    private static (bool A, bool B) ReadInPlace(in GemmProblem<T> p, int mr, int nr, int mc)
    {
        var kc = Math.Min(p.K, Kc);
        var inPlaceA = p.M <= mc && (p.TransA
            ? RowsPerL1Set((long)p.M * sizeof(T), kc) <= 4        // kc short runs of MR values, M apart
            : RowsPerL1Set((long)p.K * sizeof(T), mr) <= 2);      // MR long runs of kc values, K apart
        var alignedRows = (nint)p.B % 64 == 0 && p.N * sizeof(T) % 64 == 0;
        var fitsL1 = (long)p.K * p.N * sizeof(T) <= 32 * 1024;
        var wideVectors = nr * sizeof(T) >= 128;
        var inPlaceB = !p.TransB && p.M <= 64 && (alignedRows || fitsL1 || !wideVectors) && RowsPerL1Set((long)p.N * sizeof(T), kc) <= 4;
        return (inPlaceA, inPlaceB);
    }

    /// <summary>
    /// How many of <paramref name="rows"/> rows <paramref name="strideBytes"/> apart start in the same L1 set (of
    /// 64 lines: 4 KiB): a power-of-two stride of 4 KiB puts every row in one set, 1 KiB in 4 sets, 3136 B in all.
    /// </summary>
    private static long RowsPerL1Set(long strideBytes, int rows)
    {
        // gcd(stride, 4096) is the stride's largest power-of-two factor, at most 4096.
        var sets = Math.Min(64, 4096 >> Math.Min(12, BitOperations.TrailingZeroCount(strideBytes)));
        return (rows + sets - 1) / sets;
    }

    /// <summary>
    /// Packs op(A)[ic..ic+mc, pc..pc+kc] for <see cref="MultiplyBlock"/>: all of it, or, when A is read in place,
    /// only the ragged last sliver (fewer than MR rows, padded with zeros), at the start of <paramref name="packedA"/>.
    /// </summary>
    private void PrepareA(in GemmProblem<T> p, T* packedA, int ic, int mc, int pc, int kc)
    {
        if (!_directA)
        {
            GemmPacking<T>.PackA(p, packedA, ic, mc, pc, kc, _mr);
            return;
        }

        var tail = mc % _mr;
        if (tail != 0)
        {
            GemmPacking<T>.PackA(p, packedA, ic + mc - tail, tail, pc, kc, _mr);
        }
    }

    /// <summary>
    /// Packs slivers [firstSliver, endSliver) of op(B)[pc..pc+kc, jc..] from <paramref name="destination"/> on, or,
    /// when B is read in place, only the ragged last sliver of the matrix (fewer than NR columns) if it is one of them.
    /// </summary>
    private void PrepareB(in GemmProblem<T> p, T* destination, int jc, int pc, int kc, int firstSliver, int endSliver, int sliverStride)
    {
        if (!_directB)
        {
            GemmPacking<T>.PackB(p, destination, jc, pc, kc, firstSliver, endSliver, _nr, sliverStride);
            return;
        }

        var last = endSliver - 1;
        if (firstSliver <= last && jc + ((last + 1) * _nr) > p.N)
        {
            GemmPacking<T>.PackB(p, destination + ((nint)(last - firstSliver) * sliverStride), jc, pc, kc, last, endSliver, _nr, sliverStride);
        }
    }

    /// <summary>
    /// Whether parts take rows of C (sharing one packed B panel, meeting at barriers) rather than B slivers
    /// (each packing its own slivers and all of A, no barrier). Rows when op(A) has at least as many register
    /// tiles as op(B), except for few rows (one A block, m ≤ MC, e.g. a batch-64 layer) with enough slivers to
    /// share: there packing the small A twice costs less than the barriers, and a part never waits for the other.
    /// </summary>
    private static bool SplitRows(int m, int mc, int rowTiles, int columnTiles, int threads) =>
        rowTiles >= columnTiles && !(m <= mc && columnTiles >= 2 * threads);

    /// <summary>Columns per B panel: N cut into ⌈n/NC⌉ equal panels, each rounded up to whole slivers.</summary>
    private static int PanelWidth(int n, int nr)
    {
        var panels = (n + Nc - 1) / Nc;
        var perPanel = (n + panels - 1) / panels;
        return (perPanel + nr - 1) / nr * nr;
    }

    /// <summary>
    /// The next unit for <paramref name="part"/> (at or past <paramref name="units"/> when none is left). Whole
    /// chunks are claimed from the part's own share of them first, front to back, then from the others' shares,
    /// so parts work on contiguous columns (one shared cache line of C per pair of neighbours) unless one falls
    /// behind; K blocks of chunks are claimed in order, all parts from one counter.
    /// </summary>
    private int ClaimUnit(int part, int parts, int units, bool wholeChunks)
    {
        if (!wholeChunks)
        {
            return Interlocked.Increment(ref _nextUnit) - 1;
        }

        for (var i = 0; i < parts; i++)
        {
            var share = (part + i) % parts;
            var (start, end) = Share(units, share, parts);
            var unit = start + Interlocked.Increment(ref _nextInShare[share]) - 1;
            if (unit < end)
            {
                return unit;
            }
        }

        return units;
    }

    /// <summary>The first row of the next unclaimed A block (at or past m when none is left).</summary>
    private int ClaimBlock(ref int counter) => (Interlocked.Increment(ref counter) - 1) * _blockRows;

    /// <summary>
    /// The jr and ir loops: every register tile of an MC×KC A block (rows ic..ic+mc, prepared by
    /// <see cref="PrepareA"/>) against B slivers [firstSliver, endSliver) (prepared by <see cref="PrepareB"/>
    /// from <paramref name="packedB"/> on).
    /// </summary>
    private void MultiplyBlock(in GemmProblem<T> p, T* packedA, T* packedB, T* tile, int ic, int mc, int jc, int pc, int kc, int sliverStride, int firstSliver, int endSliver, bool overwrite)
    {
        var mr = _mr;
        var nr = _nr;
        for (var s = firstSliver; s < endSliver; s++)
        {
            var j0 = jc + (s * nr);
            var columns = Math.Min(nr, p.N - j0);
            var inPlaceB = _directB && columns == nr;
            var b = inPlaceB ? p.B + ((nint)pc * p.N) + j0 : packedB + ((nint)(s - firstSliver) * sliverStride);
            var bStep = inPlaceB ? p.N : nr;

            for (var r = 0; r * mr < mc; r++)
            {
                var i0 = ic + (r * mr);
                var rows = Math.Min(mr, mc - (r * mr));
                // Packed slivers: A[i, p] at i + p·MR. In place: A[i, p] at i·K + p, or i + p·M when stored transposed.
                var a = packedA + ((nint)r * kc * mr);
                nint aRow = 1, aStep = mr;
                if (_directA)
                {
                    if (rows < mr)
                    {
                        a = packedA;
                    }
                    else if (p.TransA)
                    {
                        a = p.A + ((nint)pc * p.M) + i0;
                        aStep = p.M;
                    }
                    else
                    {
                        a = p.A + ((nint)i0 * p.K) + pc;
                        aRow = p.K;
                        aStep = 1;
                    }
                }

                var c = p.C + ((nint)i0 * p.N) + j0;
                if (rows == mr && columns == nr)
                {
                    MicroKernel(kc, a, aRow, aStep, b, bStep, c, p.N, overwrite);
                    continue;
                }

                // Edge tile: compute the full padded tile aside, then keep only the valid part.
                MicroKernel(kc, a, aRow, aStep, b, bStep, tile, nr, overwrite: true);
                for (var i = 0; i < rows; i++)
                {
                    var target = c + ((nint)i * p.N);
                    var source = tile + (i * nr);
                    for (var j = 0; j < columns; j++)
                    {
                        target[j] = overwrite ? source[j] : target[j] + source[j];
                    }
                }
            }
        }
    }

    /// <summary>One register tile on this product's <see cref="GemmTile"/>: C[MR×NR] (=|+=) A·B (see the micro-kernels for the operand strides).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MicroKernel(int kc, T* a, nint aRow, nint aStep, T* b, nint bStep, T* c, nint ldc, bool overwrite)
    {
        if (typeof(T) == typeof(float))
        {
            switch (_tile)
            {
                case GemmTile.Vector512:
                    MicroKernelFloat8x32.Run(kc, (float*)a, aRow, aStep, (float*)b, bStep, (float*)c, ldc, overwrite);
                    return;
                case GemmTile.Vector256:
                    MicroKernelFloat6x16.Run(kc, (float*)a, aRow, aStep, (float*)b, bStep, (float*)c, ldc, overwrite);
                    return;
                case GemmTile.Vector128:
                    MicroKernelFloat6x8.Run(kc, (float*)a, aRow, aStep, (float*)b, bStep, (float*)c, ldc, overwrite);
                    return;
            }
        }
        else if (typeof(T) == typeof(double))
        {
            switch (_tile)
            {
                case GemmTile.Vector512:
                    MicroKernelDouble8x16.Run(kc, (double*)a, aRow, aStep, (double*)b, bStep, (double*)c, ldc, overwrite);
                    return;
                case GemmTile.Vector256:
                    MicroKernelDouble6x8.Run(kc, (double*)a, aRow, aStep, (double*)b, bStep, (double*)c, ldc, overwrite);
                    return;
                case GemmTile.Vector128:
                    MicroKernelDouble6x4.Run(kc, (double*)a, aRow, aStep, (double*)b, bStep, (double*)c, ldc, overwrite);
                    return;
            }
        }

        MicroKernelScalar<T>.Run(_mr, _nr, kc, a, aRow, aStep, b, bStep, c, ldc, overwrite);
    }
}
