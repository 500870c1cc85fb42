namespace Lantern.Optim;

// Optimizer state dict: PyTorch's layout ("state" keyed by parameter index across groups, "param_groups" with
// their hyper-parameters and "params" index lists), deep-copied both ways; see StateDicts for the value types.
public abstract partial class Optimizer
{
    /// <summary>
    /// torch.optim.Optimizer.state_dict():
    /// <c>{"state": {"i": {...}}, "param_groups": [{..., "params": int[]}]}</c> where i numbers the parameters across
    /// groups in order. Only parameters that have state appear under "state". Everything is a deep copy.
    /// </summary>
    public Dictionary<string, object> StateDict()
    {
        var state = new Dictionary<string, object>();
        var groups = new Dictionary<string, object>[_groups.Count];
        int next = 0;
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var g = _groups[gi];
            var ids = new int[g.Params.Count];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = next;
                if (_state.TryGetValue(g.Params[i], out var s) && s.Count > 0)
                    state[next.ToString(System.Globalization.CultureInfo.InvariantCulture)] = StateDicts.DeepCopy(s);
                next++;
            }
            var d = new Dictionary<string, object>();
            foreach (var (k, v) in g.Options()) d[k] = v;
            d["params"] = ids;
            groups[gi] = d;
        }
        return new Dictionary<string, object> { ["state"] = state, ["param_groups"] = groups };
    }

    /// <summary>
    /// torch.optim.Optimizer.load_state_dict(): replaces every group's hyper-parameters by the saved ones
    /// (parameters stay) and the per-parameter state by a deep copy of the saved state, with floating state
    /// tensors cast to their parameter's dtype. Groups are matched by position, parameters by index.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A malformed dict, a different number of groups, a group of a different size, a state index out of range,
    /// or a state tensor whose shape differs from its parameter's.
    /// </exception>
    public void LoadStateDict(Dictionary<string, object> stateDict)
    {
        var savedGroups = StateDicts.Get<Dictionary<string, object>[]>(stateDict, "param_groups", Name);
        var savedState = StateDicts.Get<Dictionary<string, object>>(stateDict, "state", Name);
        if (savedGroups.Length != _groups.Count)
            throw new ArgumentException($"{Name}: loaded state dict has {savedGroups.Length} parameter groups, the optimizer has {_groups.Count}.");
        var byIndex = new Dictionary<int, Tensor>();
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var ids = StateDicts.Get<int[]>(savedGroups[gi], "params", Name);
            var ps = _groups[gi].Params;
            if (ids.Length != ps.Count)
                throw new ArgumentException($"{Name}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group {gi}: {ids.Length} saved parameters, {ps.Count} in the optimizer).");
            for (int i = 0; i < ids.Length; i++)
                if (!byIndex.TryAdd(ids[i], ps[i]))
                    throw new ArgumentException($"{Name}: loaded state dict lists parameter index {ids[i]} twice.");
        }
        var newState = new Dictionary<Tensor, Dictionary<string, object>>(ReferenceEqualityComparer.Instance);
        foreach (var (key, value) in savedState)
        {
            if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int idx) || !byIndex.TryGetValue(idx, out var p))
                throw new ArgumentException($"{Name}: loaded state refers to parameter '{key}', which is not in any parameter group.");
            if (value is not Dictionary<string, object> entries)
                throw new ArgumentException($"{Name}: loaded state of parameter {key} is {value.GetType().Name}, expected a dictionary.");
            var s = new Dictionary<string, object>();
            foreach (var (k, v) in entries)
            {
                if (v is Tensor t)
                {
                    if (t.Shape != p.Shape)
                        throw new ArgumentException($"{Name}: loaded state '{k}' of parameter {key} has shape {t.Shape}, the parameter has shape {p.Shape}.");
                    using (Autograd.NoGrad()) s[k] = t.DType.IsFloatingPoint() && t.DType != p.DType ? t.Detach().To(p.DType).Contiguous() : StateDicts.CloneTensor(t);
                }
                else s[k] = StateDicts.DeepCopy(v);
            }
            newState[p] = s;
        }
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var options = StateDicts.DeepCopy(savedGroups[gi]);
            options.Remove("params");
            _groups[gi].ReplaceOptions(options);
        }
        _state.Clear();
        foreach (var (p, s) in newState) _state[p] = s;
    }
}
