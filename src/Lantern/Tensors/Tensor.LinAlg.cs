namespace Lantern;

// Matrix products: MatMul (PyTorch's rules for 1-D, 2-D and batched broadcasting), Mm, Bmm, Mv, Dot, Outer,
// Addmm, Baddbmm. All go through one recorded primitive (MatMulCore) whose backward is two more products.
public sealed partial class Tensor
{
    /// <summary>
    /// torch.matmul: 1-D x 1-D is a dot product (0-dim result); 2-D x 2-D a matrix product; a 1-D operand is
    /// treated as a row (left) or column (right) vector and its dim removed afterwards; otherwise the batch
    /// dims (all but the last two) broadcast. Float32 uses the packed AVX-512/AVX2 SGEMM.
    /// </summary>
    /// <exception cref="ArgumentException">0-dim operand, mismatched inner sizes, non-broadcastable batch dims or differing dtypes.</exception>
    public Tensor MatMul(Tensor other)
    {
        if (Rank == 0 || other.Rank == 0)
            throw new ArgumentException($"MatMul: both arguments need at least 1 dimension, got shapes {Shape} and {other.Shape}.");
        if (Rank == 1 && other.Rank == 1) return Dot(other);
        var a = Rank == 1 ? Unsqueeze(0) : this;
        var b = other.Rank == 1 ? other.Unsqueeze(-1) : other;
        var r = MatMulCore(a, b, "MatMul");
        if (Rank == 1) r = r.Squeeze(-2);
        if (other.Rank == 1) r = r.Squeeze(-1);
        return r;
    }

    /// <summary>torch.mm: [n, m] x [m, p] -> [n, p].</summary>
    /// <exception cref="ArgumentException">Not 2-D, or the inner sizes differ (the message gives both shapes).</exception>
    public Tensor Mm(Tensor mat2)
    {
        if (Rank != 2 || mat2.Rank != 2)
            throw new ArgumentException($"Mm: expected 2-D tensors, got shapes {Shape} and {mat2.Shape}.");
        return MatMulCore(this, mat2, "Mm");
    }

    /// <summary>torch.bmm: [b, n, m] x [b, m, p] -> [b, n, p] (no broadcasting).</summary>
    /// <exception cref="ArgumentException">Not 3-D, batch sizes differ, or inner sizes differ.</exception>
    public Tensor Bmm(Tensor mat2)
    {
        if (Rank != 3 || mat2.Rank != 3)
            throw new ArgumentException($"Bmm: expected 3-D tensors, got shapes {Shape} and {mat2.Shape}.");
        if (Shape[0] != mat2.Shape[0])
            throw new ArgumentException($"Bmm: batch sizes differ: {Shape} and {mat2.Shape}.");
        return MatMulCore(this, mat2, "Bmm");
    }

    /// <summary>torch.mv: [n, m] x [m] -> [n].</summary>
    public Tensor Mv(Tensor vec)
    {
        if (Rank != 2 || vec.Rank != 1)
            throw new ArgumentException($"Mv: expected a 2-D matrix and a 1-D vector, got shapes {Shape} and {vec.Shape}.");
        return MatMulCore(this, vec.Unsqueeze(-1), "Mv").Squeeze(-1);
    }

    /// <summary>torch.dot: sum(a * b) of two 1-D tensors of equal length (0-dim result).</summary>
    /// <exception cref="ArgumentException">Not 1-D or lengths differ.</exception>
    public Tensor Dot(Tensor other)
    {
        if (Rank != 1 || other.Rank != 1)
            throw new ArgumentException($"Dot: 1D tensors expected, but got {Rank}D and {other.Rank}D tensors (shapes {Shape} and {other.Shape}).");
        if (Shape[0] != other.Shape[0])
            throw new ArgumentException($"Dot: inconsistent tensor size, expected tensor [{Shape[0]}] and src [{other.Shape[0]}] to have the same number of elements.");
        return MatMulCore(Unsqueeze(0), other.Unsqueeze(-1), "Dot").Reshape();
    }

