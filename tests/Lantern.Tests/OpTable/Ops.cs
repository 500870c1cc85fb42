using System.Reflection;

namespace Lantern.Tests.OpTable;

/// <summary>Marks a static method returning IEnumerable&lt;OpInfo&gt; as one family of table rows.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OpFamilyAttribute : Attribute;

/// <summary>
/// The op table: the union of every [OpFamily] method in this class (one partial file per family).
/// Sample builders are deterministic (fixed seeds).
/// </summary>
public static partial class Ops
{
    private static readonly Lazy<OpInfo[]> s_all = new(() =>
        typeof(Ops).GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(m => m.GetCustomAttribute<OpFamilyAttribute>() is not null)
            .OrderBy(m => m.Name)
            .SelectMany(m => (IEnumerable<OpInfo>)m.Invoke(null, null)!)
            .ToArray());

    public static OpInfo[] All => s_all.Value;

    private static int s_seed = 1;

    /// <summary>Standard normal float64 of the shape (deterministic).</summary>
    public static Tensor R(params int[] shape) => Tensor.Randn(shape, DType.Float64, generator: new Generator((ulong)Interlocked.Increment(ref s_seed)));

    /// <summary>Uniform float64 in [lo, hi).</summary>
    public static Tensor U(double lo, double hi, params int[] shape) =>
        Tensor.Uniform(shape, lo, hi, DType.Float64, generator: new Generator((ulong)Interlocked.Increment(ref s_seed)));

    /// <summary>Values bounded away from zero: sign * U(0.5, 2).</summary>
    public static Tensor NonZero(params int[] shape)
    {
        var mag = U(0.5, 2, shape);
        var sign = U(-1, 1, shape).Ge(0).To(DType.Float64).Mul(2).Sub(1);
        return mag.Mul(sign);
    }

    public static Sample S(string description, params Tensor[] inputs) => new(inputs, description);

    /// <summary>The usual shapes for elementwise ops: scalar, vector, matrix, 3-D.</summary>
    public static readonly int[][] Shapes = [[], [5], [3, 4], [2, 3, 4]];
}
