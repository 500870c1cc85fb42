namespace Lantern;

// Copies that rearrange or repeat data: Roll (Cat of two Narrows), Repeat / Tile / RepeatInterleave (Expand of a
// view, then one contiguous copy; the engine sums the Expand gradient), RepeatInterleave by counts (IndexSelect),
// Tril / Triu (MaskedFill) and Diag. All are composites, so they need no backward of their own.
public sealed partial class Tensor
{
    /// <summary>
    /// torch.roll(shifts, dims): element i along dims[k] moves to (i + shifts[k]) mod size. With empty
    /// <paramref name="dims"/> the tensor is flattened, rolled by the single shift, and reshaped back.
    /// </summary>
    /// <example><c>Tensor.Arange(5).Roll([2], [0])  // [3, 4, 0, 1, 2]</c></example>
    /// <exception cref="ArgumentException">shifts and dims differ in length (or dims is empty and shifts has not one element), dim out of range.</exception>
    [Differentiable]
    public Tensor Roll(int[] shifts, int[] dims)
    {
        if (dims.Length == 0)
        {
            if (shifts.Length != 1)
                throw new ArgumentException($"Roll: shifts must have exactly one element when dims is empty, got [{string.Join(", ", shifts)}].");
            return Reshape(-1).Roll(shifts, [0]).View(Shape.ToArray());
        }
        if (shifts.Length != dims.Length)
            throw new ArgumentException($"Roll: shifts and dimensions must align. shifts: [{string.Join(", ", shifts)}], dims: [{string.Join(", ", dims)}].");
        var t = this;
        for (int i = 0; i < dims.Length; i++)
        {
            int d = Shape.NormalizeDim(dims[i], "Roll");
            if (Rank == 0) continue;
            int n = Shape[d];
            if (n == 0) continue;
            int s = (int)(((long)shifts[i] % n + n) % n);
            if (s == 0) continue;
            t = Cat([t.Narrow(d, n - s, s), t.Narrow(d, 0, n - s)], d);
        }
        return ReferenceEquals(t, this) ? Clone() : t;
    }

    /// <summary>torch.roll(shift, dim): one shift along one dim, or over the flattened tensor when dim is null.</summary>
    public Tensor Roll(int shift, int? dim = null) => dim is { } d ? Roll([shift], [d]) : Roll([shift], []);

    /// <summary>
    /// torch.Tensor.repeat(repeats): the tensor tiled repeats[k] times along dim k; extra leading repeats add
    /// leading dims. Output size k = repeats[k] * size(k) (size 1 for the added dims). Always a copy.
    /// </summary>
    /// <example><c>Tensor.FromArray(new float[] { 1, 2 }).Repeat(2, 2)  // [[1, 2, 1, 2], [1, 2, 1, 2]]</c></example>
    /// <exception cref="ArgumentException">Fewer repeats than dims, or a negative repeat.</exception>
    [Differentiable]
    public Tensor Repeat(params int[] repeats)
    {
        if (repeats.Length < Rank)
            throw new ArgumentException($"Repeat: number of dimensions of repeat dims ({repeats.Length}) can not be smaller than number of dimensions of tensor ({Rank}, shape {Shape}).");
        if (repeats.Any(r => r < 0))
            throw new ArgumentException($"Repeat: repeats must be non-negative, got [{string.Join(", ", repeats)}].");
        int n = repeats.Length, lead = n - Rank;
        // [s0, s1, ...] viewed as [1, s0, 1, s1, ...], expanded to [r0, s0, r1, s1, ...], copied as [r0*s0, r1*s1, ...].
        var view = new int[2 * n];
        var expanded = new int[2 * n];
        var output = new int[n];
        for (int i = 0; i < n; i++)
        {
            int size = i < lead ? 1 : Shape[i - lead];
            view[2 * i] = 1;
            view[2 * i + 1] = size;
            expanded[2 * i] = repeats[i];
            expanded[2 * i + 1] = size;
            output[i] = repeats[i] * size;
        }
        var y = Reshape(view).Expand(expanded).Reshape(output);
        return y.SharesStorageWith(this) ? y.Clone() : y;
    }

    /// <summary>
    /// torch.tile(reps): like <see cref="Repeat"/>, but fewer reps than dims are padded with leading 1s.
    /// </summary>
    /// <exception cref="ArgumentException">A negative rep.</exception>
    [Differentiable]
    public Tensor Tile(params int[] reps)
    {
        if (reps.Length < Rank) reps = [.. Enumerable.Repeat(1, Rank - reps.Length), .. reps];
        return Repeat(reps);
    }

    /// <summary>
    /// torch.repeat_interleave(repeats, dim): each slice along dim repeated <paramref name="repeats"/> times in place
    /// ([a, b] -> [a, a, b, b]); with dim null the tensor is flattened first (1-D result).
    /// </summary>
    /// <exception cref="ArgumentException">Negative repeats or dim out of range.</exception>
    [Differentiable]
    public Tensor RepeatInterleave(int repeats, int? dim = null)
    {
        if (repeats < 0) throw new ArgumentException($"RepeatInterleave: repeats can not be negative, got {repeats}.");
        var (x, d) = InterleaveInput(dim);
        var sizes = x.Shape.ToArray();
        var expanded = Layout.Insert(sizes, d + 1, repeats);
        sizes[d] *= repeats;
        var y = x.Unsqueeze(d + 1).Expand(expanded).Reshape(sizes);
        return y.SharesStorageWith(this) ? y.Clone() : y;
    }

