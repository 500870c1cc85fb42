namespace Lantern;

/// <summary>What one entry of a tensor indexer does (Python's index kinds).</summary>
public enum TensorIndexKind
{
    /// <summary>An integer: selects one position and removes the dim (x[1], x[^1]).</summary>
    Select,
    /// <summary>A slice start:stop:step (x[1..3], x[..]); keeps the dim.</summary>
    Slice,
    /// <summary>A Bool mask or an Int64 index tensor (advanced indexing; the result is a copy).</summary>
    Tensor,
    /// <summary>Python's ... : as many full slices as needed.</summary>
    Ellipsis,
    /// <summary>Python's None: inserts a size-1 dim.</summary>
    NewAxis,
}

/// <summary>
/// One entry of <c>x[...]</c>: converts implicitly from int (select; negative counts from the end), System.Index
/// (^1 is the last), System.Range (a slice; <c>..</c> is everything) and Tensor (Bool mask or Int64 indices), plus
/// <see cref="Ellipsis"/>, <see cref="NewAxis"/> and <see cref="Slice"/> for slices with a step.
/// </summary>
public readonly struct TensorIndex
{
    private TensorIndex(TensorIndexKind kind, Index position = default, Index? start = null, Index? stop = null, int step = 1, Tensor? tensor = null)
    {
        Kind = kind;
        Position = position;
        Start = start;
        Stop = stop;
        Step = step;
        Tensor = tensor;
    }

    /// <summary>The kind of entry.</summary>
    public TensorIndexKind Kind { get; }

    /// <summary>The selected position (Select).</summary>
    public Index Position { get; }

    /// <summary>Slice start (null: from the beginning).</summary>
    public Index? Start { get; }

    /// <summary>Slice stop, exclusive (null: to the end).</summary>
    public Index? Stop { get; }

    /// <summary>Slice step (positive).</summary>
    public int Step { get; }

    /// <summary>The index tensor (Tensor kind).</summary>
    public Tensor? Tensor { get; }

    /// <summary>Python's <c>...</c>.</summary>
    public static TensorIndex Ellipsis => new(TensorIndexKind.Ellipsis);

    /// <summary>Python's <c>None</c>: a new size-1 dim.</summary>
    public static TensorIndex NewAxis => new(TensorIndexKind.NewAxis);

    /// <summary>Python's start:stop:step; negative start/stop count from the end, null means the whole extent.</summary>
    /// <exception cref="ArgumentException">step &lt;= 0.</exception>
    public static TensorIndex Slice(int? start = null, int? stop = null, int step = 1)
    {
        if (step <= 0) throw new ArgumentException($"TensorIndex.Slice: step must be greater than zero, got {step}.");
        return new(TensorIndexKind.Slice, start: start is { } s ? FromInt(s) : null, stop: stop is { } e ? FromInt(e) : null, step: step);
    }

    private static Index FromInt(int v) => v >= 0 ? new Index(v) : new Index(-v, fromEnd: true);

    /// <summary>x[i]: select (negative counts from the end).</summary>
    public static implicit operator TensorIndex(int index) => new(TensorIndexKind.Select, FromInt(index));

    /// <summary>x[^i]: select from the end.</summary>
    public static implicit operator TensorIndex(Index index) => new(TensorIndexKind.Select, index);

    /// <summary>x[a..b]: a slice (clamped to the dim like Python slicing).</summary>
    public static implicit operator TensorIndex(Range range) => new(TensorIndexKind.Slice, start: range.Start, stop: range.End);

    /// <summary>x[mask] or x[indices]: advanced indexing with a Bool or Int64 tensor.</summary>
    public static implicit operator TensorIndex(Tensor tensor) => new(TensorIndexKind.Tensor, tensor: tensor);

    /// <summary>Python spelling: "1", "-1", "1:3", "::2", "...", "None", "tensor".</summary>
    public override string ToString() => Kind switch
    {
        TensorIndexKind.Select => Show(Position),
        TensorIndexKind.Slice => $"{(Start is { } s ? Show(s) : "")}:{(Stop is { } e ? Show(e) : "")}{(Step != 1 ? $":{Step}" : "")}",
        TensorIndexKind.Ellipsis => "...",
        TensorIndexKind.NewAxis => "None",
        _ => $"tensor({Tensor!.DType} {Tensor.Shape})",
    };

    private static string Show(Index i) => i.IsFromEnd ? $"-{i.Value}" : $"{i.Value}";

    /// <summary>The integer position along a dim of <paramref name="size"/> (Python's negative-index rule, then a bounds check).</summary>
    internal int Resolve(int size, int dim)
    {
        int i = Position.IsFromEnd ? size - Position.Value : Position.Value;
        if (i < 0 || i >= size)
            throw new ArgumentOutOfRangeException(nameof(Position), $"Indexer: index {Show(Position)} is out of bounds for dimension {dim} with size {size}.");
        return i;
    }

    /// <summary>Python slice bounds clamped to [0, size].</summary>
    internal (int Start, int Stop) Bounds(int size)
    {
        static int At(Index? i, int size, int dflt) => i is not { } v ? dflt : Math.Clamp(v.IsFromEnd ? size - v.Value : v.Value, 0, size);
        return (At(Start, size, 0), At(Stop, size, size));
    }
}

