using System.Diagnostics.CodeAnalysis;

namespace Lantern.Data;

/// <summary>
/// Rows of several tensors that share their first dimension (torch.utils.data.TensorDataset): sample i is
/// <c>[t0[i], t1[i], ...]</c> (views, no copy). A <see cref="DataLoader{T, TBatch}"/> with the default collate
/// gathers a whole batch with one <see cref="Tensor.IndexSelect"/> per tensor instead of stacking per-sample views.
/// </summary>
public sealed class TensorDataset : Dataset<Tensor[]>
{
    private readonly Tensor[] _tensors;

    /// <summary>A dataset over <paramref name="tensors"/>, all with the same size of dimension 0.</summary>
    /// <exception cref="ArgumentException">No tensors, a 0-dim tensor, or sizes of dimension 0 that differ (the message lists the shapes).</exception>
    public TensorDataset(params Tensor[] tensors)
    {
        if (tensors.Length == 0) throw new ArgumentException("TensorDataset: expected at least one tensor.");
        foreach (var t in tensors)
            if (t.Rank == 0 || t.Shape[0] != tensors[0].Shape[0] || tensors[0].Rank == 0)
                throw new ArgumentException($"TensorDataset: size mismatch between tensors (every tensor needs the same size of dimension 0); shapes {string.Join(", ", tensors.Select(x => x.Shape.ToString()))}.");
        _tensors = tensors;
    }

    /// <summary>The tensors (torch's .tensors).</summary>
    public IReadOnlyList<Tensor> Tensors => _tensors;

    /// <inheritdoc/>
    public override int Count => _tensors[0].Shape[0];

    /// <inheritdoc/>
    public override Tensor[] Get(int index)
    {
        CheckIndex(index);
        var row = new Tensor[_tensors.Length];
        for (int k = 0; k < row.Length; k++) row[k] = _tensors[k].Select(0, index);
        return row;
    }

    /// <summary>Fast path for Tensor[], (Tensor, Tensor) and (Tensor, Tensor, Tensor) batches: one IndexSelect per tensor.</summary>
    public override bool TryGetBatch<TBatch>(int[] indices, [MaybeNullWhen(false)] out TBatch batch)
    {
        batch = default;
        int n = _tensors.Length;
        bool array = typeof(TBatch) == typeof(Tensor[]);
        bool pair = typeof(TBatch) == typeof((Tensor, Tensor)) && n == 2;
        bool triple = typeof(TBatch) == typeof((Tensor, Tensor, Tensor)) && n == 3;
        if (!array && !pair && !triple) return false;
        var index = Tensor.FromArray(Array.ConvertAll(indices, i => (long)i));
        var cols = new Tensor[n];
        for (int k = 0; k < n; k++) cols[k] = _tensors[k].IndexSelect(0, index);
        object result = array ? cols : pair ? (cols[0], cols[1]) : (cols[0], cols[1], cols[2]);
        batch = (TBatch)result;
        return true;
    }
}

/// <summary>The samples of <see cref="Dataset"/> at chosen indices (torch.utils.data.Subset).</summary>
/// <typeparam name="T">The sample type.</typeparam>
public sealed class Subset<T> : Dataset<T>
{
    private readonly int[] _indices;

    /// <summary>Sample i of the subset is sample <paramref name="indices"/>[i] of <paramref name="dataset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index outside [0, dataset.Count).</exception>
    public Subset(Dataset<T> dataset, IEnumerable<int> indices)
    {
        _indices = indices.ToArray();
        foreach (int i in _indices)
            if ((uint)i >= (uint)dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"Subset: index {i} is out of range for a dataset of {dataset.Count} samples.");
        Dataset = dataset;
    }

    /// <summary>The underlying dataset.</summary>
    public Dataset<T> Dataset { get; }

    /// <summary>The chosen indices into <see cref="Dataset"/>.</summary>
    public IReadOnlyList<int> Indices => _indices;

    /// <inheritdoc/>
    public override int Count => _indices.Length;

    /// <inheritdoc/>
    public override T Get(int index)
    {
        CheckIndex(index);
        return Dataset.Get(_indices[index]);
    }

    /// <summary>Forwards the fast path to the underlying dataset with mapped indices.</summary>
    public override bool TryGetBatch<TBatch>(int[] indices, [MaybeNullWhen(false)] out TBatch batch)
    {
        var mapped = new int[indices.Length];
        for (int k = 0; k < mapped.Length; k++)
        {
            CheckIndex(indices[k]);
            mapped[k] = _indices[indices[k]];
        }
        return Dataset.TryGetBatch(mapped, out batch);
    }
}

