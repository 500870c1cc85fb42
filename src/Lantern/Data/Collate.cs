using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Lantern.Data;

/// <summary>
/// Collate functions (torch.utils.data.default_collate): turn a list of samples into a batch. The default,
/// <see cref="Default{T, TBatch}"/>, is planned once per (sample type, batch type) and applies, recursively:
/// <list type="bullet">
/// <item>Tensor -> Tensor: <see cref="Tensor.Stack"/> along a new dim 0 (shapes must agree);</item>
/// <item>int, long, short, sbyte, ushort, uint -> Int64 tensor [B]; byte -> UInt8; float -> Float32; double -> Float64; bool -> Bool;</item>
/// <item>tuples -> tuples of the same arity, field by field; arrays (e.g. Tensor[]) -> arrays or tuples, position by position;</item>
/// <item>string-keyed dictionaries -> Dictionary&lt;string, X&gt;, key by key;</item>
/// <item>records and classes -> a batch type whose constructor parameters (or settable properties) are named like the
/// sample's properties or fields (case-insensitive): per-field collation, e.g. Sample(Tensor Image, long Label) -> Batch(Tensor Image, Tensor Label);</item>
/// <item>anything else X -> X[] (or List/IReadOnlyList of X): gathered as a list, not stacked (e.g. file names).</item>
/// </list>
/// </summary>
public static class Collate
{
    private static readonly ConcurrentDictionary<(Type, Type), Func<object?[], object?>> s_plans = new();

    /// <summary>The default collate from samples of <typeparamref name="T"/> to a <typeparamref name="TBatch"/>.</summary>
    /// <exception cref="ArgumentException">No rule maps T to TBatch (the message names the field path).</exception>
    public static Func<IReadOnlyList<T>, TBatch> Default<T, TBatch>()
    {
        if (typeof(T) == typeof(Tensor) && typeof(TBatch) == typeof(Tensor))
            return items => (TBatch)(object)Stack((IReadOnlyList<Tensor>)items, "sample");
        var plan = s_plans.GetOrAdd((typeof(T), typeof(TBatch)), k => Plan(k.Item1, k.Item2, "sample"));
        return items =>
        {
            if (items.Count == 0) throw new ArgumentException("Collate: cannot collate an empty list of samples.");
            var column = new object?[items.Count];
            for (int i = 0; i < column.Length; i++) column[i] = items[i];
            return (TBatch)plan(column)!;
        };
    }

    /// <summary>Stacks equal-shaped tensors along a new dim 0.</summary>
    /// <exception cref="ArgumentException">Empty list or differing shapes (the message names both samples).</exception>
    public static Tensor Stack(IReadOnlyList<Tensor> items, string path = "sample")
    {
        if (items.Count == 0) throw new ArgumentException($"Collate: cannot stack an empty list at {path}.");
        var shape = items[0].Shape;
        for (int i = 1; i < items.Count; i++)
            if (items[i].Shape != shape)
                throw new ArgumentException($"Collate: cannot stack {path}: shape {shape} at sample 0 but {items[i].Shape} at sample {i} (every sample of a batch needs the same shape; resize or pad them, or pass a collate function).");
        return Tensor.Stack(items as Tensor[] ?? items.ToArray());
    }

    private static readonly Dictionary<Type, DType> s_scalars = new()
    {
        [typeof(int)] = DType.Int64, [typeof(long)] = DType.Int64, [typeof(short)] = DType.Int64,
        [typeof(sbyte)] = DType.Int64, [typeof(ushort)] = DType.Int64, [typeof(uint)] = DType.Int64,
        [typeof(byte)] = DType.UInt8, [typeof(float)] = DType.Float32, [typeof(double)] = DType.Float64,
        [typeof(bool)] = DType.Bool,
    };

    private static Func<object?[], object?> Plan(Type src, Type dst, string path)
    {
        if (dst == typeof(Tensor))
        {
            if (src == typeof(Tensor)) return col => Stack(Array.ConvertAll(col, o => (Tensor)o!), path);
            if (s_scalars.TryGetValue(src, out var dt)) return col => Scalars(col, src, dt);
            throw NoRule(src, dst, path);
        }
        if (IsTuple(dst))
        {
            var dstFields = dst.GetGenericArguments();
            var ctor = dst.GetConstructor(dstFields)!;
            if (IsTuple(src) && src.GetGenericArguments().Length == dstFields.Length)
            {
                var srcFields = src.GetGenericArguments();
                var plans = Enumerable.Range(0, dstFields.Length).Select(i => Plan(srcFields[i], dstFields[i], $"{path}.Item{i + 1}")).ToArray();
                return col => ctor.Invoke(Columns(plans, col, (o, i) => ((ITuple)o!)[i]));
            }
            if (src.IsArray)
            {
                var elem = src.GetElementType()!;
                var plans = Enumerable.Range(0, dstFields.Length).Select(i => Plan(elem, dstFields[i], $"{path}[{i}]")).ToArray();
                return col => ctor.Invoke(Columns(plans, col, (o, i) => ArrayItem(o, i, plans.Length, path)));
            }
            throw NoRule(src, dst, path);
        }
        if (dst.IsArray && src.IsArray)
        {
            var plan = Plan(src.GetElementType()!, dst.GetElementType()!, $"{path}[]");
            var elem = dst.GetElementType()!;
            return col =>
            {
                int n = ((Array)col[0]!).Length;
                var result = Array.CreateInstance(elem, n);
                for (int k = 0; k < n; k++)
                    result.SetValue(plan(Array.ConvertAll(col, o => ArrayItem(o, k, n, path))), k);
                return result;
            };
        }
        if (ListElement(dst) is { } listElem && listElem.IsAssignableFrom(src))
        {
            return col =>
            {
                var arr = Array.CreateInstance(listElem, col.Length);
                for (int i = 0; i < col.Length; i++) arr.SetValue(col[i], i);
                return dst.IsArray || dst.IsInterface ? arr : Activator.CreateInstance(dst, arr);
            };
        }
        if (DictionaryValue(dst) is { } dstValue && DictionaryValue(src) is { } srcValue)
        {
            var plan = Plan(srcValue, dstValue, $"{path}[key]");
            var dictType = typeof(Dictionary<,>).MakeGenericType(typeof(string), dstValue);
            return col =>
            {
                var result = (IDictionary)Activator.CreateInstance(dictType)!;
                foreach (DictionaryEntry e in (IDictionary)col[0]!)
                    result[e.Key] = plan(Array.ConvertAll(col, o => ((IDictionary)o!).Contains(e.Key) ? ((IDictionary)o!)[e.Key]
                        : throw new ArgumentException($"Collate: key '{e.Key}' of {path} is missing in a later sample.")));
                return result;
            };
        }
        if (!src.IsPrimitive && src != typeof(string) && !dst.IsPrimitive && dst != typeof(string) && dst != typeof(object))
            return RecordPlan(src, dst, path);
        throw NoRule(src, dst, path);
    }

