namespace Lantern;

// Autograd state of a tensor: requires-grad flag, .Grad, grad function, hooks, Backward.
public sealed partial class Tensor
{
    private bool _requiresGrad;       // leaves only; non-leaves require grad through their grad function
    private Node? _gradFn;
    private AccumulateGrad? _accumulator;
    private Tensor? _base;            // the root tensor this one is a view of (views of views point to the root)
    private int _gradFnVersion;       // storage version when a view's grad function was last set
    private bool _retainsGrad;

    /// <summary>The accumulated gradient (leaves, and non-leaves after <see cref="RetainGrad"/>).</summary>
    public Tensor? Grad { get; set; }

    /// <summary>
    /// True when gradients flow to this tensor: a leaf created with requiresGrad, or any result of an op on such
    /// a tensor recorded with grad mode on. Setting it is allowed on leaves only, and only for floating dtypes.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a non-leaf, or true on a non-floating tensor.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad || GradFn is not null;
        set
        {
            if (!IsLeaf)
                throw new InvalidOperationException(
                    "RequiresGrad: you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use varNoGrad = var.Detach().");
            if (value && !DType.IsFloatingPoint())
                throw new InvalidOperationException($"RequiresGrad: only Tensors of floating point dtype can require gradients (got {DType}).");
            _requiresGrad = value;
        }
    }

    /// <summary>Sets <see cref="RequiresGrad"/> in place and returns this tensor (torch.Tensor.requires_grad_).</summary>
    public Tensor RequiresGrad_(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>The node that produced this tensor (null for leaves).</summary>
    public Node? GradFn
    {
        get
        {
            // A view whose base was modified in place (through another view) gets a fresh grad function that
            // reads its values out of the base's new history, as PyTorch regenerates view grad_fns.
            if (_base is not null && _gradFnVersion != _storage.Version && _base.RequiresGrad && GradMode.Enabled)
                RegenerateViewGradFn();
            return _gradFn;
        }
    }

    /// <summary>True for tensors not produced by a recorded op (PyTorch's is_leaf).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>True after <see cref="RetainGrad"/> on a non-leaf.</summary>
    public bool RetainsGrad => _retainsGrad;

    /// <summary>The view base (null when this tensor is not a view).</summary>
    internal Tensor? ViewBase => _base;

    internal void SetGradFn(Node node)
    {
        _gradFn = node;
        _gradFnVersion = _storage.Version;
    }

    internal void MarkViewOf(Tensor source)
    {
        _base = source._base ?? source;
        _gradFnVersion = _storage.Version;
    }

    internal AccumulateGrad GradAccumulator() => _accumulator ??= new AccumulateGrad(this);

    /// <summary>A tensor sharing storage with this one but cut from the graph (requires no grad).</summary>
    public Tensor Detach() => new(_storage, _layout);

    /// <summary>Cuts this tensor from the graph in place and makes it a leaf.</summary>
    /// <exception cref="InvalidOperationException">The tensor is a view (PyTorch refuses detach_ on views).</exception>
    public Tensor Detach_()
    {
        if (_base is not null)
            throw new InvalidOperationException("Detach_: can't detach views in-place. Use Detach() instead.");
        _gradFn = null;
        _requiresGrad = false;
        return this;
    }

    /// <summary>Keeps the gradient of this non-leaf in <see cref="Grad"/> during backward (no-op on leaves).</summary>
    /// <exception cref="InvalidOperationException">The tensor does not require grad.</exception>
    public void RetainGrad()
    {
        if (!RequiresGrad) throw new InvalidOperationException("RetainGrad: can't retain_grad on Tensor that has requires_grad=False.");
        if (IsLeaf || _retainsGrad) return;
        _retainsGrad = true;
        _gradFn!.AddPreHook(g =>
        {
            using (Autograd.NoGrad())
                Grad = Grad is null ? g.Detach().Clone() : Grad.Add(g);
            return null;
        });
    }

    /// <summary>
    /// Registers a hook run on this tensor's gradient during backward; it may return a replacement gradient
    /// (or null to keep it). Dispose the returned handle to remove the hook.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor does not require grad.</exception>
    public IDisposable RegisterHook(Func<Tensor, Tensor?> hook)
    {
        if (!RequiresGrad) throw new InvalidOperationException("RegisterHook: cannot register a hook on a tensor that doesn't require gradient.");
        Node node = GradFn ?? GradAccumulator();
        int id = node.AddPreHook(hook);
        return new HookHandle(node, id);
    }

    private sealed class HookHandle(Node node, int id) : IDisposable
    {
        public void Dispose() => node.PreHooks?.RemoveAll(h => h.id == id);
    }

    /// <summary>
    /// Computes gradients of this tensor with respect to the graph leaves and accumulates them into their
    /// <see cref="Grad"/>. <paramref name="gradient"/> may be omitted for a one-element tensor (ones).
    /// </summary>
    /// <exception cref="InvalidOperationException">No grad function, implicit gradient for a non-scalar, or a saved tensor modified in place.</exception>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false)
    {
        var grads = Autograd.RootGrads([this], [gradient], "Backward");
        Engine.Run([this], grads, retainGraph || createGraph, createGraph, null);
    }

    private void RegenerateViewGradFn()
    {
        var b = _base!;
        var geometry = _layout;
        var baseLayout = b._layout;
        _gradFnVersion = _storage.Version;
        var node = new FunctionNode("AsStrided", [new Edge(b.GradFn ?? b.GradAccumulator(), b.Shape, b.DType)],
            g => [AsStridedBackward(g, geometry, baseLayout)], null);
        _gradFn = node;
    }

    /// <summary>
    /// Gradient of a view with layout <paramref name="view"/> of a contiguous base with layout <paramref name="baseLayout"/>:
    /// zeros of the base's shape with g added at the viewed positions (overlaps accumulate).
    /// </summary>
    internal static Tensor AsStridedBackward(Tensor g, Layout view, Layout baseLayout)
    {
        var flat = Zeros([baseLayout.Numel], g.DType);
        var rel = Layout.Create(view.Shape, view.RawStrides, view.Offset - baseLayout.Offset);
        var positions = Tensor.FromLayoutPositions(rel);
        return flat.IndexAdd(0, positions, g.Reshape(-1)).View(baseLayout.Shape.ToArray());
    }

    /// <summary>Sums a gradient of a broadcast shape back to <paramref name="shape"/> (leading dims and size-1 dims).</summary>
    internal Tensor SumToShape(Shape shape, string op)
    {
        if (Shape == shape) return this;
        int lead = Rank - shape.Rank;
        if (lead < 0) throw new InvalidOperationException($"{op}: gradient of shape {Shape} cannot be summed to shape {shape}.");
        var dims = new List<int>();
        for (int d = 0; d < Rank; d++)
        {
            if (d < lead) { dims.Add(d); continue; }
            int want = shape[d - lead];
            if (want == 1 && Shape[d] != 1) dims.Add(d);
            else if (want != Shape[d])
                throw new InvalidOperationException($"{op}: gradient of shape {Shape} cannot be summed to shape {shape}.");
        }
        var r = dims.Count > 0 ? Sum(dims.ToArray(), keepDim: true) : this;
        return r.Reshape(shape.ToArray());
    }
}
