using System.Reflection;
using Xunit;

namespace Lantern.Tests.OpTable;

/// <summary>The generic battery, run for every row of <see cref="Ops"/>.</summary>
public class OpTableTests
{
    public static TheoryData<string> Rows()
    {
        var d = new TheoryData<string>();
        foreach (var op in Ops.All) d.Add(op.Id);
        return d;
    }

    private static OpInfo Get(string id) => Ops.All.Single(o => o.Id == id);

    private static int[] GradInputs(OpInfo op, Sample s) =>
        op.GradInputs ?? Enumerable.Range(0, s.Inputs.Length).Where(i => s.Inputs[i].DType.IsFloatingPoint()).ToArray();

    private static Tensor[] Cast(Tensor[] inputs, DType dt) =>
        inputs.Select(t => t.DType.IsFloatingPoint() ? t.To(dt) : t).ToArray();

    [Theory, MemberData(nameof(Rows))]
    public void MatchesReference(string id)
    {
        var op = Get(id);
        if (op.Reference is null) return;
        foreach (var s in op.Samples())
        {
            var expected = op.Reference(s.Inputs.Select(Nd.From).ToArray());
            var y64 = op.Op(s.Inputs);
            Assert.Equal(expected.Shape, y64.Shape.ToArray());
            Gradcheck.Compare(y64.ToArray<double>(), expected.Data, op.Atol64, op.Rtol64, $"{id} float64 [{s}]");
            if (!op.CheckFloat32 || !s.Inputs.Any(t => t.DType == DType.Float64)) continue;
            var in32 = Cast(s.Inputs, DType.Float32);
            var expected32 = op.Reference(in32.Select(Nd.From).ToArray());
            var y32 = op.Op(in32);
            Assert.Equal(DType.Float32, y32.DType);
            Gradcheck.Compare(y32.ToArray<double>(), expected32.Data, op.Atol32, op.Rtol32, $"{id} float32 [{s}]");
        }
    }

    [Theory, MemberData(nameof(Rows))]
    public void GradcheckFloat64(string id)
    {
        var op = Get(id);
        if (!op.SupportsGrad) return;
        foreach (var s in op.Samples())
        {
            var wrt = GradInputs(op, s);
            if (wrt.Length == 0) continue;
            Gradcheck.Check(op.Op, s.Inputs, wrt, op.GradAtol, op.GradRtol, what: $"{id} [{s}]");
        }
    }

    [Theory, MemberData(nameof(Rows))]
    public void GradGradcheckFloat64(string id)
    {
        var op = Get(id);
        if (!op.SupportsGrad || !op.SupportsGradGrad) return;
        foreach (var s in op.Samples().Take(2))
        {
            var wrt = GradInputs(op, s);
            if (wrt.Length == 0) continue;
            Gradcheck.CheckGradGrad(op.Op, s.Inputs, wrt, op.GradAtol, op.GradRtol, what: $"{id} [{s}]");
        }
    }

    /// <summary>Every input given as a strided view (every other element of a larger buffer) gives the same result.</summary>
    [Theory, MemberData(nameof(Rows))]
    public void NonContiguousEqualsContiguous(string id)
    {
        var op = Get(id);
        if (!op.TestNonContiguous) return;
        foreach (var s in op.Samples())
        {
            var expected = op.Op(s.Inputs);
            var strided = s.Inputs.Select(NonContiguous).ToArray();
            var actual = op.Op(strided);
            Assert.Equal(expected.Shape, actual.Shape);
            Gradcheck.Compare(actual.ToArray<double>(), expected.ToArray<double>(), 1e-12, 1e-12, $"{id} non-contiguous [{s}]");
        }
    }

    /// <summary>Inputs built by Expand (stride 0) give the same result as their contiguous copies.</summary>
    [Theory, MemberData(nameof(Rows))]
    public void ExpandedEqualsContiguous(string id)
    {
        var op = Get(id);
        if (!op.TestExpanded) return;
        foreach (var s in op.Samples())
        {
            var expanded = s.Inputs.Select(Expanded).ToArray();
            var copies = expanded.Select(t => t.Contiguous()).ToArray();
            Tensor expected;
            try { expected = op.Op(copies); }
            catch (ArgumentException) { continue; } // e.g. index values no longer valid after repeating rows
            var actual = op.Op(expanded);
            Gradcheck.Compare(actual.ToArray<double>(), expected.ToArray<double>(), 1e-12, 1e-12, $"{id} expanded [{s}]");
        }
    }

