using Lantern.Kernels;

namespace Lantern;

// Factory functions: zeros, ones, full, arange, linspace, eye, random draws, from arrays.
public sealed partial class Tensor
{
    private static Tensor Leaf(Tensor t, bool requiresGrad) => requiresGrad ? t.RequiresGrad_() : t;

    /// <summary>torch.zeros(shape).</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32, bool requiresGrad = false) =>
        Leaf(Allocate(shape, dtype), requiresGrad);

    /// <summary>torch.ones(shape).</summary>
    public static Tensor Ones(Shape shape, DType dtype = DType.Float32, bool requiresGrad = false) =>
        Full(shape, 1, dtype, requiresGrad);

    /// <summary>torch.full(shape, value): dtype defaults to the value's (bool, int64 or float32).</summary>
    public static Tensor Full(Shape shape, Number value, DType? dtype = null, bool requiresGrad = false)
    {
        var t = Uninitialized(shape, dtype ?? value.DefaultDType);
        t.Backend.Fill(t.Buffer, t._layout, value);
        return Leaf(t, requiresGrad);
    }

    /// <summary>torch.empty(shape): contents unspecified.</summary>
    public static Tensor Empty(Shape shape, DType dtype = DType.Float32, bool requiresGrad = false) =>
        Leaf(Uninitialized(shape, dtype), requiresGrad);

    /// <summary>A 0-dim tensor holding <paramref name="value"/> (torch.tensor(value)).</summary>
    public static Tensor Scalar(Number value, DType? dtype = null, bool requiresGrad = false) => Full([], value, dtype, requiresGrad);

    /// <summary>torch.zeros_like.</summary>
    public static Tensor ZerosLike(Tensor t, DType? dtype = null) => Zeros(t.Shape, dtype ?? t.DType);

    /// <summary>torch.ones_like.</summary>
    public static Tensor OnesLike(Tensor t, DType? dtype = null) => Ones(t.Shape, dtype ?? t.DType);

    /// <summary>torch.full_like.</summary>
    public static Tensor FullLike(Tensor t, Number value, DType? dtype = null) => Full(t.Shape, value, dtype ?? t.DType);

    /// <summary>torch.empty_like.</summary>
    public static Tensor EmptyLike(Tensor t, DType? dtype = null) => Empty(t.Shape, dtype ?? t.DType);

    /// <summary>torch.rand_like.</summary>
    public static Tensor RandLike(Tensor t, Generator? generator = null) => Rand(t.Shape, t.DType, generator: generator);

    /// <summary>torch.randn_like.</summary>
    public static Tensor RandnLike(Tensor t, Generator? generator = null) => Randn(t.Shape, t.DType, generator: generator);

    /// <summary>torch.arange(end): 0, 1, ..., end-1 (int64 for an integer end, float32 otherwise).</summary>
    public static Tensor Arange(Number end, DType? dtype = null) => Arange(0, end, 1, dtype);

    /// <summary>
    /// torch.arange(start, end, step): ceil((end - start) / step) values start + i*step. The dtype is int64 when
    /// all three are integers, else float32.
    /// </summary>
    /// <exception cref="ArgumentException">step is 0, or its sign disagrees with end - start.</exception>
    public static Tensor Arange(Number start, Number end, Number step, DType? dtype = null, bool requiresGrad = false)
    {
        double s = start.ToDouble(), e = end.ToDouble(), st = step.ToDouble();
        if (st == 0) throw new ArgumentException("Arange: step must be nonzero.");
        if ((st > 0 && e < s) || (st < 0 && e > s))
            throw new ArgumentException($"Arange: upper bound and larger bound inconsistent with step sign (start {start}, end {end}, step {step}).");
        var dt = dtype ?? (start.IsFloating || end.IsFloating || step.IsFloating ? DTypes.DefaultFloat : DType.Int64);
        long n = (long)Math.Ceiling((e - s) / st);
        if (!start.IsFloating && !end.IsFloating && !step.IsFloating)
        {
            long ls = start.ToLong(), le = end.ToLong(), lst = step.ToLong();
            n = (le - ls + lst + (lst > 0 ? -1 : 1)) / lst;
        }
        var values = new double[Math.Max(n, 0)];
        for (long i = 0; i < n; i++) values[i] = s + i * st;
        return Leaf(FromArray(values, [(int)Math.Max(n, 0)]).To(dt), requiresGrad);
    }

