using System.Numerics;

namespace Lantern.Kernels;

/// <summary>
/// The blocked GEMM driver (GotoBLAS/BLIS loop nest) for one micro-kernel:
/// <code>
/// for jc in n step NC:                 B block KC x NC (L3), packed once per (jc, pc), shared by all threads
///   for pc in k step kc:               kc = k split into equal blocks of at most KC (depends on k only)
///     pack B[pc:+kc, jc:+nc]           (parallel over NR panels)
///     parallel over a fixed grid of (row range, column range) chunks:
///       for ic in row range step MC:   A block MC x kc (L2), packed by the thread that uses it
///         for jr in column range step NR:   B micro-panel kc x NR (L1, or streamed from L2)
///           for ir in ic block step MR:     micro-kernel on an MR x NR tile of C
/// </code>
/// Every element of C is summed over k in the same order (kc blocks in order, each by one micro-kernel call)
/// whatever the thread count or grid, so results do not depend on KernelThreads.Threads.
/// </summary>
internal static unsafe class GemmDriver<T, TK> where T : unmanaged, IFloatingPointIeee754<T> where TK : IGemmKernel<T>
{
    [ThreadStatic] private static Job? t_job;

    // Blocking; the overrides exist for tuning from the bench (0 = the kernel's own values). KC changes the
    // order of the k-sum, so it must never depend on the thread count.
    internal static int OverrideKC, OverrideMC, OverrideNC;
    /// <summary>Row chunks per thread when the grid splits rows only (dynamic load balance on a busy machine).</summary>
    internal static int ChunksPerThread = 3;
    private static int KC => OverrideKC > 0 ? OverrideKC : TK.KC;
    private static int MC => OverrideMC > 0 ? RoundUp(OverrideMC, TK.MR) : TK.MC;
    private static int NC => OverrideNC > 0 ? RoundUp(OverrideNC, TK.NR) : TK.NC;

    /// <summary>
    /// C = alpha * A·B + beta * C for m, n, k &gt; 0 on raw pointers with element strides (C must not alias
    /// A or B). Uses up to <paramref name="threads"/> threads of <see cref="KernelThreads"/>.
    /// </summary>
    public static void Run(int m, int n, int k, T alpha, T* a, nint rsA, nint csA, T* b, nint rsB, nint csB,
        T beta, T* c, nint rsC, nint csC, int threads)
    {
        var job = t_job ??= new Job();
        job.Start(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, rsC, csC, threads);
        try { job.Execute(); }
        finally { job.Clear(); }
    }

    private sealed class Job
    {
        private int _m, _n, _k, _threads;
        private T _alpha, _beta;
        private T* _a, _b, _c, _bp;
        private nint _rsA, _csA, _rsB, _csB, _rsC, _csC;
        // Current block: columns [jc, jc + nc), depth [pc, pc + kc), beta for this depth block.
        private int _jc, _nc, _pc, _kc, _tm, _tn, _nPanels, _packChunks;
        private T _betaBlock;
        private readonly Action<int> _packB;
        private readonly Action<int> _compute;

        public Job()
        {
            _packB = PackBChunk;
            _compute = Compute;
        }

        public void Start(int m, int n, int k, T alpha, T* a, nint rsA, nint csA, T* b, nint rsB, nint csB,
            T beta, T* c, nint rsC, nint csC, int threads)
        {
            (_m, _n, _k, _alpha, _beta, _threads) = (m, n, k, alpha, beta, threads);
            _a = a; _b = b; _c = c;
            (_rsA, _csA, _rsB, _csB, _rsC, _csC) = (rsA, csA, rsB, csB, rsC, csC);
        }

        public void Clear()
        {
            _a = _b = _c = _bp = null;
        }

        public void Execute()
        {
            int mr = TK.MR, nr = TK.NR;
            int kBlocks = (_k + KC - 1) / KC;
            int kcMax = (_k + kBlocks - 1) / kBlocks;
            int ncMax = Math.Min(NC, RoundUp(_n, nr));
            _bp = GemmBuffers.PackB<T>((long)kcMax * ncMax);
            int mTiles = (_m + mr - 1) / mr;
            for (_jc = 0; _jc < _n; _jc += NC)
            {
                _nc = Math.Min(NC, _n - _jc);
                int nPanels = _nPanels = (_nc + nr - 1) / nr;
                ChooseGrid(mTiles, nPanels);
                for (_pc = 0; _pc < _k; _pc += kcMax)
                {
                    _kc = Math.Min(kcMax, _k - _pc);
                    _betaBlock = _pc == 0 ? _beta : T.One;
                    if (_threads > 1)
                    {
                        _packChunks = Math.Max(1, Math.Min(nPanels / 4, _threads * ChunksPerThread));
                        KernelThreads.ForChunks(_packChunks, _packB);
                        KernelThreads.ForChunks(_tm * _tn, _compute);
                    }
                    else
                    {
                        PackBRange(0, nPanels);
                        Compute(0);
                    }
                }
            }
        }