    private static Func<object?[], object?> RecordPlan(Type src, Type dst, string path)
    {
        var members = src.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => (p.Name, Type: p.PropertyType, Get: (Func<object, object?>)p.GetValue))
            .Concat(src.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => (f.Name, Type: f.FieldType, Get: (Func<object, object?>)f.GetValue)))
            .Where(m => m.Name != "EqualityContract")
            .ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var ctor in dst.GetConstructors().OrderByDescending(c => c.GetParameters().Length))
        {
            var ps = ctor.GetParameters();
            if (ps.Length == 0 || !ps.All(p => members.ContainsKey(p.Name!))) continue;
            var plans = ps.Select(p => Plan(members[p.Name!].Type, p.ParameterType, $"{path}.{members[p.Name!].Name}")).ToArray();
            var getters = ps.Select(p => members[p.Name!].Get).ToArray();
            return col => ctor.Invoke(Columns(plans, col, (o, i) => getters[i](o!)));
        }
        var setters = dst.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && members.ContainsKey(p.Name)).ToArray();
        if (setters.Length > 0 && (dst.IsValueType || dst.GetConstructor(Type.EmptyTypes) != null))
        {
            var plans = setters.Select(p => Plan(members[p.Name].Type, p.PropertyType, $"{path}.{members[p.Name].Name}")).ToArray();
            var getters = setters.Select(p => members[p.Name].Get).ToArray();
            return col =>
            {
                var values = Columns(plans, col, (o, i) => getters[i](o!));
                object result = Activator.CreateInstance(dst)!;
                for (int i = 0; i < setters.Length; i++) setters[i].SetValue(result, values[i]);
                return result;
            };
        }
        throw NoRule(src, dst, path);
    }

    private static object?[] Columns(Func<object?[], object?>[] plans, object?[] col, Func<object?, int, object?> field)
    {
        var values = new object?[plans.Length];
        for (int i = 0; i < plans.Length; i++)
        {
            var column = new object?[col.Length];
            for (int s = 0; s < col.Length; s++) column[s] = field(col[s], i);
            values[i] = plans[i](column);
        }
        return values;
    }

    private static object? ArrayItem(object? o, int i, int expected, string path)
    {
        var a = (Array)o!;
        if (a.Length != expected)
            throw new ArgumentException($"Collate: {path} arrays differ in length within a batch ({a.Length} vs {expected}).");
        return a.GetValue(i);
    }

    private static Tensor Scalars(object?[] col, Type src, DType dt) => dt switch
    {
        DType.Int64 => Tensor.FromArray(Array.ConvertAll(col, o => Convert.ToInt64(o))),
        DType.UInt8 => Tensor.FromArray(Array.ConvertAll(col, o => (byte)o!)),
        DType.Float32 => Tensor.FromArray(Array.ConvertAll(col, o => (float)o!)),
        DType.Float64 => Tensor.FromArray(Array.ConvertAll(col, o => (double)o!)),
        _ => Tensor.FromArray(Array.ConvertAll(col, o => (bool)o!)),
    };

    private static bool IsTuple(Type t) => t.IsGenericType && typeof(ITuple).IsAssignableFrom(t) && t.GetGenericArguments().Length <= 7;

    private static Type? ListElement(Type t)
    {
        if (t.IsArray) return t.GetElementType();
        if (!t.IsGenericType) return null;
        var def = t.GetGenericTypeDefinition();
        return def == typeof(List<>) || def == typeof(IReadOnlyList<>) || def == typeof(IList<>) || def == typeof(IEnumerable<>) ? t.GetGenericArguments()[0] : null;
    }

    private static Type? DictionaryValue(Type t)
    {
        var iface = t.IsGenericType && t.GetGenericTypeDefinition() is var d && (d == typeof(IReadOnlyDictionary<,>) || d == typeof(IDictionary<,>)) ? t
            : t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        return iface != null && iface.GetGenericArguments()[0] == typeof(string) && (t.IsInterface || typeof(IDictionary).IsAssignableFrom(t))
            ? iface.GetGenericArguments()[1] : null;
    }

    private static ArgumentException NoRule(Type src, Type dst, string path) =>
        new($"Collate: no default rule collates {path} of type {src.Name} into {dst.Name} (tensors stack, numbers become tensors, tuples/arrays/records/dictionaries go field by field, other values gather into an array); pass a collate function.");
}