// The indexer: x[...] with Python/PyTorch semantics. Basic entries (ints, slices, ..., NewAxis) make a view with
// PyTorch's strides; tensors make an advanced-indexing copy (Index) or write (IndexPut_).
public sealed partial class Tensor
{
    /// <summary>
    /// Python indexing. Get: ints, ranges, Ellipsis and NewAxis give a view sharing storage (x[1, .., ^1] is
    /// x[1, :, -1]); Bool masks and Int64 tensors select a copy (as <see cref="Index"/>), with the broadcast index
    /// dims placed where the tensors were when they are adjacent, and first otherwise (PyTorch's rule). Set: the value
    /// (broadcast, cast) is copied into the view, or written with <see cref="IndexPut_"/> for advanced indices.
    /// </summary>
    /// <example><c>x[.., 1..3]</c>, <c>x[0] = Tensor.Scalar(5)</c>, <c>x[x.Lt(0)] = Tensor.Scalar(0)</c>.</example>
    /// <exception cref="ArgumentException">Too many indices, more than one Ellipsis, a bad mask shape or index dtype.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index out of bounds.</exception>
    [System.Runtime.CompilerServices.IndexerName("At")] // "Item" is taken by Item()
    public Tensor this[params TensorIndex[] indices]
    {
        get => GetItem(indices);
        set => SetItem(indices, value);
    }

    private Tensor GetItem(TensorIndex[] indices)
    {
        var (view, adv) = ApplyBasicIndices(indices);
        if (adv.Count == 0) return ReferenceEquals(view, this) ? MakeView(_layout, "Alias", g => [g]) : view;
        var (front, perm, move) = AdvancedArrangement(view, adv);
        var y = front.Index(adv.Select(a => a.Index).ToArray());
        return move is null ? y : y.Permute(move).Contiguous();
    }

    private void SetItem(TensorIndex[] indices, Tensor value)
    {
        var (view, adv) = ApplyBasicIndices(indices);
        if (adv.Count == 0)
        {
            view.Copy_(StripLeadingOnes(value, view.Rank));
            return;
        }
        var (front, _, move) = AdvancedArrangement(view, adv);
        var v = value;
        if (move is not null)
        {
            // The value is laid out like the getter's result: bring the index dims back to the front.
            var b = AdvancedShape(adv);
            var frontShape = Shape.Wrap([.. b.ToArray(), .. front.Shape.Dims[Consumed(adv)..].ToArray()]);
            var result = Shape.Wrap(move.Select(m => frontShape[m]).ToArray());
            v = StripLeadingOnes(v, result.Rank);
            if (!BroadcastsTo(v.Shape, result))
                throw new ArgumentException($"Indexer: shape mismatch: value tensor of shape {value.Shape} cannot be broadcast to indexing result of shape {result}.");
            var inverse = new int[move.Length];
            for (int i = 0; i < move.Length; i++) inverse[move[i]] = i;
            v = v.Expand(result.ToArray()).Permute(inverse);
        }
        front.IndexPut_(adv.Select(a => a.Index).ToArray(), v);
    }

    private static int Consumed(List<(int Dim, Tensor Index)> adv) => adv.Sum(a => a.Index.DType == DType.Bool ? a.Index.Rank : 1);

    // PyTorch's copy_ for setitem drops leading size-1 dims of the value that the destination does not have.
    private static Tensor StripLeadingOnes(Tensor v, int rank)
    {
        while (v.Rank > rank && v.Shape[0] == 1) v = v.Squeeze(0);
        return v;
    }

