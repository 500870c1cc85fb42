namespace Lantern;

/// <summary>
/// Autograd entry points: grad-mode scopes, the functional <c>Grad</c>, anomaly detection, and
/// <see cref="Record"/>, the one place ops attach their backward to an output.
/// </summary>
public static class Autograd
{
    private static volatile bool s_anomalyGlobal;

    /// <summary>Disables graph recording on this thread until the scope is disposed: <c>using (Autograd.NoGrad()) { ... }</c>.</summary>
    public static GradModeScope NoGrad()
    {
        var scope = new GradModeScope(GradMode.Enabled, false);
        GradMode.Enabled = false;
        return scope;
    }

    /// <summary>Enables graph recording on this thread until the scope is disposed (inside a NoGrad scope too).</summary>
    public static GradModeScope EnableGrad()
    {
        var scope = new GradModeScope(GradMode.Enabled, false);
        GradMode.Enabled = true;
        return scope;
    }

    /// <summary>True when ops record the graph on this thread.</summary>
    public static bool IsGradEnabled => GradMode.Enabled;

    /// <summary>
    /// Anomaly detection on this thread for the scope: nodes remember the forward stack trace, and backward
    /// fails with the name of the first function whose gradient contains NaN.
    /// </summary>
    public static GradModeScope DetectAnomaly()
    {
        var scope = new GradModeScope(GradMode.Anomaly, true);
        GradMode.Anomaly = true;
        return scope;
    }

    /// <summary>Process-wide anomaly detection switch (torch.autograd.set_detect_anomaly).</summary>
    public static bool IsAnomalyEnabled
    {
        get => s_anomalyGlobal;
        set => s_anomalyGlobal = value;
    }

    /// <summary>
    /// torch.autograd.grad: gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>
    /// without touching any .Grad. <paramref name="gradOutputs"/> may be null for scalar outputs (ones).
    /// With <paramref name="createGraph"/> the returned gradients carry a graph (double backward).
    /// </summary>
    /// <exception cref="ArgumentException">An input does not require grad, or a gradOutput shape differs from its output.</exception>
    /// <exception cref="InvalidOperationException">An input is unreachable and <paramref name="allowUnused"/> is false.</exception>
    public static Tensor?[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor?[]? gradOutputs = null, bool? retainGraph = null,
        bool createGraph = false, bool allowUnused = false)
    {
        var grads = RootGrads(outputs, gradOutputs, "Autograd.Grad");
        var result = Engine.Run(outputs, grads, retainGraph ?? createGraph, createGraph, inputs)!;
        if (!allowUnused)
            for (int i = 0; i < result.Length; i++)
                if (result[i] is null)
                    throw new InvalidOperationException(
                        $"Autograd.Grad: one of the differentiated tensors (input {i}, {inputs[i].DType} {inputs[i].Shape}) appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.");
        return result;
    }

    /// <summary>Single-output, single-input form of <see cref="Grad(Tensor[], Tensor[], Tensor?[], bool?, bool, bool)"/>.</summary>
    public static Tensor Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool createGraph = false) =>
        Grad([output], [input], gradOutput is null ? null : [gradOutput], createGraph: createGraph)[0]!;

    internal static Tensor[] RootGrads(Tensor[] outputs, Tensor?[]? gradOutputs, string op)
    {
        if (gradOutputs is not null && gradOutputs.Length != outputs.Length)
            throw new ArgumentException($"{op}: got {gradOutputs.Length} gradients for {outputs.Length} outputs.");
        var grads = new Tensor[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            var g = gradOutputs?[i];
            if (g is null)
            {
                if (outputs[i].Numel() != 1)
                    throw new InvalidOperationException($"{op}: grad can be implicitly created only for scalar outputs (output {i} has shape {outputs[i].Shape}).");
                g = Tensor.OnesLike(outputs[i]);
            }
            else if (g.Shape != outputs[i].Shape)
                throw new ArgumentException($"{op}: mismatch in shape: grad_output[{i}] has a shape of {g.Shape} and output[{i}] has a shape of {outputs[i].Shape}.");
            grads[i] = g;
        }
        return grads;
    }

    /// <summary>
    /// Attaches a backward function to <paramref name="output"/> when grad mode is on and some input requires
    /// grad; otherwise returns the output untouched. <paramref name="backward"/> maps the output's gradient to
    /// one gradient per input (null = no gradient); it may return gradients of the broadcast shape, the engine
    /// reduces them. <paramref name="saved"/> lists tensors the backward reads: modifying any of them in place
    /// before backward raises an error naming the op and the versions.
    /// </summary>
    internal static Tensor Record(Tensor output, string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, params Tensor[] saved)
    {
        if (!NeedsGrad(inputs)) return output;
        var edges = new Edge[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var t = inputs[i];
            edges[i] = new Edge(t.RequiresGrad ? t.GradFn ?? t.GradAccumulator() : null, t.Shape, t.DType);
        }
        SavedTensor[]? sv = null;
        if (saved.Length > 0)
        {
            sv = new SavedTensor[saved.Length];
            for (int i = 0; i < saved.Length; i++) sv[i] = new SavedTensor(saved[i]);
        }
        output.SetGradFn(new FunctionNode(name, edges, backward, sv));
        return output;
    }

    /// <summary>True when grad mode is on and at least one input requires grad.</summary>
    internal static bool NeedsGrad(params ReadOnlySpan<Tensor> inputs)
    {
        if (!GradMode.Enabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }
}
