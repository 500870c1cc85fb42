namespace Lantern;

/// <summary>
/// The backward engine: walks the graph from the roots in dependency order (later-created nodes first among
/// those ready), sums gradients arriving at each node, sums broadcast gradients back to each input's shape
/// and casts them to its dtype, runs tensor hooks, and either accumulates into leaves' .Grad
/// (<see cref="Tensor.Backward"/>) or captures the gradients of requested inputs (<c>Autograd.Grad</c>).
/// </summary>
internal static class Engine
{
    public static Tensor?[]? Run(Tensor[] roots, Tensor[] rootGrads, bool retainGraph, bool createGraph, Tensor[]? inputs)
    {
        // Capture targets for Autograd.Grad: leaf accumulators or non-leaf grad functions.
        Dictionary<Node, int>? capture = null;
        Tensor?[]? captured = null;
        if (inputs is not null)
        {
            capture = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
            captured = new Tensor?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                var t = inputs[i];
                if (!t.RequiresGrad)
                    throw new ArgumentException($"Autograd.Grad: input {i} ({t.DType} {t.Shape}) does not require grad.");
                var node = t.GradFn ?? t.GradAccumulator();
                capture.TryAdd(node, i);
            }
        }

        // Dependency counts over the reachable graph.
        var deps = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        var rootNodes = new Node[roots.Length];
        for (int i = 0; i < roots.Length; i++)
        {
            var r = roots[i];
            if (!r.RequiresGrad)
                throw new InvalidOperationException($"element {i} of tensors does not require grad and does not have a grad_fn ({r.DType} {r.Shape}).");
            rootNodes[i] = r.GradFn ?? r.GradAccumulator();
            if (deps.TryAdd(rootNodes[i], 0)) stack.Push(rootNodes[i]);
        }
        bool hooks = false;
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (n.PreHooks is { Count: > 0 }) hooks = true;
            foreach (var e in n.Next)
            {
                if (e.Node is null) continue;
                if (deps.TryGetValue(e.Node, out int c)) deps[e.Node] = c + 1;
                else { deps[e.Node] = 1; stack.Push(e.Node); }
            }
        }

        var grads = new Dictionary<Node, Tensor>(ReferenceEqualityComparer.Instance);
        var rootStorages = new HashSet<Storage>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < roots.Length; i++)
        {
            Accumulate(grads, rootNodes[i], rootGrads[i]);
            rootStorages.Add(rootGrads[i].Storage);
        }
        var leafStorages = new HashSet<Storage>(ReferenceEqualityComparer.Instance);

        var ready = new PriorityQueue<Node, long>();
        foreach (var n in rootNodes)
            if (deps[n] == 0 && !ready.UnorderedItems.Any(x => ReferenceEquals(x.Element, n))) ready.Enqueue(n, -n.Sequence);

        // Temporaries this pass allocates are dead afterwards unless they became a .Grad or a result: recycle the
        // rest. Not with createGraph (gradients are graph nodes) or user hooks (they may keep a gradient).
        bool recycle = !createGraph && !hooks;
        var touchedLeaves = new List<Tensor>();
        var outer = recycle ? Kernels.BufferPool.BeginRecording() : null;
        try
        {
            Pass();
        }
        catch
        {
            if (recycle) Kernels.BufferPool.EndRecording(outer);
            throw;
        }
        if (recycle)
        {
            var allocated = Kernels.BufferPool.EndRecording(outer);
            var escaped = new HashSet<Kernels.DeviceBuffer>(ReferenceEqualityComparer.Instance);
            foreach (var t in rootGrads) escaped.Add(t.Storage.Buffer);
            foreach (var l in touchedLeaves) if (l.Grad is { } g) escaped.Add(g.Storage.Buffer);
            if (captured is not null) foreach (var c in captured) if (c is not null) escaped.Add(c.Storage.Buffer);
            foreach (var b in allocated) if (!escaped.Contains(b)) b.Recycle();
        }
        return captured;

        void Pass()
        {
            using var mode = createGraph ? Autograd.EnableGrad() : Autograd.NoGrad();
            while (ready.Count > 0)
            {
                var node = ready.Dequeue();
                if (!grads.Remove(node, out var grad))
                {
                    // No gradient reached this node (every path to it carried null): release its children anyway.
                    foreach (var e in node.Next) Release(e);
                    continue;
                }
                if (node.PreHooks is not null)
                    foreach (var (_, hook) in node.PreHooks.ToArray())
                        grad = hook(grad) ?? grad;

                if (capture is not null && capture.TryGetValue(node, out int slot))
                    captured![slot] = grad;

                if (node is AccumulateGrad acc)
                {
                    if (capture is null)
                    {
                        AccumulateIntoLeaf(acc.Leaf, grad, createGraph, rootStorages, leafStorages);
                        touchedLeaves.Add(acc.Leaf);
                    }
                    continue;
                }

                var inGrads = node.Apply(grad);
                if (!retainGraph) node.Release();
                if (inGrads.Length != node.Next.Length)
                    throw new InvalidOperationException($"{node} returned {inGrads.Length} gradients for {node.Next.Length} inputs.");
                for (int i = 0; i < inGrads.Length; i++)
                {
                    var g = inGrads[i];
                    var e = node.Next[i];
                    if (e.Node is null) continue;
                    if (g is null) { Release(e); continue; }
                    if (GradMode.Anomaly || Autograd.IsAnomalyEnabled)
                    {
                        using (Autograd.NoGrad())
                            if (g.DType.IsFloatingPoint() && g.IsNan().Any().Item<bool>())
                                throw new InvalidOperationException(
                                    $"Function '{node}' returned nan values in its {i}th output." +
                                    (node.CreationTrace is null ? "" : "\nTraceback of forward call that caused the error:\n" + node.CreationTrace));
                    }
                    g = Conform(g, e, node);
                    Accumulate(grads, e.Node, g);
                    Release(e);
                }
            }
        }

        // One dependency of e.Node is satisfied; it runs once all are.
        void Release(Edge e)
        {
            if (e.Node is null) return;
            int left = deps[e.Node] - 1;
            deps[e.Node] = left;
            if (left == 0) ready.Enqueue(e.Node, -e.Node.Sequence);
        }
    }

    /// <summary>Sums a broadcast gradient back to the input shape and casts it to the input dtype.</summary>
    private static Tensor Conform(Tensor g, Edge e, Node node)
    {
        if (g.Shape != e.Shape) g = g.SumToShape(e.Shape, node.ToString());
        if (g.DType != e.DType) g = g.To(e.DType);
        return g;
    }

    private static void Accumulate(Dictionary<Node, Tensor> grads, Node node, Tensor g)
    {
        if (grads.TryGetValue(node, out var prev)) grads[node] = prev.Add(g);
        else grads[node] = g;
    }

    private static void AccumulateIntoLeaf(Tensor leaf, Tensor g, bool createGraph, HashSet<Storage> rootStorages, HashSet<Storage> leafStorages)
    {
        if (leaf.Grad is null)
        {
            // Never let two leaves' .Grad (or a .Grad and the caller's gradient) share memory: users mutate .Grad in place.
            bool shared = rootStorages.Contains(g.Storage) || !leafStorages.Add(g.Storage);
            leaf.Grad = createGraph ? (shared ? g.Clone() : g) : (shared ? g.Detach().Clone() : g.Detach());
            if (shared) leafStorages.Add(leaf.Grad.Storage);
        }
        else if (createGraph || leaf.Grad.RequiresGrad)
            leaf.Grad = leaf.Grad.Add(g);
        else
            using (Autograd.NoGrad()) leaf.Grad.Add_(g);
    }
}
