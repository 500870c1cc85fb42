namespace Lantern.Optim;

/// <summary>
/// The state-dict representation shared by optimisers, LR schedulers and weight averages (the tree a
/// checkpoint writer serialises). A node is a <c>Dictionary&lt;string, object&gt;</c>; a value is one of
/// <list type="bullet">
/// <item><c>double</c>, <c>long</c>, <c>bool</c>, <c>string</c> (hyper-parameters, counters, modes);</item>
/// <item><c>int[]</c> (parameter indices, milestones), <c>double[]</c> (per-group values, pairs such as betas);</item>
/// <item><see cref="Tensor"/> (optimiser state, averaged weights);</item>
/// <item>a nested node, or <c>Dictionary&lt;string, object&gt;[]</c> (parameter groups, chained schedulers).</item>
/// </list>
/// No null values: an absent key means "none". Keys are PyTorch's (state_dict of torch.optim and
/// torch.optim.lr_scheduler) where a PyTorch equivalent exists. Optimiser:
/// <c>{"state": {"0": {"step": long, "exp_avg": Tensor, ...}, ...}, "param_groups": [{"lr": double, ..., "params": int[]}, ...]}</c>
/// with parameters numbered across groups in order, as PyTorch does. Producers return deep copies and
/// consumers deep-copy what they load, so a state dict never aliases live state.
/// </summary>
public static class StateDicts
{
    /// <summary>A deep copy of a state-dict value (tensors cloned and detached, arrays and nodes copied).</summary>
    /// <exception cref="ArgumentException">A value of a type outside the representation.</exception>
    public static object DeepCopy(object value) => value switch
    {
        double or long or bool or string => value,
        int i => (long)i,
        float f => (double)f,
        int[] a => a.Clone(),
        double[] a => a.Clone(),
        Tensor t => CloneTensor(t),
        Dictionary<string, object> d => DeepCopy(d),
        Dictionary<string, object>[] list => list.Select(DeepCopy).ToArray(),
        _ => throw new ArgumentException($"StateDicts: unsupported state-dict value of type {value.GetType().Name}."),
    };

    /// <summary>A deep copy of a node.</summary>
    public static Dictionary<string, object> DeepCopy(Dictionary<string, object> node)
    {
        var d = new Dictionary<string, object>(node.Count);
        foreach (var (k, v) in node) d[k] = DeepCopy(v);
        return d;
    }

    /// <summary>A contiguous, detached copy.</summary>
    internal static Tensor CloneTensor(Tensor t)
    {
        using (Autograd.NoGrad()) return t.Detach().Clone();
    }

    /// <summary>The value under <paramref name="key"/> as <typeparamref name="T"/>, with a message naming the owner on failure.</summary>
    /// <exception cref="ArgumentException">Missing key or wrong type.</exception>
    public static T Get<T>(Dictionary<string, object> node, string key, string owner)
    {
        if (!node.TryGetValue(key, out var v))
            throw new ArgumentException($"{owner}: state dict has no '{key}' entry (has: {string.Join(", ", node.Keys)}).");
        if (typeof(T) == typeof(double) && v is long l) return (T)(object)(double)l;
        if (typeof(T) == typeof(long) && v is int i) return (T)(object)(long)i;
        if (typeof(T) == typeof(int) && v is long l2) return (T)(object)checked((int)l2);
        if (typeof(T) == typeof(double[]) && v is long[] la) return (T)(object)la.Select(x => (double)x).ToArray();
        return v is T t ? t : throw new ArgumentException($"{owner}: state dict entry '{key}' is {v.GetType().Name}, expected {typeof(T).Name}.");
    }

    /// <summary>A step counter stored as long, int, double or a one-element tensor (PyTorch stores a float tensor).</summary>
    internal static long GetCount(object v, string owner, string key) => v switch
    {
        long l => l,
        int i => i,
        double d when d == Math.Floor(d) => (long)d,
        Tensor t when t.Numel() == 1 => (long)t.To(DType.Float64).Item<double>(),
        _ => throw new ArgumentException($"{owner}: state entry '{key}' must be an integer count, got {v}."),
    };
}
