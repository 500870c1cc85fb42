namespace Lantern.NN;

/// <summary>
/// Base of every layer (torch.nn.Module): owns parameters, buffers and submodules, registered explicitly by
/// name (the names are PyTorch's, so state-dict keys match: "layer1.0.conv1.weight"). Parameters are
/// tensors with RequiresGrad; buffers are tensors that are saved but not trained (running statistics).
/// Registration order is kept and is the order of Parameters(), StateDict() and ToString().
/// </summary>
public abstract partial class Module
{
    private readonly OrderedDictionary<string, Tensor?> _parameters = new();
    private readonly OrderedDictionary<string, Tensor?> _buffers = new();
    private readonly HashSet<string> _nonPersistent = [];
    private readonly OrderedDictionary<string, Module?> _modules = new();

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The type name shown by ToString (e.g. "Conv2d").</summary>
    public virtual string Name => GetType().Name;

    private static void CheckName(string name, string kind)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"Module: {kind} name '{name}' must be non-empty and contain no '.'.");
    }

    private void CheckUnique(string name, string kind)
    {
        if ((kind != "parameter" && _parameters.ContainsKey(name)) || (kind != "buffer" && _buffers.ContainsKey(name)) ||
            (kind != "module" && _modules.ContainsKey(name)))
            throw new ArgumentException($"Module {Name}: attribute '{name}' already exists as another kind; cannot register it as a {kind}.");
    }

    /// <summary>Registers (or replaces, or clears with null) a parameter; it is made a leaf that requires grad.</summary>
    /// <exception cref="ArgumentException">Bad name, name taken by a buffer/module, or a non-leaf / non-floating tensor.</exception>
    protected Tensor? RegisterParameter(string name, Tensor? parameter)
    {
        CheckName(name, "parameter");
        CheckUnique(name, "parameter");
        if (parameter is not null)
        {
            if (!parameter.IsLeaf)
                throw new ArgumentException($"Module {Name}: cannot assign a non-leaf tensor as parameter '{name}'; Detach() it first.");
            if (!parameter.DType.IsFloatingPoint())
                throw new ArgumentException($"Module {Name}: parameter '{name}' must be floating point, got {parameter.DType}.");
            if (!parameter.RequiresGrad) parameter.RequiresGrad_();
        }
        _parameters[name] = parameter;
        return parameter;
    }

    /// <summary>Registers a buffer; non-persistent buffers are left out of the state dict.</summary>
    protected Tensor? RegisterBuffer(string name, Tensor? buffer, bool persistent = true)
    {
        CheckName(name, "buffer");
        CheckUnique(name, "buffer");
        _buffers[name] = buffer;
        if (persistent) _nonPersistent.Remove(name);
        else _nonPersistent.Add(name);
        return buffer;
    }

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module?
    {
        CheckName(name, "module");
        CheckUnique(name, "module");
        _modules[name] = module;
        return module;
    }

    /// <summary>A registered parameter by name (null when cleared).</summary>
    protected Tensor? GetParameter(string name) => _parameters.TryGetValue(name, out var p) ? p : throw new KeyNotFoundException($"Module {Name} has no parameter '{name}'.");

    /// <summary>A registered buffer by name.</summary>
    protected Tensor? GetBuffer(string name) => _buffers.TryGetValue(name, out var b) ? b : throw new KeyNotFoundException($"Module {Name} has no buffer '{name}'.");

    /// <summary>A registered child by name.</summary>
    protected Module? GetModule(string name) => _modules.TryGetValue(name, out var m) ? m : throw new KeyNotFoundException($"Module {Name} has no submodule '{name}'.");

    /// <summary>Replaces a buffer's tensor (e.g. running statistics updated out of place).</summary>
    protected void SetBuffer(string name, Tensor? value)
    {
        if (!_buffers.ContainsKey(name)) throw new KeyNotFoundException($"Module {Name} has no buffer '{name}'.");
        _buffers[name] = value;
    }

    /// <summary>Parameters of this module and (with recurse) all descendants, each once.</summary>
    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters(recurse: recurse).Select(p => p.Value);

    /// <summary>(dotted name, parameter) pairs in registration order; shared parameters appear once.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters(string prefix = "", bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (path, m) in recurse ? NamedModules(prefix) : [new(prefix, this)])
            foreach (var (n, p) in m._parameters)
                if (p is not null && seen.Add(p)) yield return new(Join(path, n), p);
    }

    /// <summary>Buffers of this module and descendants.</summary>
    public IEnumerable<Tensor> Buffers(bool recurse = true) => NamedBuffers(recurse: recurse).Select(b => b.Value);

    /// <summary>(dotted name, buffer) pairs.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers(string prefix = "", bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (path, m) in recurse ? NamedModules(prefix) : [new(prefix, this)])
            foreach (var (n, b) in m._buffers)
                if (b is not null && seen.Add(b)) yield return new(Join(path, n), b);
    }

    /// <summary>Direct children.</summary>
    public IEnumerable<Module> Children() => NamedChildren().Select(c => c.Value);

    /// <summary>(name, child) pairs of direct children.</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedChildren()
    {
        foreach (var (n, m) in _modules)
            if (m is not null) yield return new(n, m);
    }

    /// <summary>This module and every descendant, depth first, each once.</summary>
    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Value);

    /// <summary>(dotted path, module) pairs starting with (prefix, this).</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedModules(string prefix = "")
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return Walk(this, prefix);

        IEnumerable<KeyValuePair<string, Module>> Walk(Module m, string path)
        {
            if (!seen.Add(m)) yield break;
            yield return new(path, m);
            foreach (var (n, c) in m._modules)
                if (c is not null)
                    foreach (var x in Walk(c, Join(path, n))) yield return x;
        }
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>Sets training mode on this module and all descendants; returns this.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var m in Modules()) m.Training = mode;
        return this;
    }

    /// <summary>Evaluation mode (Train(false)); returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears (setToNone, PyTorch's default) or zeroes every parameter's gradient.</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters())
        {
            if (p.Grad is null) continue;
            if (setToNone) p.Grad = null;
            else using (Autograd.NoGrad()) p.Grad = Tensor.ZerosLike(p.Grad);
        }
    }

    /// <summary>Calls fn on every descendant then on this module (post-order, like PyTorch); returns this.</summary>
    public Module Apply(Action<Module> fn)
    {
        foreach (var (_, c) in _modules) c?.Apply(fn);
        fn(this);
        return this;
    }

    /// <summary>Sets RequiresGrad on every parameter (false freezes the module); returns this.</summary>
    public Module RequiresGrad_(bool requiresGrad = true)
    {
        foreach (var p in Parameters()) p.RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>Number of parameter elements (only those requiring grad when <paramref name="trainableOnly"/>).</summary>
    public long NumParameters(bool trainableOnly = false) =>
        Parameters().Where(p => !trainableOnly || p.RequiresGrad).Sum(p => (long)p.Numel());
}