    [Theory, MemberData(nameof(Rows))]
    public void InPlaceEqualsOutOfPlace(string id)
    {
        var op = Get(id);
        if (op.InPlace is null) return;
        foreach (var s in op.Samples())
        {
            var expected = op.Op(s.Inputs);
            if (expected.Shape != s.Inputs[0].Shape) continue; // the result does not fit in input 0 (broadcast)
            var inputs = s.Inputs.ToArray();
            inputs[0] = inputs[0].Clone();
            int before = inputs[0].Storage.Version;
            var result = op.InPlace(inputs);
            Assert.Same(inputs[0], result);
            Assert.True(inputs[0].Storage.Version > before, $"{id}: in-place op did not bump the version counter");
            Gradcheck.Compare(result.ToArray<double>(), expected.ToArray<double>(), 1e-12, 1e-12, $"{id} in-place [{s}]");
        }
    }

    [Theory, MemberData(nameof(Rows))]
    public void ErrorInputsRaise(string id)
    {
        var op = Get(id);
        if (op.Errors is null) return;
        foreach (var e in op.Errors())
        {
            var ex = Assert.ThrowsAny<Exception>(e.Call);
            Assert.Contains(e.MessageContains, ex.Message);
        }
    }

    /// <summary>
    /// The ops that must have rows: every method marked [Differentiable], and every public functional op
    /// (public static methods of Lantern.NN.F returning a Tensor), named "F.Method".
    /// </summary>
    public static HashSet<string> RequiredOps()
    {
        var asm = typeof(Tensor).Assembly;
        var f = asm.GetType("Lantern.NN.F");
        var names = asm.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<DifferentiableAttribute>() is not null)
            .Select(m => (m.DeclaringType == f ? "F." : "") + m.Name)
            .ToHashSet();
        if (f is not null)
            foreach (var m in f.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
                if (m.ReturnType == typeof(Tensor) || (m.ReturnType.IsGenericType && m.ReturnType.GenericTypeArguments.Contains(typeof(Tensor))))
                    names.Add("F." + m.Name);
        return names;
    }

    /// <summary>Every differentiable op and every functional op has at least one table row.</summary>
    [Fact]
    public void EveryDifferentiableOpIsInTheTable()
    {
        var required = RequiredOps();
        Assert.NotEmpty(required);
        var covered = Ops.All.Select(o => o.Name).ToHashSet();
        var missing = required.Where(n => !covered.Contains(n)).OrderBy(n => n).ToList();
        Assert.True(missing.Count == 0, "Ops missing from the op table: " + string.Join(", ", missing));
    }

    /// <summary>Rows name real ops (no stale rows).</summary>
    [Fact]
    public void EveryRowNamesADifferentiableOp()
    {
        var required = RequiredOps();
        var stale = Ops.All.Select(o => o.Name).Where(n => !required.Contains(n)).Distinct().ToList();
        Assert.True(stale.Count == 0, "Op table rows without a [Differentiable] or functional op: " + string.Join(", ", stale));
    }

    private static Tensor NonContiguous(Tensor t)
    {
        if (t.Rank == 0) return t;
        // Interleave with a junk copy along a new last dim and select the first: strides double, offset 0.
        var other = t.DType == DType.Bool ? t.LogicalNot() : t.Detach().Add(7).To(t.DType);
        var junk = Tensor.Cat([t.Unsqueeze(-1), other.Unsqueeze(-1)], -1).Detach();
        var v = junk.Select(-1, 0);
        Assert.False(v.IsContiguous && v.Numel() > 1);
        return v;
    }

    private static Tensor Expanded(Tensor t)
    {
        if (t.Rank == 0 || t.Shape[0] <= 1) return t;
        var dims = t.Shape.ToArray();
        return t.Narrow(0, 0, 1).Expand(dims).Detach();
    }
}
