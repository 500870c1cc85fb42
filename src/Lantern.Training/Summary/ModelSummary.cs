using System.Globalization;
using BindingFlags = System.Reflection.BindingFlags;
using System.Runtime.CompilerServices;
using System.Text;
using Lantern.NN;

namespace Lantern.Training.Summary;

/// <summary>
/// Layer table of a model (like torchinfo.summary and Lightning's ModelSummary): one forward pass of a random
/// input of the given shape (eval mode, no autograd; the training flags are restored) with a forward hook on
/// every module, giving each module's output shape, parameter counts and multiply-accumulates per sample
/// (<see cref="MacCounter"/>), plus totals and the parameter memory.
/// </summary>
public sealed class ModelSummary
{
    private ModelSummary(string modelType, int[] inputShape, int[] outputShape, IReadOnlyList<LayerSummary> layers,
        long total, long trainable, long parameterBytes, long bufferBytes, long macs, IReadOnlyList<string> unknown)
    {
        ModelType = modelType;
        InputShape = inputShape;
        OutputShape = outputShape;
        Layers = layers;
        TotalParameters = total;
        TrainableParameters = trainable;
        ParameterBytes = parameterBytes;
        BufferBytes = bufferBytes;
        MacsPerSample = macs;
        ModulesWithoutMacs = unknown;
    }

    /// <summary>Class name of the model.</summary>
    public string ModelType { get; }

    /// <summary>Input shape used, batch first.</summary>
    public int[] InputShape { get; }

    /// <summary>Shape of the model's output.</summary>
    public int[] OutputShape { get; }

    /// <summary>Every submodule, depth-first in registration order.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>Parameters of the model (each tensor once).</summary>
    public long TotalParameters { get; }

    /// <summary>Parameters with RequiresGrad.</summary>
    public long TrainableParameters { get; }

    /// <summary>Parameters without RequiresGrad (frozen).</summary>
    public long NonTrainableParameters => TotalParameters - TrainableParameters;

    /// <summary>Bytes of parameter storage (elements × element size).</summary>
    public long ParameterBytes { get; }

    /// <summary>Bytes of buffers (running statistics...).</summary>
    public long BufferBytes { get; }

    /// <summary>Multiply-accumulates per sample over the leaves that have a formula.</summary>
    public long MacsPerSample { get; }

    /// <summary>Leaves without a MAC count (no formula for their type, not called, or not hookable: not a Module&lt;TIn, TOut&gt;); not in <see cref="MacsPerSample"/>.</summary>
    public IReadOnlyList<string> ModulesWithoutMacs { get; }