    /// <summary>torch.outer: [n] x [m] -> [n, m] with out[i, j] = a[i] * b[j].</summary>
    public Tensor Outer(Tensor vec2)
    {
        if (Rank != 1 || vec2.Rank != 1)
            throw new ArgumentException($"Outer: expected 1-D tensors, got shapes {Shape} and {vec2.Shape}.");
        return Unsqueeze(1).Mul(vec2.Unsqueeze(0));
    }

    /// <summary>torch.addmm: beta * input + alpha * (mat1 @ mat2); input broadcasts to [n, p]; with beta = 0 input is ignored (NaN in it does not propagate).</summary>
    public Tensor Addmm(Tensor mat1, Tensor mat2, double beta = 1, double alpha = 1) => AddScaledProduct(mat1.Mm(mat2), beta, alpha, "Addmm");

    /// <summary>torch.baddbmm: beta * input + alpha * (batch1 @ batch2) for 3-D batches; beta = 0 ignores input.</summary>
    public Tensor Baddbmm(Tensor batch1, Tensor batch2, double beta = 1, double alpha = 1) => AddScaledProduct(batch1.Bmm(batch2), beta, alpha, "Baddbmm");

    // beta * this + alpha * p, where this must broadcast to p's shape (not the reverse).
    private Tensor AddScaledProduct(Tensor p, double beta, double alpha, string op)
    {
        if (Shape.Broadcast(Shape, p.Shape, op) != p.Shape)
            throw new ArgumentException($"{op}: input of shape {Shape} does not broadcast to the product shape {p.Shape}.");
        if (alpha != 1) p = p.Mul(alpha);
        return beta == 0 ? p : (beta == 1 ? this : Mul(beta)).Add(p);
    }

    /// <summary>
    /// The recorded matrix product of a [..., m, k] and b [..., k, n] (both at least 2-D, batch dims broadcast).
    /// Backward: dA = g @ B^T, dB = A^T @ g (the engine sums broadcast batch dims).
    /// </summary>
    [Differentiable]
    internal static Tensor MatMulCore(Tensor a, Tensor b, string op)
    {
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: expected both operands to have the same dtype, but got {a.DType} and {b.DType} (shapes {a.Shape} and {b.Shape}).");
        if (a.DType == DType.Bool)
            throw new ArgumentException($"{op}: not implemented for Bool tensors.");
        int m = a.Shape[-2], k = a.Shape[-1], k2 = b.Shape[-2], n = b.Shape[-1];
        if (k != k2)
            throw new ArgumentException($"{op}: mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n}); operand shapes {a.Shape} and {b.Shape}.");
        var batchA = a.Shape.Raw[..^2];
        var batchB = b.Shape.Raw[..^2];
        var batch = Shape.Broadcast(Shape.Wrap(batchA), Shape.Wrap(batchB), op);
        int nb = batch.Numel;
        var la = Flatten3(a, batch, m, k);
        var lb = Flatten3(b, batch, k, n);
        var y = Uninitialized([.. batch.Raw, m, n], a.DType);
        var lc = Layout.Contiguous([nb, m, n]);
        y.Backend.MatMul(la.t.Buffer, la.l, lb.t.Buffer, lb.l, y.Buffer, lc, 1, 0);
        return Autograd.Record(y, "MatMul", [a, b], g =>
            [a.RequiresGrad ? MatMulCore(g, b.MT, op) : null, b.RequiresGrad ? MatMulCore(a.MT, g, op) : null], a, b);
    }

    /// <summary>A [batch, rows, cols] layout of t expanded to the batch shape; materialised when the batch dims cannot merge.</summary>
    private static (Tensor t, Layout l) Flatten3(Tensor t, Shape batch, int rows, int cols)
    {
        var expanded = t._layout.Expand([.. batch.Raw, rows, cols]);
        var merged = expanded.TryView([batch.Numel, rows, cols]);
        if (merged is { } l) return (t, l);
        var c = Uninitialized(expanded.Shape, t.DType);
        t.Backend.Copy(t.Buffer, expanded, c.Buffer, c._layout);
        return (c, Layout.Contiguous([batch.Numel, rows, cols]));
    }
}
