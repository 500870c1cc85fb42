namespace Lantern.NN;

// Replacing a registered child (swapping a classifier head when fine-tuning).
public abstract partial class Module
{
    /// <summary>
    /// Replaces the registered child <paramref name="name"/> by <paramref name="module"/> (PyTorch's
    /// <c>setattr(model, name, module)</c> on an existing submodule) and returns the old child. The child keeps its
    /// position in the registration order, so state-dict keys and ToString order do not move. Modules that keep
    /// typed references to their children (containers) update them in <see cref="OnReplacingModule"/>; layers
    /// that read children through <see cref="GetModule"/> need nothing.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No child of that name.</exception>
    /// <exception cref="ArgumentException">The module refuses the replacement (e.g. a Sequential child that is not Tensor -&gt; Tensor).</exception>
    public Module? ReplaceModule(string name, Module? module)
    {
        if (!_modules.TryGetValue(name, out var old))
            throw new KeyNotFoundException($"Module {Name}: no submodule '{name}' to replace (has: {string.Join(", ", _modules.Keys)}).");
        OnReplacingModule(name, old, module);
        _modules[name] = module;
        return old;
    }

    /// <summary>Called before a child is replaced; override to validate the new child and update typed references to it.</summary>
    /// <exception cref="ArgumentException">The replacement is not acceptable.</exception>
    protected virtual void OnReplacingModule(string name, Module? oldModule, Module? newModule) { }
}
