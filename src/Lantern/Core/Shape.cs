using System.Collections;
using System.Runtime.CompilerServices;

namespace Lantern;

/// <summary>
/// Immutable tensor shape (sizes of each dimension). Write it as a collection expression:
/// <c>Tensor.Zeros([2, 3])</c>. <c>default(Shape)</c> is the 0-dim (scalar) shape.
/// </summary>
[CollectionBuilder(typeof(Shape), nameof(Create))]
public readonly struct Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private static readonly int[] s_empty = [];
    private readonly int[]? _dims;

    /// <summary>Creates a shape from dimension sizes.</summary>
    /// <exception cref="ArgumentException">A size is negative.</exception>
    public Shape(params ReadOnlySpan<int> dims)
    {
        foreach (int d in dims)
            if (d < 0)
                throw new ArgumentException($"Shape: negative dimension size {d} in [{string.Join(", ", dims.ToArray())}].");
        _dims = dims.Length == 0 ? s_empty : dims.ToArray();
    }

    /// <summary>Collection-expression builder.</summary>
    public static Shape Create(ReadOnlySpan<int> dims) => new(dims);

    /// <summary>Wraps an array the caller promises never to mutate (no copy, no validation).</summary>
    internal static Shape Wrap(int[] dims) => new(dims, 0);

    private Shape(int[] dims, int _) => _dims = dims;

    /// <summary>Implicit conversion from an int array.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>Same as <see cref="Rank"/>.</summary>
    public int Count => Rank;

    /// <summary>The sizes as a span.</summary>
    public ReadOnlySpan<int> Dims => _dims ?? s_empty;

    /// <summary>Size of dimension <paramref name="dim"/>; negative indices count from the end.</summary>
    public int this[int dim] => Dims[dim < 0 ? dim + Rank : dim];

    /// <summary>Number of elements (product of the sizes; 1 for a 0-dim shape).</summary>
    /// <exception cref="OverflowException">More than int.MaxValue elements.</exception>
    public int Numel
    {
        get
        {
            long n = 1;
            foreach (int d in Dims) n *= d;
            if (n > int.MaxValue)
                throw new OverflowException($"Shape {this} has {n} elements; Lantern tensors hold at most {int.MaxValue}.");
            return (int)n;
        }
    }

    /// <summary>A copy of the sizes.</summary>
    public int[] ToArray() => Dims.ToArray();

    /// <summary>Internal access to the backing array (never mutate).</summary>
    internal int[] Raw => _dims ?? s_empty;

    /// <summary>Wraps a possibly negative dim into [0, rank); throws naming <paramref name="op"/> when out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">dim outside [-rank, rank-1] (a 0-dim shape accepts -1 and 0).</exception>
    public int NormalizeDim(int dim, string op)
    {
        int rank = Math.Max(Rank, 1);
        if (dim < -rank || dim >= rank)
            throw new ArgumentOutOfRangeException(nameof(dim), dim,
                $"{op}: dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim}) for shape {this}.");
        return dim < 0 ? dim + rank : dim;
    }

    /// <summary>
    /// NumPy/PyTorch broadcasting of two shapes: align from the right; sizes must match or one must be 1.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes are not broadcastable; the message names <paramref name="op"/> and both shapes.</exception>
    public static Shape Broadcast(Shape a, Shape b, string op)
    {
        if (a.Equals(b)) return a;
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.Dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.Dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException(
                    $"{op}: shapes {a} and {b} are not broadcastable (size {da} vs {db} at dimension {i} of the result).");
            dims[i] = da == 1 ? db : da;
        }
        return Wrap(dims);
    }

    /// <inheritdoc/>
    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Equality of sizes.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Inequality of sizes.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>"[2, 3]" (PyTorch prints torch.Size([2, 3])).</summary>
    public override string ToString() => "[" + string.Join(", ", Raw) + "]";

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)Raw).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