    /// <summary>
    /// torch.linspace(start, end, steps): evenly spaced, symmetric like PyTorch (the first half counts up from
    /// start, the second half down from end).
    /// </summary>
    /// <exception cref="ArgumentException">steps is negative.</exception>
    public static Tensor Linspace(double start, double end, int steps, DType dtype = DType.Float32, bool requiresGrad = false)
    {
        if (steps < 0) throw new ArgumentException($"Linspace: number of steps must be non-negative, got {steps}.");
        var v = new double[steps];
        if (steps == 1) v[0] = start;
        else if (steps > 1)
        {
            double step = (end - start) / (steps - 1);
            int half = steps / 2;
            for (int i = 0; i < steps; i++) v[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
        }
        return Leaf(FromArray(v, [steps]).To(dtype), requiresGrad);
    }

    /// <summary>torch.eye(n, m): ones on the main diagonal.</summary>
    public static Tensor Eye(int n, int? m = null, DType dtype = DType.Float32, bool requiresGrad = false)
    {
        int cols = m ?? n;
        if (n < 0 || cols < 0) throw new ArgumentException($"Eye: n and m must be non-negative, got {n}, {cols}.");
        var t = Zeros([n, cols], dtype);
        t.Backend.Fill(t.Buffer, t._layout.Diagonal(0, 0, 1), 1);
        return Leaf(t, requiresGrad);
    }

    /// <summary>torch.rand(shape): uniform in [0, 1) from <paramref name="generator"/> (default: the global one).</summary>
    public static Tensor Rand(Shape shape, DType dtype = DType.Float32, bool requiresGrad = false, Generator? generator = null) =>
        Uniform(shape, 0, 1, dtype, requiresGrad, generator);

    /// <summary>Uniform in [low, high) (torch.empty(shape).uniform_(low, high)).</summary>
    public static Tensor Uniform(Shape shape, double low, double high, DType dtype = DType.Float32, bool requiresGrad = false, Generator? generator = null)
    {
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"Uniform: expected a floating dtype, got {dtype}.");
        var t = Uninitialized(shape, dtype);
        var g = generator ?? Lantern.DefaultGenerator;
        t.Backend.Random(false, t.Buffer, g.Seed, g.Advance(t.Numel()), low, high);
        return Leaf(t, requiresGrad);
    }

    /// <summary>torch.randn(shape): standard normal from <paramref name="generator"/>.</summary>
    public static Tensor Randn(Shape shape, DType dtype = DType.Float32, bool requiresGrad = false, Generator? generator = null) =>
        Normal(shape, 0, 1, dtype, requiresGrad, generator);