        /// <summary>
        /// Splits the tiles of the current block into a tm x tn grid of chunks: first tm * tn = threads with the
        /// smallest largest chunk (ties go to more row ranges, which share the packed B and pack disjoint A),
        /// then a pure row split is refined to <see cref="ChunksPerThread"/> chunks per thread.
        /// </summary>
        private void ChooseGrid(int mTiles, int nPanels)
        {
            _tm = 1; _tn = 1;
            if (_threads <= 1) return;
            long best = long.MaxValue;
            for (int tm = _threads; tm >= 1; tm--)
            {
                if (_threads % tm != 0) continue;
                int tn = _threads / tm;
                long cost = (long)((mTiles + tm - 1) / tm) * ((nPanels + tn - 1) / tn);
                if (cost < best) (best, _tm, _tn) = (cost, tm, tn);
            }
            // Row ranges cost nothing extra (B is shared, A disjoint): cut them finer than one per thread so a
            // thread slowed by something else on its core hands its share to the others (chunks are claimed
            // dynamically). Results do not depend on the grid.
            if (_tn == 1) _tm = Math.Min(mTiles, _threads * ChunksPerThread);
        }

        private void PackBChunk(int chunk)
        {
            int p0 = (int)((long)_nPanels * chunk / _packChunks), p1 = (int)((long)_nPanels * (chunk + 1) / _packChunks);
            PackBRange(p0, p1);
        }

        private void PackBRange(int panel0, int panel1)
        {
            GemmPack<T, TK>.PackB(_kc, _nc, _b + _pc * _rsB + _jc * _csB, _rsB, _csB, _bp, panel0, panel1);
        }

        private void Compute(int chunk)
        {
            if (_tm * _tn == 1)
            {
                ComputeRange(0, _m, 0, _nc);
                return;
            }
            int mr = TK.MR, nr = TK.NR;
            int mTiles = (_m + mr - 1) / mr, nPanels = (_nc + nr - 1) / nr;
            int ti = chunk / _tn, tj = chunk % _tn;
            int i0 = (int)((long)mTiles * ti / _tm) * mr, i1 = Math.Min(_m, (int)((long)mTiles * (ti + 1) / _tm) * mr);
            int j0 = (int)((long)nPanels * tj / _tn) * nr, j1 = Math.Min(_nc, (int)((long)nPanels * (tj + 1) / _tn) * nr);
            if (i0 < i1 && j0 < j1) ComputeRange(i0, i1, j0, j1);
        }

        /// <summary>Rows [i0, i1) of C, columns [jc + j0, jc + j1), for the current depth block.</summary>
        private void ComputeRange(int i0, int i1, int j0, int j1)
        {
            int mr = TK.MR, nr = TK.NR, kc = _kc;
            int mcMax = Math.Min(MC, RoundUp(i1 - i0, mr));
            T* ap = GemmBuffers.PackA<T>((long)mcMax * kc + 16); // + slack for the packing transpose
            T* scratch = GemmBuffers.Scratch<T>();
            T* aBlock = _a + _pc * _csA;
            T* cBlock = _c + _jc * _csC;
            T alpha = _alpha, beta = _betaBlock;
            nint rsC = _rsC, csC = _csC;
            for (int ic = i0; ic < i1; ic += MC)
            {
                int mc = Math.Min(MC, i1 - ic);
                GemmPack<T, TK>.PackA(mc, kc, aBlock + ic * _rsA, _rsA, _csA, ap);
                for (int jr = j0; jr < j1; jr += nr)
                {
                    int ncr = Math.Min(nr, _nc - jr);
                    T* bPanel = _bp + (long)(jr / nr) * nr * kc;
                    T* cCol = cBlock + jr * csC;
                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        int mcr = Math.Min(mr, mc - ir);
                        TK.Run(kc, ap + (long)ir * kc, bPanel, cCol + (ic + ir) * rsC, rsC, csC, mcr, ncr, alpha, beta, scratch);
                    }
                }
            }
        }

    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