    /// <summary>
    /// torch.repeat_interleave(repeats, dim) with per-slice counts: slice i along dim appears repeats[i] times.
    /// repeats is Int64, 1-D with size(dim) entries, or a single count applied to every slice.
    /// </summary>
    /// <exception cref="ArgumentException">repeats not Int64, not 0-/1-D, of the wrong length, or negative.</exception>
    [Differentiable]
    public Tensor RepeatInterleave(Tensor repeats, int? dim = null)
    {
        if (repeats.DType != DType.Int64) throw new ArgumentException($"RepeatInterleave: repeats must be an Int64 tensor, got {repeats.DType}.");
        if (repeats.Rank > 1) throw new ArgumentException($"RepeatInterleave: repeats must be 0-dim or 1-dim tensor, got shape {repeats.Shape}.");
        var (x, d) = InterleaveInput(dim);
        int n = x.Shape[d];
        Tensor idx;
        using (Autograd.NoGrad())
        {
            var r = repeats.Reshape(-1);
            if (r.Numel() == 1 && n != 1) r = r.Expand(n);
            if (r.Numel() != n)
                throw new ArgumentException($"RepeatInterleave: repeats must have the same size as input along dim, but got repeats.size(0) = {r.Numel()} and input.size({d}) = {n} (input shape {Shape}).");
            if (n > 0 && r.Min().Item<long>() < 0)
                throw new ArgumentException($"RepeatInterleave: repeats can not be negative, got {r.Min().Item<long>()}.");
            long total = n == 0 ? 0 : r.Sum().Item<long>();
            if (total > int.MaxValue) throw new ArgumentException($"RepeatInterleave: the result would have {total} slices along dim {d}.");
            idx = Uninitialized([(int)total], DType.Int64);
            SortBackend.RepeatIndices(r.Buffer, r._layout, idx.Buffer);
        }
        return x.IndexSelect(d, idx);
    }

    private (Tensor X, int Dim) InterleaveInput(int? dim)
    {
        if (dim is null || Rank == 0)
        {
            if (dim is { } d0) Shape.NormalizeDim(d0, "RepeatInterleave");
            return (Reshape(-1), 0);
        }
        return (this, Shape.NormalizeDim(dim.Value, "RepeatInterleave"));
    }

    /// <summary>
    /// torch.tril(diagonal): the lower triangle of the last two dims (elements with column - row &lt;= diagonal);
    /// the rest set to 0. diagonal 0 is the main diagonal, positive values include diagonals above it.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 dims.</exception>
    [Differentiable]
    public Tensor Tril(int diagonal = 0) => Triangle(diagonal, lower: true, "Tril");

    /// <summary>torch.triu(diagonal): the upper triangle of the last two dims (column - row &gt;= diagonal); the rest 0.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 dims.</exception>
    [Differentiable]
    public Tensor Triu(int diagonal = 0) => Triangle(diagonal, lower: false, "Triu");

    /// <summary>In-place <see cref="Tril"/>.</summary>
    public Tensor Tril_(int diagonal = 0) => InPlace("Tril_", t => t.Tril(diagonal));

    /// <summary>In-place <see cref="Triu"/>.</summary>
    public Tensor Triu_(int diagonal = 0) => InPlace("Triu_", t => t.Triu(diagonal));

    private Tensor Triangle(int k, bool lower, string op)
    {
        if (Rank < 2) throw new ArgumentException($"{op}: input tensor must have at least 2 dimensions, got shape {Shape}.");
        Tensor drop;
        using (Autograd.NoGrad())
        {
            var colMinusRow = Arange(Shape[-1]).Unsqueeze(0).Sub(Arange(Shape[-2]).Unsqueeze(1)); // [rows, cols]
            drop = lower ? colMinusRow.Gt(k) : colMinusRow.Lt(k);
        }
        return MaskedFill(drop, 0);
    }

    /// <summary>
    /// torch.diag(diagonal): a 1-D tensor of n elements becomes an (n + |diagonal|)-square matrix with it on the given
    /// diagonal (above the main one when positive); a 2-D tensor gives a copy of that diagonal (1-D).
    /// </summary>
    /// <example><c>Tensor.FromArray(new float[] { 1, 2 }).Diag(1)  // [[0, 1, 0], [0, 0, 2], [0, 0, 0]]</c></example>
    /// <exception cref="ArgumentException">The tensor is neither 1-D nor 2-D.</exception>
    [Differentiable]
    public Tensor Diag(int diagonal = 0)
    {
        if (Rank == 2) return Diagonal(diagonal).Clone();
        if (Rank != 1) throw new ArgumentException($"Diag: matrix or a vector expected, got a {Rank}-D tensor of shape {Shape}.");
        int m = Shape[0] + Math.Abs(diagonal);
        return ScatterToShape([m, m], Layout.Contiguous([m, m]).Diagonal(diagonal, 0, 1));
    }

    /// <summary>torch.diag(x, diagonal): see <see cref="Diag(int)"/>.</summary>
    /// <exception cref="ArgumentException">x is neither 1-D nor 2-D.</exception>
    public static Tensor Diag(Tensor x, int diagonal = 0) => x.Diag(diagonal);
}