    /// <summary>Applies ints, slices, Ellipsis and NewAxis as views; returns the view and the tensors with the dim they index in it.</summary>
    private (Tensor View, List<(int Dim, Tensor Index)> Advanced) ApplyBasicIndices(TensorIndex[] indices)
    {
        int consumed = 0, ellipses = 0;
        foreach (var ix in indices)
        {
            switch (ix.Kind)
            {
                case TensorIndexKind.Select or TensorIndexKind.Slice: consumed++; break;
                case TensorIndexKind.Ellipsis: ellipses++; break;
                case TensorIndexKind.Tensor: consumed += ix.Tensor!.DType == DType.Bool && ix.Tensor.Rank > 0 ? ix.Tensor.Rank : ix.Tensor.DType == DType.Bool ? 0 : 1; break;
            }
        }
        if (ellipses > 1) throw new ArgumentException("Indexer: an index can only have a single ellipsis ('...').");
        if (consumed > Rank)
            throw new ArgumentException($"Indexer: too many indices for tensor of dimension {Rank} (shape {Shape}, indices [{string.Join(", ", indices)}]).");
        var t = this;
        int dim = 0;
        var adv = new List<(int, Tensor)>();
        foreach (var ix in indices)
        {
            switch (ix.Kind)
            {
                case TensorIndexKind.Select:
                    t = t.Select(dim, ix.Resolve(t.Shape[dim], dim));
                    break;
                case TensorIndexKind.Slice:
                    var (start, stop) = ix.Bounds(t.Shape[dim]);
                    t = t.Slice(dim, start, stop, ix.Step);
                    dim++;
                    break;
                case TensorIndexKind.NewAxis:
                    t = t.Unsqueeze(dim++);
                    break;
                case TensorIndexKind.Ellipsis:
                    dim += Rank - consumed;
                    break;
                default:
                    var index = ix.Tensor!;
                    if (index.DType == DType.Bool && index.Rank == 0)
                    {
                        // x[True] adds a size-1 dim, x[False] a size-0 one.
                        t = t.Unsqueeze(dim);
                        if (!index.Item<bool>()) t = t.Narrow(dim, 0, 0);
                        dim++;
                        break;
                    }
                    adv.Add((dim, index));
                    dim += index.DType == DType.Bool ? index.Rank : 1;
                    break;
            }
        }
        return (t, adv);
    }

    /// <summary>
    /// Moves the advanced-indexed dims of the view to the front (Index works on leading dims). When they were adjacent
    /// and not first, <c>Move</c> is the permutation that puts the broadcast index dims back at their place.
    /// </summary>
    private static (Tensor Front, int[] Perm, int[]? Move) AdvancedArrangement(Tensor view, List<(int Dim, Tensor Index)> adv)
    {
        var covered = new List<int>();
        foreach (var (d, index) in adv)
            for (int j = 0; j < (index.DType == DType.Bool ? index.Rank : 1); j++) covered.Add(d + j);
        var others = Enumerable.Range(0, view.Rank).Where(d => !covered.Contains(d)).ToList();
        var perm = covered.Concat(others).ToArray();
        bool identity = perm.Select((p, i) => p == i).All(x => x);
        var front = identity ? view : view.Permute(perm);
        int first = covered[0];
        bool adjacent = covered.Zip(covered.Skip(1), (a, b) => b == a + 1).All(x => x);
        if (!adjacent || first == 0) return (front, perm, null);
        // Result of Index: [B..., others...]; wanted: [others[..first], B..., others[first..]].
        int bRank = AdvancedShape(adv).Rank;
        var move = Enumerable.Range(bRank, first).Concat(Enumerable.Range(0, bRank)).Concat(Enumerable.Range(bRank + first, others.Count - first)).ToArray();
        return (front, perm, move);
    }

    /// <summary>The broadcast shape of the advanced indices (a Bool mask contributes [count]).</summary>
    private static Shape AdvancedShape(List<(int Dim, Tensor Index)> adv)
    {
        Shape b = default;
        bool firstShape = true;
        foreach (var (_, index) in adv)
        {
            Shape s = index.DType == DType.Bool ? new Shape(SortBackend.CountNonZero(index.Buffer, index._layout)) : index.Shape;
            b = firstShape ? s : Shape.Broadcast(b, s, "Indexer");
            firstShape = false;
        }
        return b;
    }
}
