namespace Lantern.NN;

/// <summary>Keys a non-strict <see cref="Module.LoadStateDict"/> could not match.</summary>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);

// State dict: PyTorch's dotted keys, parameters then persistent buffers per module, children after.
public abstract partial class Module
{
    /// <summary>
    /// torch.nn.Module.state_dict(): every parameter and persistent buffer under its dotted name, in
    /// PyTorch's order (a module's own parameters, then its buffers, then each child's entries). The tensors
    /// are detached views of the live ones (no copy).
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict(string prefix = "")
    {
        var d = new OrderedDictionary<string, Tensor>();
        Collect(this, prefix, d);
        return d;

        static void Collect(Module m, string path, OrderedDictionary<string, Tensor> d)
        {
            foreach (var (n, p) in m._parameters) if (p is not null) d[Join(path, n)] = p.Detach();
            foreach (var (n, b) in m._buffers) if (b is not null && !m._nonPersistent.Contains(n)) d[Join(path, n)] = b.Detach();
            foreach (var (n, c) in m._modules) if (c is not null) Collect(c, Join(path, n), d);
        }
    }

    /// <summary>
    /// torch.nn.Module.load_state_dict(): copies values (cast to each tensor's dtype) into the matching
    /// parameters and buffers, without recording gradients. With <paramref name="strict"/> any missing or
    /// unexpected key raises; a shape mismatch always raises.
    /// </summary>
    /// <exception cref="ArgumentException">Strict mismatch (lists the keys) or a shape mismatch (names the key and both shapes).</exception>
    public LoadStateDictResult LoadStateDict(IEnumerable<KeyValuePair<string, Tensor>> stateDict, bool strict = true)
    {
        var source = stateDict.ToDictionary(kv => kv.Key, kv => kv.Value);
        var own = StateDict();
        var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
        var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            var msg = $"Error(s) in loading state_dict for {Name}:";
            if (missing.Count > 0) msg += "\n\tMissing key(s) in state_dict: " + string.Join(", ", missing.Select(k => $"\"{k}\"")) + ".";
            if (unexpected.Count > 0) msg += "\n\tUnexpected key(s) in state_dict: " + string.Join(", ", unexpected.Select(k => $"\"{k}\"")) + ".";
            throw new ArgumentException(msg);
        }
        foreach (var (k, target) in own)
        {
            if (!source.TryGetValue(k, out var value)) continue;
            if (value.Shape != target.Shape)
                throw new ArgumentException($"Error(s) in loading state_dict for {Name}: size mismatch for {k}: copying a param with shape {value.Shape} from checkpoint, the shape in current model is {target.Shape}.");
        }
        using (Autograd.NoGrad())
            foreach (var (k, target) in own)
                if (source.TryGetValue(k, out var value)) target.Copy_(value.To(target.DType));
        return new LoadStateDictResult(missing, unexpected);
    }
}
