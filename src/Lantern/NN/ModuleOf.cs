namespace Lantern.NN;

/// <summary>
/// A module with a typed forward (most layers: Tensor -> Tensor). <see cref="Forward"/> is the computation
/// (PyTorch's forward); <see cref="Call"/> is PyTorch's module(x): forward pre-hooks, Forward, forward hooks.
/// </summary>
public abstract class Module<TIn, TOut> : Module
{
    private readonly List<(int Id, Func<Module, TIn, TIn?> Hook)> _preHooks = [];
    private readonly List<(int Id, Func<Module, TIn, TOut, TOut?> Hook)> _postHooks = [];
    private int _nextHook;

    /// <summary>The computation.</summary>
    public abstract TOut Forward(TIn input);

    /// <summary>Runs pre-hooks (which may replace the input), Forward, then hooks (which may replace the output).</summary>
    public TOut Call(TIn input)
    {
        foreach (var (_, h) in _preHooks.ToArray())
            if (h(this, input) is { } replaced) input = replaced;
        var output = Forward(input);
        foreach (var (_, h) in _postHooks.ToArray())
            if (h(this, input, output) is { } replaced) output = replaced;
        return output;
    }

    /// <summary>register_forward_pre_hook: hook(module, input) may return a replacement input. Dispose the handle to remove.</summary>
    public IDisposable RegisterForwardPreHook(Func<Module, TIn, TIn?> hook)
    {
        int id = ++_nextHook;
        _preHooks.Add((id, hook));
        return new Handle(() => _preHooks.RemoveAll(h => h.Id == id));
    }

    /// <summary>register_forward_hook: hook(module, input, output) may return a replacement output.</summary>
    public IDisposable RegisterForwardHook(Func<Module, TIn, TOut, TOut?> hook)
    {
        int id = ++_nextHook;
        _postHooks.Add((id, hook));
        return new Handle(() => _postHooks.RemoveAll(h => h.Id == id));
    }

    private sealed class Handle(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