    /// <summary>Normal(mean, std) draws (torch.normal(mean, std, size)).</summary>
    public static Tensor Normal(Shape shape, double mean, double std, DType dtype = DType.Float32, bool requiresGrad = false, Generator? generator = null)
    {
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"Normal: expected a floating dtype, got {dtype}.");
        if (std < 0) throw new ArgumentException($"Normal: expected std >= 0, got {std}.");
        var t = Uninitialized(shape, dtype);
        var g = generator ?? Lantern.DefaultGenerator;
        t.Backend.Random(true, t.Buffer, g.Seed, g.Advance(2L * t.Numel()), mean, std);
        return Leaf(t, requiresGrad);
    }

    /// <summary>torch.randint(low, high, shape): uniform integers in [low, high), int64 by default.</summary>
    /// <exception cref="ArgumentException">low &gt;= high.</exception>
    public static Tensor RandInt(long low, long high, Shape shape, DType dtype = DType.Int64, Generator? generator = null)
    {
        if (low >= high) throw new ArgumentException($"RandInt: expected low < high, got low={low}, high={high}.");
        var g = generator ?? Lantern.DefaultGenerator;
        int n = shape.Numel;
        ulong pos = g.Advance(n), range = (ulong)(high - low);
        var v = new long[n];
        for (int i = 0; i < n; i++)
            v[i] = low + (long)(ulong)(((UInt128)g.WordAt(pos + (ulong)i) * range) >> 64);
        return FromArray(v, shape).To(dtype);
    }

    /// <summary>torch.randint(high, shape).</summary>
    public static Tensor RandInt(long high, Shape shape, Generator? generator = null) => RandInt(0, high, shape, generator: generator);

    /// <summary>torch.randperm(n): a random permutation of 0..n-1 (int64), Fisher-Yates over the generator's stream.</summary>
    public static Tensor RandPerm(int n, DType dtype = DType.Int64, Generator? generator = null)
    {
        if (n < 0) throw new ArgumentException($"RandPerm: n must be non-negative, got {n}.");
        var g = generator ?? Lantern.DefaultGenerator;
        ulong pos = g.Advance(n);
        var v = new long[n];
        for (int i = 0; i < n; i++) v[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(((UInt128)g.WordAt(pos + (ulong)i) * (ulong)(i + 1)) >> 64);
            (v[i], v[j]) = (v[j], v[i]);
        }
        return FromArray(v, [n]).To(dtype);
    }

    /// <summary>
    /// A tensor holding a copy of <paramref name="data"/> (float, double, long, byte or bool) with the given
    /// shape (default: 1-D of the array's length).
    /// </summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the array length.</exception>
    public static Tensor FromArray<T>(T[] data, Shape? shape = null, bool requiresGrad = false) where T : unmanaged
    {
        var s = shape ?? new Shape(data.Length);
        if (s.Numel != data.Length)
            throw new ArgumentException($"FromArray: shape {s} holds {s.Numel} elements but the array has {data.Length}.");
        var t = new Tensor(new Storage(new CpuBuffer<T>((T[])data.Clone())), Layout.Contiguous(s));
        return Leaf(t, requiresGrad);
    }

    /// <summary>A tensor from a rectangular C# array of any rank (e.g. float[,], double[,,]); the shape is the array's.</summary>
    public static Tensor FromArray(Array data, bool requiresGrad = false)
    {
        var dims = new int[data.Rank];
        for (int d = 0; d < dims.Length; d++) dims[d] = data.GetLength(d);
        var et = data.GetType().GetElementType()!;
        Tensor t = et == typeof(float) ? FromArray(Flatten<float>(data), dims)
            : et == typeof(double) ? FromArray(Flatten<double>(data), dims)
            : et == typeof(long) ? FromArray(Flatten<long>(data), dims)
            : et == typeof(int) ? FromArray(Array.ConvertAll(Flatten<int>(data), x => (long)x), dims)
            : et == typeof(byte) ? FromArray(Flatten<byte>(data), dims)
            : et == typeof(bool) ? FromArray(Flatten<bool>(data), dims)
            : throw new ArgumentException($"FromArray: unsupported element type {et.Name}.");
        return Leaf(t, requiresGrad);
    }

    private static T[] Flatten<T>(Array a)
    {
        var r = new T[a.Length];
        int i = 0;
        foreach (T v in a) r[i++] = v;
        return r;
    }

    /// <summary>The elements in row-major order, converted to T.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var t = To(DTypes.Of<T>());
        if (t.IsContiguous && t._layout.Offset == 0 && t._storage.Length == t.Numel() && !ReferenceEquals(t, this))
            return t.Data<T>();
        var dst = Uninitialized(Shape, DTypes.Of<T>());
        Backend.Copy(t.Buffer, t._layout, dst.Buffer, dst._layout);
        return dst.Data<T>();
    }

    /// <summary>The single element as T (torch.Tensor.item()).</summary>
    /// <exception cref="InvalidOperationException">The tensor has more or fewer than one element.</exception>
    public T Item<T>() where T : unmanaged
    {
        if (Numel() != 1)
            throw new InvalidOperationException($"Item: a Tensor with {Numel()} elements cannot be converted to a scalar (shape {Shape}).");
        return ElementAt<T>(_layout.Offset);
    }

    /// <summary>The single element as a float.</summary>
    public float Item() => Item<float>();

    internal T ElementAt<T>(int storageIndex) where T : unmanaged => DType switch
    {
        DType.Float32 => Cast.To<float, T>(Data<float>()[storageIndex]),
        DType.Float64 => Cast.To<double, T>(Data<double>()[storageIndex]),
        DType.Int64 => Cast.To<long, T>(Data<long>()[storageIndex]),
        DType.UInt8 => Cast.To<byte, T>(Data<byte>()[storageIndex]),
        _ => Cast.To<bool, T>(Data<bool>()[storageIndex]),
    };

    /// <summary>Int64 tensor of the storage positions a layout addresses (row-major order), for index-based backward rules.</summary>
    internal static Tensor FromLayoutPositions(Layout l)
    {
        var v = new long[l.Numel];
        for (int i = 0; i < v.Length; i++) v[i] = l.StorageIndexOfLinear(i);
        return FromArray(v, l.Shape);
    }
}