    /// <summary>Summarises <paramref name="model"/> (a Tensor -> Tensor module) for an input of <paramref name="inputShape"/> (batch first, e.g. [1, 1, 28, 28]).</summary>
    /// <exception cref="ArgumentException">The model is not a Tensor -> Tensor module, or the shape is empty or has a non-positive size.</exception>
    public static ModelSummary Create(Module model, int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (model is not Module<Tensor, Tensor> net)
            throw new ArgumentException($"ModelSummary: the model must be a Module<Tensor, Tensor>, got {model.GetType().Name}.");
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ArgumentException($"ModelSummary: input shape must have positive sizes with the batch first, got [{string.Join(", ", inputShape)}].");
        int batch = inputShape[0];

        var modules = model.NamedModules().Skip(1).ToList();   // the model itself comes first
        var calls = new Dictionary<Module, (int Calls, int[]? Shape, long? Macs, bool Unknown)>(ReferenceEqualityComparer.Instance);
        var hooks = new List<IDisposable>();
        var training = model.Modules().Select(m => (m, m.Training)).ToList();
        Tensor output;
        try
        {
            foreach (var (_, m) in modules)
            {
                bool leaf = !m.Children().Any();
                var h = TryHook(m, (mod, input, outp) =>
                {
                    calls.TryGetValue(mod, out var s);
                    long? macs = s.Macs;
                    bool unknown = s.Unknown;
                    if (leaf && outp is not null)
                    {
                        long? c = MacCounter.Count(mod, input, outp);
                        if (c is null) unknown = true;
                        else macs = (macs ?? 0) + c.Value;
                    }
                    calls[mod] = (s.Calls + 1, s.Shape ?? outp?.Shape.ToArray(), macs, unknown);
                });
                if (h is not null) hooks.Add(h);
            }
            model.Eval();
            using (Autograd.NoGrad())
                output = net.Call(Tensor.Randn(inputShape, generator: new Generator(0)));
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
            foreach (var (m, t) in training) m.Train(t);   // Train recurses; parents first, then each child's own flag
        }

        // MAC units: leaves, except that a MultiheadAttention is one unit (formula) and its out_proj is inside it.
        var unit = new Dictionary<string, long?>();
        var byName = modules.ToDictionary(x => x.Key, x => x.Value);
        foreach (var (name, m) in modules)
        {
            if (modules.Any(x => x.Value is MultiheadAttention && name.StartsWith(x.Key + ".", StringComparison.Ordinal))) continue;
            if (m is MultiheadAttention mha)
            {
                // The layer calls its attention through Forward (no hooks) and may itself be called through Forward:
                // its norm1 (a [N, L, E] or [L, N, E] output, once per layer call) gives the length and the calls.
                int dot = name.LastIndexOf('.');
                Module parent = dot < 0 ? model : byName[name[..dot]];
                string norm1 = dot < 0 ? "norm1" : name[..dot] + ".norm1";
                unit[name] = null;
                if (parent is TransformerEncoderLayer layer && byName.TryGetValue(norm1, out var n1) && calls.TryGetValue(n1, out var nc)
                    && nc.Shape is { Length: 3 } ns && nc.Calls > 0)
                {
                    int len = layer.BatchFirst ? ns[1] : ns[0];
                    unit[name] = nc.Calls * MacCounter.MultiheadAttention(mha, len, len);
                    calls[m] = (nc.Calls, ns, null, false);   // self-attention: output shaped like the layer's input
                }
            }
            else if (!m.Children().Any())
            {
                calls.TryGetValue(m, out var s0);
                unit[name] = s0.Unknown || s0.Macs is null ? null : s0.Macs.Value / batch;
            }
        }

        var rows = new List<LayerSummary>();
        foreach (var (name, m) in modules)
        {
            bool leaf = !m.Children().Any();
            calls.TryGetValue(m, out var s);
            long? macs;
            if (unit.TryGetValue(name, out var own)) macs = own;
            else if (modules.Any(x => x.Value is MultiheadAttention && name.StartsWith(x.Key + ".", StringComparison.Ordinal))) macs = 0;   // counted by its attention module
            else
                macs = unit.Where(u => u.Key.StartsWith(name + ".", StringComparison.Ordinal) && u.Value is not null)
                    .Aggregate((long?)null, (a, u) => (a ?? 0) + u.Value!.Value);
            var ps = m.Parameters().Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>().ToList();
            rows.Add(new LayerSummary(name, m.GetType().Name, name.Count(ch => ch == '.') + 1, leaf, s.Shape,
                ps.Sum(p => (long)p.Numel()), ps.Where(p => p.RequiresGrad).Sum(p => (long)p.Numel()), macs, s.Calls));
        }
        var all = model.Parameters().Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>().ToList();
        var buffers = model.NamedBuffers().Select(b => b.Value).Where(b => b is not null).Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>();
        var unknownNames = unit.Where(u => u.Value is null).Select(u => u.Key).ToList();
        long totalMacs = unit.Values.Sum(v => v ?? 0);
        return new ModelSummary(model.GetType().Name, (int[])inputShape.Clone(), output.Shape.ToArray(), rows,
            all.Sum(p => (long)p.Numel()), all.Where(p => p.RequiresGrad).Sum(p => (long)p.Numel()),
            all.Sum(p => (long)p.Numel() * p.DType.ElementSize()), buffers.Sum(b => (long)b.Numel() * b.DType.ElementSize()),
            totalMacs, unknownNames);
    }

