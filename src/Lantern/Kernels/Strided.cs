namespace Lantern.Kernels;

/// <summary>Body run on one innermost run of a single-operand walk: element k sits at o0 + k*s0.</summary>
public interface IRun1 { /// <summary>Processes one run.</summary>
    void Run(int o0, int s0, int len); }

/// <summary>Body for two operands walked together (operand 0 is usually the destination).</summary>
public interface IRun2 { /// <summary>Processes one run.</summary>
    void Run(int o0, int s0, int o1, int s1, int len); }

/// <summary>Body for three operands walked together.</summary>
public interface IRun3 { /// <summary>Processes one run.</summary>
    void Run(int o0, int s0, int o1, int s1, int o2, int s2, int len); }

/// <summary>Body for four operands walked together.</summary>
public interface IRun4 { /// <summary>Processes one run.</summary>
    void Run(int o0, int s0, int o1, int s1, int o2, int s2, int o3, int s3, int len); }

/// <summary>
/// The one strided iterator. Operands share a shape and have their own strides and offsets; dimensions are
/// coalesced where every operand is contiguous across them and size-1 dimensions are dropped, so a body
/// sees the longest possible runs (a whole contiguous tensor is one run). Outer runs are split across
/// <see cref="KernelThreads"/> when the element count reaches <c>grain</c>.
/// </summary>
public static class Strided
{
    /// <summary>Default element count per thread below which a walk stays on one thread.</summary>
    public const int DefaultGrain = 1 << 15;

    private sealed class Plan
    {
        public int Operands;
        public int[] Sizes = [];       // outer dims (coalesced), innermost excluded
        public int[][] Strides = [];   // [operand][outer dim]
        public int[] Offsets = [];     // [operand]
        public int Inner;              // innermost run length
        public int[] InnerStrides = [];// [operand]
        public int Runs;               // product of outer sizes
    }

    private static Plan MakePlan(Shape shape, ReadOnlySpan<Layout> ops)
    {
        int n = ops.Length;
        var sizes = shape.Dims;
        // Keep dims with size != 1, in order.
        var dims = new List<int>(sizes.Length);
        for (int d = 0; d < sizes.Length; d++) if (sizes[d] != 1) dims.Add(d);
        var cs = new List<int>();
        var cst = new List<int[]>();
        foreach (int d in dims)
        {
            var st = new int[n];
            for (int k = 0; k < n; k++) st[k] = ops[k].Strides[d];
            if (cs.Count > 0)
            {
                // Merge with the previous (outer) dim when for every operand prevStride == stride * size.
                int last = cs.Count - 1;
                bool merge = true;
                for (int k = 0; k < n && merge; k++) merge = cst[last][k] == st[k] * sizes[d];
                if (merge)
                {
                    cs[last] *= sizes[d];
                    cst[last] = st;
                    continue;
                }
            }
            cs.Add(sizes[d]);
            cst.Add(st);
        }
        var plan = new Plan { Operands = n, Offsets = new int[n], InnerStrides = new int[n] };
        for (int k = 0; k < n; k++) plan.Offsets[k] = ops[k].Offset;
        if (cs.Count == 0)
        {
            plan.Inner = 1;
            plan.Runs = shape.Numel == 0 ? 0 : 1;
            plan.Strides = new int[n][];
            for (int k = 0; k < n; k++) plan.Strides[k] = [];
            return plan;
        }
        plan.Inner = cs[^1];
        for (int k = 0; k < n; k++) plan.InnerStrides[k] = cst[^1][k];
        int outer = cs.Count - 1;
        plan.Sizes = cs.GetRange(0, outer).ToArray();
        plan.Strides = new int[n][];
        for (int k = 0; k < n; k++)
        {
            plan.Strides[k] = new int[outer];
            for (int d = 0; d < outer; d++) plan.Strides[k][d] = cst[d][k];
        }
        long runs = 1;
        foreach (int s in plan.Sizes) runs *= s;
        plan.Runs = plan.Inner == 0 ? 0 : (int)runs;
        return plan;
    }

