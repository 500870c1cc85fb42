namespace Lantern.Tests.OpTable;

/// <summary>
/// A naive float64 n-d array for reference implementations: row-major data, written for clarity, not speed.
/// It shares no code with Lantern's kernels.
/// </summary>
public sealed class Nd
{
    public int[] Shape { get; }
    public double[] Data { get; }

    public Nd(int[] shape, double[] data)
    {
        Shape = shape;
        Data = data;
        if (Numel(shape) != data.Length) throw new ArgumentException("Nd: data length mismatch");
    }

    public Nd(int[] shape) : this(shape, new double[Numel(shape)]) { }

    public static int Numel(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    public int Rank => Shape.Length;

    public static Nd From(Tensor t) => new(t.Shape.ToArray(), t.ToArray<double>());

    public int[] Strides()
    {
        var s = new int[Rank];
        int acc = 1;
        for (int d = Rank - 1; d >= 0; d--) { s[d] = acc; acc *= Shape[d]; }
        return s;
    }

    public int[] Unravel(int linear)
    {
        var idx = new int[Rank];
        for (int d = Rank - 1; d >= 0; d--) { idx[d] = linear % Shape[d]; linear /= Shape[d]; }
        return idx;
    }

    public int Ravel(int[] idx)
    {
        int l = 0;
        for (int d = 0; d < Rank; d++) l = l * Shape[d] + idx[d];
        return l;
    }

    public double this[params int[] idx] { get => Data[Ravel(idx)]; set => Data[Ravel(idx)] = value; }

    public Nd Map(Func<double, double> f) => new(Shape, Data.Select(f).ToArray());

    public static int[] BroadcastShape(int[] a, int[] b)
    {
        int r = Math.Max(a.Length, b.Length);
        var s = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i - (r - a.Length) >= 0 ? a[i - (r - a.Length)] : 1;
            int db = i - (r - b.Length) >= 0 ? b[i - (r - b.Length)] : 1;
            if (da != db && da != 1 && db != 1) throw new ArgumentException("not broadcastable");
            s[i] = Math.Max(da, db) == 1 ? Math.Min(da, db) : Math.Max(da, db);
            if (da == 0 || db == 0) s[i] = 0;
        }
        return s;
    }

    /// <summary>Element of this array addressed by an index of a (possibly larger) broadcast shape.</summary>
    public double AtBroadcast(int[] bigIdx)
    {
        int off = bigIdx.Length - Rank;
        int l = 0;
        for (int d = 0; d < Rank; d++) l = l * Shape[d] + (Shape[d] == 1 ? 0 : bigIdx[d + off]);
        return Data[l];
    }

    public static Nd Zip(Nd a, Nd b, Func<double, double, double> f)
    {
        var shape = BroadcastShape(a.Shape, b.Shape);
        var r = new Nd(shape);
        for (int i = 0; i < r.Data.Length; i++)
        {
            var idx = r.Unravel(i);
            r.Data[i] = f(a.AtBroadcast(idx), b.AtBroadcast(idx));
        }
        return r;
    }

    public static Nd Zip3(Nd a, Nd b, Nd c, Func<double, double, double, double> f)
    {
        var shape = BroadcastShape(BroadcastShape(a.Shape, b.Shape), c.Shape);
        var r = new Nd(shape);
        for (int i = 0; i < r.Data.Length; i++)
        {
            var idx = r.Unravel(i);
            r.Data[i] = f(a.AtBroadcast(idx), b.AtBroadcast(idx), c.AtBroadcast(idx));
        }
        return r;
    }

    /// <summary>Reduces over dims (all when null/empty) with f over the list of values in row-major order.</summary>
    public Nd Reduce(int[]? dims, bool keepDim, Func<List<double>, double> f)
    {
        var red = new bool[Rank];
        if (dims is null || dims.Length == 0) Array.Fill(red, true);
        else foreach (int d in dims) red[d < 0 ? d + Rank : d] = true;
        var outShape = new List<int>();
        for (int d = 0; d < Rank; d++) if (!red[d]) outShape.Add(Shape[d]); else if (keepDim) outShape.Add(1);
        var groups = new Dictionary<int, List<double>>();
        var keptShape = Enumerable.Range(0, Rank).Where(d => !red[d]).Select(d => Shape[d]).ToArray();
        var kept = new Nd(keptShape);
        for (int i = 0; i < kept.Data.Length; i++) groups[i] = [];
        for (int i = 0; i < Data.Length; i++)
        {
            var idx = Unravel(i);
            var k = Enumerable.Range(0, Rank).Where(d => !red[d]).Select(d => idx[d]).ToArray();
            groups[kept.Ravel(k)].Add(Data[i]);
        }
        var r = new Nd(outShape.ToArray());
        for (int i = 0; i < r.Data.Length; i++) r.Data[i] = f(groups[i]);
        return r;
    }

    public Tensor ToTensor(DType dtype = DType.Float64) => Tensor.FromArray(Data, Shape).To(dtype);
}