    private static IDisposable? TryHook(Module m, Action<Module, Tensor?, Tensor?> onCall)
    {
        for (var t = m.GetType(); t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Module<,>))
            {
                var method = typeof(ModelSummary).GetMethod(nameof(HookTyped), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(t.GetGenericArguments());
                return (IDisposable)method.Invoke(null, [m, onCall])!;
            }
        return null;
    }

    // The hook returns the output itself: for value-type outputs (tuples) a default return would replace it.
    private static IDisposable HookTyped<TIn, TOut>(Module<TIn, TOut> m, Action<Module, Tensor?, Tensor?> onCall) =>
        m.RegisterForwardHook((mod, input, output) =>
        {
            onCall(mod, FirstTensor(input), FirstTensor(output));
            return output;
        });

    private static Tensor? FirstTensor(object? o)
    {
        if (o is Tensor t) return t;
        if (o is ITuple tuple)
            for (int i = 0; i < tuple.Length; i++)
                if (FirstTensor(tuple[i]) is { } x) return x;
        return null;
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string Shape(int[]? s) => s is null ? "--" : "[" + string.Join(", ", s) + "]";

    /// <summary>Human-readable count: 1.23 M, 456.7 K.</summary>
    public static string Compact(double v) => v switch
    {
        >= 1e9 => (v / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + " G",
        >= 1e6 => (v / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + " M",
        >= 1e3 => (v / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + " K",
        _ => v.ToString("0", CultureInfo.InvariantCulture),
    };

    /// <summary>The table (torchinfo style): one line per module up to <paramref name="maxDepth"/>, indented by depth, then the totals.</summary>
    public string ToTable(int maxDepth = int.MaxValue)
    {
        var lines = new List<string[]> { new[] { "Layer (type)", "Output Shape", "Param #", "Trainable", "MACs/sample" } };
        foreach (var r in Layers.Where(r => r.Depth <= maxDepth))
            lines.Add([
                new string(' ', 2 * (r.Depth - 1)) + $"{r.Name.Split('.')[^1]} ({r.Type})",
                Shape(r.OutputShape), N(r.Parameters), N(r.TrainableParameters), r.Macs is { } m ? N(m) : "--",
            ]);
        int[] w = Enumerable.Range(0, 5).Select(c => lines.Max(l => l[c].Length)).ToArray();
        int width = w.Sum() + 8;
        var sb = new StringBuilder();
        string rule = new('=', width);
        sb.AppendLine(rule);
        for (int i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            sb.Append(l[0].PadRight(w[0])).Append("  ").Append(l[1].PadRight(w[1]));
            for (int c = 2; c < 5; c++) sb.Append("  ").Append(l[c].PadLeft(w[c]));
            sb.AppendLine();
            if (i == 0) sb.AppendLine(rule);
        }
        sb.AppendLine(rule);
        sb.AppendLine($"Total params: {N(TotalParameters)}");
        sb.AppendLine($"Trainable params: {N(TrainableParameters)}");
        sb.AppendLine($"Non-trainable params: {N(NonTrainableParameters)}");
        sb.AppendLine($"MACs per sample: {N(MacsPerSample)} ({Compact(MacsPerSample)}MACs)" +
                      (ModulesWithoutMacs.Count > 0 ? $"; not counted: {string.Join(", ", ModulesWithoutMacs)}" : ""));
        sb.AppendLine(rule);
        sb.AppendLine($"Input shape: {Shape(InputShape)}  Output shape: {Shape(OutputShape)}");
        sb.AppendLine($"Params size (MB): {(ParameterBytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture)}");
        sb.AppendLine($"Buffers size (MB): {(BufferBytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture)}");
        sb.Append(rule);
        return sb.ToString();
    }

    /// <summary>The full table (<see cref="ToTable"/>).</summary>
    public override string ToString() => ToTable();
}