    // Walks runs [r0, r1) of the plan, calling visit(offsets) for each.
    private static void Walk<TVisit>(Plan p, int r0, int r1, ref TVisit visit) where TVisit : struct, IRunVisitor
    {
        int outer = p.Sizes.Length, n = p.Operands;
        Span<int> idx = stackalloc int[Math.Max(outer, 1)];
        Span<int> off = stackalloc int[n];
        int rem = r0;
        for (int d = outer - 1; d >= 0; d--) { idx[d] = rem % p.Sizes[d]; rem /= p.Sizes[d]; }
        for (int k = 0; k < n; k++)
        {
            int o = p.Offsets[k];
            for (int d = 0; d < outer; d++) o += idx[d] * p.Strides[k][d];
            off[k] = o;
        }
        for (int r = r0; r < r1; r++)
        {
            visit.Visit(off, p.InnerStrides, p.Inner);
            for (int d = outer - 1; d >= 0; d--)
            {
                idx[d]++;
                for (int k = 0; k < n; k++) off[k] += p.Strides[k][d];
                if (idx[d] < p.Sizes[d]) break;
                for (int k = 0; k < n; k++) off[k] -= p.Strides[k][d] * p.Sizes[d];
                idx[d] = 0;
            }
        }
    }

    private interface IRunVisitor { void Visit(ReadOnlySpan<int> off, int[] st, int len); }

    private struct V1<T>(T b) : IRunVisitor where T : struct, IRun1
    {
        private T _b = b;
        public void Visit(ReadOnlySpan<int> o, int[] s, int len) => _b.Run(o[0], s[0], len);
    }

    private struct V2<T>(T b) : IRunVisitor where T : struct, IRun2
    {
        private T _b = b;
        public void Visit(ReadOnlySpan<int> o, int[] s, int len) => _b.Run(o[0], s[0], o[1], s[1], len);
    }

    private struct V3<T>(T b) : IRunVisitor where T : struct, IRun3
    {
        private T _b = b;
        public void Visit(ReadOnlySpan<int> o, int[] s, int len) => _b.Run(o[0], s[0], o[1], s[1], o[2], s[2], len);
    }

    private struct V4<T>(T b) : IRunVisitor where T : struct, IRun4
    {
        private T _b = b;
        public void Visit(ReadOnlySpan<int> o, int[] s, int len) => _b.Run(o[0], s[0], o[1], s[1], o[2], s[2], o[3], s[3], len);
    }

    private static void Execute<TVisit>(Plan p, TVisit visit, int grain) where TVisit : struct, IRunVisitor
    {
        if (p.Runs == 0) return;
        long total = (long)p.Runs * p.Inner;
        int chunks = (int)Math.Min(Math.Min(KernelThreads.Threads, p.Runs), Math.Max(1, total / Math.Max(grain, 1)));
        if (chunks <= 1)
        {
            Walk(p, 0, p.Runs, ref visit);
            return;
        }
        KernelThreads.ForChunks(chunks, c =>
        {
            var v = visit;
            int r0 = (int)((long)p.Runs * c / chunks), r1 = (int)((long)p.Runs * (c + 1) / chunks);
            Walk(p, r0, r1, ref v);
        });
    }

    /// <summary>Walks one layout in row-major order, run by run.</summary>
    public static void Run<T>(Layout l0, T body, int grain = DefaultGrain) where T : struct, IRun1
        => Execute(MakePlan(l0.Shape, [l0]), new V1<T>(body), grain);

    /// <summary>Walks two layouts of the same shape together.</summary>
    public static void Run<T>(Layout l0, Layout l1, T body, int grain = DefaultGrain) where T : struct, IRun2
        => Execute(MakePlan(l0.Shape, [l0, l1]), new V2<T>(body), grain);

    /// <summary>Walks three layouts of the same shape together.</summary>
    public static void Run<T>(Layout l0, Layout l1, Layout l2, T body, int grain = DefaultGrain) where T : struct, IRun3
        => Execute(MakePlan(l0.Shape, [l0, l1, l2]), new V3<T>(body), grain);

    /// <summary>Walks four layouts of the same shape together.</summary>
    public static void Run<T>(Layout l0, Layout l1, Layout l2, Layout l3, T body, int grain = DefaultGrain) where T : struct, IRun4
        => Execute(MakePlan(l0.Shape, [l0, l1, l2, l3]), new V4<T>(body), grain);
}