/// <summary>Several datasets one after another (torch.utils.data.ConcatDataset).</summary>
/// <typeparam name="T">The sample type.</typeparam>
public sealed class ConcatDataset<T> : Dataset<T>
{
    private readonly Dataset<T>[] _datasets;
    private readonly int[] _cumulative;

    /// <summary>Concatenates <paramref name="datasets"/>: index i falls in the first dataset whose cumulative size exceeds i.</summary>
    /// <exception cref="ArgumentException">No datasets.</exception>
    public ConcatDataset(IEnumerable<Dataset<T>> datasets)
    {
        _datasets = datasets.ToArray();
        if (_datasets.Length == 0) throw new ArgumentException("ConcatDataset: datasets should not be an empty iterable.");
        _cumulative = new int[_datasets.Length];
        long total = 0;
        for (int k = 0; k < _datasets.Length; k++)
        {
            total += _datasets[k].Count;
            if (total > int.MaxValue) throw new ArgumentException($"ConcatDataset: more than {int.MaxValue} samples in total.");
            _cumulative[k] = (int)total;
        }
    }

    /// <summary>The parts, in order.</summary>
    public IReadOnlyList<Dataset<T>> Datasets => _datasets;

    /// <summary>Running totals of the parts' sizes (torch's cumulative_sizes).</summary>
    public IReadOnlyList<int> CumulativeSizes => _cumulative;

    /// <inheritdoc/>
    public override int Count => _cumulative[^1];

    /// <inheritdoc/>
    public override T Get(int index)
    {
        CheckIndex(index);
        int k = Array.BinarySearch(_cumulative, index);
        k = k >= 0 ? k + 1 : ~k;   // first part whose cumulative size exceeds index
        while (_datasets[k].Count == 0) k++;
        int start = k == 0 ? 0 : _cumulative[k - 1];
        return _datasets[k].Get(index - start);
    }
}

/// <summary>Dataset helpers: <see cref="RandomSplit{T}(Dataset{T}, int[], Generator?)"/> (torch.utils.data.random_split).</summary>
public static class Dataset
{
    /// <summary>
    /// Splits <paramref name="dataset"/> into non-overlapping subsets of the given lengths, taken in order from
    /// one random permutation drawn with <see cref="Tensor.RandPerm"/> from <paramref name="generator"/>
    /// (default: the global generator), as torch.utils.data.random_split.
    /// </summary>
    /// <exception cref="ArgumentException">A negative length, or lengths that do not sum to the dataset size.</exception>
    public static Subset<T>[] RandomSplit<T>(Dataset<T> dataset, int[] lengths, Generator? generator = null)
    {
        if (lengths.Any(l => l < 0)) throw new ArgumentException($"RandomSplit: lengths must be non-negative, got [{string.Join(", ", lengths)}].");
        if (lengths.Sum(l => (long)l) != dataset.Count)
            throw new ArgumentException($"RandomSplit: sum of input lengths [{string.Join(", ", lengths)}] does not equal the length of the input dataset ({dataset.Count}).");
        var perm = Tensor.RandPerm(dataset.Count, generator: generator).ToArray<long>();
        var parts = new Subset<T>[lengths.Length];
        int offset = 0;
        for (int k = 0; k < lengths.Length; k++)
        {
            parts[k] = new Subset<T>(dataset, perm.Skip(offset).Take(lengths[k]).Select(i => (int)i));
            offset += lengths[k];
        }
        return parts;
    }

    /// <summary>
    /// Splits by fractions summing to 1: each subset gets floor(n * fraction) samples and the remainder is
    /// handed out one at a time, round robin from the first subset (PyTorch's rule); then as
    /// <see cref="RandomSplit{T}(Dataset{T}, int[], Generator?)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A fraction outside [0, 1], or fractions that do not sum to 1.</exception>
    public static Subset<T>[] RandomSplit<T>(Dataset<T> dataset, double[] fractions, Generator? generator = null)
    {
        if (fractions.Any(f => f < 0 || f > 1)) throw new ArgumentException($"RandomSplit: fractions must be in [0, 1], got [{string.Join(", ", fractions)}].");
        if (Math.Abs(fractions.Sum() - 1) > 1e-9) throw new ArgumentException($"RandomSplit: fractions [{string.Join(", ", fractions)}] do not sum to 1.");
        int n = dataset.Count;
        var lengths = fractions.Select(f => (int)Math.Floor(n * f)).ToArray();
        int remainder = n - lengths.Sum();
        for (int i = 0; i < remainder; i++) lengths[i % lengths.Length]++;
        return RandomSplit(dataset, lengths, generator);
    }
}
