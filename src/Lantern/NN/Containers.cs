using System.Collections;

namespace Lantern.NN;

/// <summary>torch.nn.Sequential: children "0", "1", ... applied in order (each through Call, so hooks run).</summary>
public sealed class Sequential : Module<Tensor, Tensor>, IEnumerable<Module<Tensor, Tensor>>
{
    private readonly List<Module<Tensor, Tensor>> _items = [];

    /// <summary>A sequence of Tensor -> Tensor modules.</summary>
    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        foreach (var m in modules) Append(m);
    }

    /// <summary>Adds a module at the end (named by its index) and returns this.</summary>
    public Sequential Append(Module<Tensor, Tensor> module)
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    /// <summary>The i-th module.</summary>
    public Module<Tensor, Tensor> this[int index] => _items[index];

    /// <summary>Number of modules.</summary>
    public int Count => _items.Count;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        foreach (var m in _items) input = m.Call(input);
        return input;
    }

    /// <inheritdoc/>
    protected override void OnReplacingModule(string name, Module? oldModule, Module? newModule) =>
        _items[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)] = newModule as Module<Tensor, Tensor>
            ?? throw new ArgumentException($"Sequential: child '{name}' must be replaced by a Tensor -> Tensor module, got {newModule?.GetType().Name ?? "null"}.");

    /// <inheritdoc/>
    public IEnumerator<Module<Tensor, Tensor>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>torch.nn.ModuleList: an indexed list of submodules named "0", "1", ...</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = [];

    /// <summary>A list holding the given modules.</summary>
    public ModuleList(params T[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends a module.</summary>
    public void Add(T module)
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
    }

    /// <summary>The i-th module.</summary>
    public T this[int index] => _items[index];

    /// <summary>Number of modules.</summary>
    public int Count => _items.Count;

    /// <inheritdoc/>
    public override string Name => "ModuleList";

    /// <summary>PyTorch's ModuleList repr: runs of identical children print once as "(0-5): 6 x Child(...)".</summary>
    public override string ToString()
    {
        if (_items.Count == 0) return Name + "()";
        var reprs = _items.Select(m => m.ToString()).ToList();
        var lines = new List<string>();
        int start = 0;
        for (int i = 1; i <= reprs.Count; i++)
        {
            if (i < reprs.Count && reprs[i] == reprs[start]) continue;
            var head = i - 1 == start ? $"({start}): " : $"({start}-{i - 1}): {i - start} x ";
            lines.Add((head + reprs[start]).Replace("\n", "\n  "));
            start = i;
        }
        return Name + "(\n  " + string.Join("\n  ", lines) + "\n)";
    }

    /// <inheritdoc/>
    protected override void OnReplacingModule(string name, Module? oldModule, Module? newModule) =>
        _items[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)] = newModule as T
            ?? throw new ArgumentException($"ModuleList: child '{name}' must be replaced by a {typeof(T).Name}, got {newModule?.GetType().Name ?? "null"}.");

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>torch.nn.ModuleDict: submodules by name, in insertion order.</summary>
public sealed class ModuleDict<T> : Module, IEnumerable<KeyValuePair<string, T>> where T : Module
{
    private readonly OrderedDictionary<string, T> _items = new();

    /// <summary>Adds a module under <paramref name="key"/>.</summary>
    public void Add(string key, T module)
    {
        RegisterModule(key, module);
        _items[key] = module;
    }

    /// <summary>The module under key.</summary>
    public T this[string key] => _items[key];

    /// <summary>Number of modules.</summary>
    public int Count => _items.Count;

    /// <summary>True when key is present.</summary>
    public bool ContainsKey(string key) => _items.ContainsKey(key);

    /// <inheritdoc/>
    public override string Name => "ModuleDict";

    /// <inheritdoc/>
    protected override void OnReplacingModule(string name, Module? oldModule, Module? newModule) =>
        _items[name] = newModule as T
            ?? throw new ArgumentException($"ModuleDict: child '{name}' must be replaced by a {typeof(T).Name}, got {newModule?.GetType().Name ?? "null"}.");

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
