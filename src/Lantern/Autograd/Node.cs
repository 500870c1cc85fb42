namespace Lantern;

/// <summary>An edge from a node to the node that receives the gradient of one of its inputs.</summary>
/// <param name="Node">The input's grad function or leaf accumulator; null when the input needs no gradient.</param>
/// <param name="Shape">The input's shape: the engine sums broadcast gradients back to it.</param>
/// <param name="DType">The input's dtype: the engine casts gradients to it.</param>
public readonly record struct Edge(Node? Node, Shape Shape, DType DType);

/// <summary>
/// A node of the backward graph (PyTorch's grad_fn). Each node has one differentiable output; it maps the
/// gradient of that output to gradients of its inputs (one per <see cref="Next"/> edge).
/// </summary>
public abstract class Node
{
    private static long s_sequence;
    internal List<(int id, Func<Tensor, Tensor?> hook)>? PreHooks;

    /// <summary>Creates a node with its input edges.</summary>
    protected Node(string name, Edge[] next)
    {
        Name = name;
        Next = next;
        Sequence = Interlocked.Increment(ref s_sequence);
        if (GradMode.Anomaly) CreationTrace = Environment.StackTrace;
    }

    /// <summary>Op name, e.g. "Exp".</summary>
    public string Name { get; }

    /// <summary>Edges to the nodes receiving gradients of the inputs, in input order.</summary>
    public Edge[] Next { get; }

    /// <summary>Creation order; the engine runs later nodes first among those ready.</summary>
    internal long Sequence { get; }

    /// <summary>Stack trace of the forward call, recorded in anomaly mode.</summary>
    internal string? CreationTrace { get; }

    /// <summary>PyTorch-style display name, e.g. "ExpBackward".</summary>
    public override string ToString() => Name + "Backward";

    /// <summary>Computes input gradients from the output gradient.</summary>
    internal abstract Tensor?[] Apply(Tensor gradOutput);

    /// <summary>Frees saved state after a backward pass without retainGraph.</summary>
    internal virtual void Release() { }

    internal int AddPreHook(Func<Tensor, Tensor?> hook)
    {
        PreHooks ??= [];
        int id = Interlocked.Increment(ref s_hookId);
        PreHooks.Add((id, hook));
        return id;
    }

    private static int s_hookId;
}

/// <summary>A tensor saved for backward together with the storage version it had when saved.</summary>
internal readonly struct SavedTensor(Tensor tensor)
{
    public readonly Tensor Tensor = tensor;
    public readonly int Version = tensor.Storage.Version;
}

/// <summary>A node whose backward is a function declared beside the op's forward.</summary>
internal sealed class FunctionNode : Node
{
    private Func<Tensor, Tensor?[]>? _backward;
    private SavedTensor[]? _saved;

    public FunctionNode(string name, Edge[] next, Func<Tensor, Tensor?[]> backward, SavedTensor[]? saved) : base(name, next)
    {
        _backward = backward;
        _saved = saved;
    }

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        if (_backward is null)
            throw new InvalidOperationException(
                $"Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed) at {this}. " +
                "Specify retainGraph: true if you need to backward through the graph a second time.");
        if (_saved is not null)
        {
            foreach (var s in _saved)
            {
                int now = s.Tensor.Storage.Version;
                if (now != s.Version)
                {
                    string producer = s.Tensor.GradFn is { } fn ? $"output 0 of {fn}" : "a leaf or a tensor not in the graph";
                    throw new InvalidOperationException(
                        $"One of the variables needed for gradient computation has been modified by an inplace operation: " +
                        $"[{s.Tensor.DType} {s.Tensor.Shape}], which is {producer}, is at version {now}; expected version {s.Version} instead " +
                        $"(needed by {this}).");
                }
            }
        }
        return _backward(gradOutput);
    }

    internal override void Release()
    {
        _backward = null;
        _saved = null;
    }
}

/// <summary>The sink of a leaf tensor: accumulates incoming gradients into its .Grad.</summary>
internal sealed class AccumulateGrad(Tensor leaf) : Node("AccumulateGrad", [])
{
    public Tensor Leaf { get; } = leaf;

    public override string ToString() => "AccumulateGrad";

    internal override Tensor?[] Apply(Tensor gradOutput) => [];
}
