using System.Text;

namespace Lantern.IO;

/// <summary>
/// Saves and loads a state tree (a checkpoint: model weights, optimiser and scheduler state dicts,
/// counters, hyper-parameters, RNG states) as ONE safetensors file, round-tripping every value exactly.
/// <para><b>Tree values</b> (see <see cref="Optim.StateDicts"/>): <c>Dictionary&lt;string, object&gt;</c> nodes
/// whose values are <c>double</c>, <c>long</c>, <c>int</c>, <c>ulong</c>, <c>float</c>, <c>bool</c>, <c>string</c>,
/// <c>int[]</c>, <c>long[]</c>, <c>double[]</c>, <c>bool[]</c>, <c>string[]</c>, <see cref="Tensor"/>, named
/// tensors (any <c>IEnumerable&lt;KeyValuePair&lt;string, Tensor&gt;&gt;</c> such as <c>Module.StateDict()</c>;
/// loaded back as <c>OrderedDictionary&lt;string, Tensor&gt;</c>, order kept), nested nodes,
/// <c>Dictionary&lt;string, object&gt;[]</c> and <c>object[]</c>. No nulls. Loading gives back the same types,
/// key order and values: doubles bit for bit (shortest round-trip decimal, IEEE bits for NaN/infinities, -0.0 kept),
/// tensors with their dtype, shape and elements.</para>
/// <para><b>File layout.</b> A standard safetensors file (see <see cref="SafeTensors"/>), readable by
/// Python's <c>safetensors.safe_open</c>:</para>
/// <list type="bullet">
/// <item>every tensor of the tree is a safetensors tensor whose key is its dotted path in the tree, e.g.
/// <c>state_dict.layer1.0.conv1.weight</c>, <c>optimizer.state.0.exp_avg</c>, <c>optimizers.0.state.3.momentum_buffer</c>
/// (array elements are numbered); two values whose paths collide are refused when saving;</item>
/// <item><c>__metadata__["lantern.format"] = "state/1"</c>;</item>
/// <item><c>__metadata__["lantern.tree"]</c> = the tree's structure as JSON: a node is an object (user keys that
/// start with '$' are written with a second '$'); a <c>long</c> is a JSON integer; a finite <c>double</c> is a JSON
/// number that always has a '.' or an exponent; a <c>Dictionary&lt;string, object&gt;[]</c> is a plain array;
/// anything else is a one-key tagged object: <c>{"$tensor": key}</c>, <c>{"$tensors": {name: key, ...}}</c>,
/// <c>{"$int": n}</c>, <c>{"$uint64": "decimal"}</c>, <c>{"$float32": "0xBITS"}</c>, <c>{"$double": "0xBITS"}</c> (NaN, ±inf),
/// <c>{"$int[]": [...]}</c>, <c>{"$long[]": [...]}</c>, <c>{"$double[]": [number or "0xBITS", ...]}</c>,
/// <c>{"$bool[]": [...]}</c>, <c>{"$string[]": [...]}</c>, <c>{"$list": [value, ...]}</c>;</item>
/// <item>any extra metadata the caller passes (keys starting with "lantern." are reserved).</item>
/// </list>
/// <para><b>Suggested trainer checkpoint</b> (Lightning's keys): <c>{"epoch": long, "global_step": long,
/// "state_dict": model.StateDict(), "optimizer_states": [opt.StateDict(), ...], "lr_schedulers": [sched.StateDict(), ...],
/// "hyper_parameters": {...}, "rng": {"default": GeneratorState.Capture(Lantern.DefaultGenerator), ...},
/// "loops": {...}, "callbacks": {...}}</c>. Saving goes through <see cref="AtomicFile"/> (temp file, flush, rename).</para>
/// </summary>
/// <example><code>
/// var ckpt = new Dictionary&lt;string, object&gt; { ["epoch"] = 3L, ["state_dict"] = model.StateDict(), ["optimizer"] = opt.StateDict() };
/// StateFile.Save("runs/a/last.ckpt.safetensors", ckpt);
/// var back = StateFile.Load("runs/a/last.ckpt.safetensors");
/// model.LoadStateDict((OrderedDictionary&lt;string, Tensor&gt;)back["state_dict"]);
/// opt.LoadStateDict((Dictionary&lt;string, object&gt;)back["optimizer"]);
/// </code></example>
public static class StateFile
{
    /// <summary>Metadata key holding the format tag.</summary>
    public const string FormatKey = "lantern.format";

    /// <summary>The format tag of this layout.</summary>
    public const string FormatValue = "state/1";

    /// <summary>Metadata key holding the tree's structure as JSON.</summary>
    public const string TreeKey = "lantern.tree";

    /// <summary>Saves <paramref name="tree"/> atomically to <paramref name="path"/>.</summary>
    /// <param name="path">Target file (conventionally *.safetensors).</param>
    /// <param name="tree">The state tree.</param>
    /// <param name="metadata">Extra string metadata (keys must not start with "lantern.").</param>
    /// <exception cref="ArgumentException">An unsupported value type, a null, colliding tensor paths, or a reserved metadata key.</exception>
    public static void Save(string path, Dictionary<string, object> tree, IDictionary<string, string>? metadata = null)
    {
        var (tensors, meta) = Prepare(tree, metadata);
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>The bytes <see cref="Save"/> would write.</summary>
    public static byte[] SaveToBytes(Dictionary<string, object> tree, IDictionary<string, string>? metadata = null)
    {
        var (tensors, meta) = Prepare(tree, metadata);
        return SafeTensors.SaveToBytes(tensors, meta);
    }

    /// <summary>Loads a tree saved by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a valid safetensors file, not a Lantern state file, or a tree that does not match its tensors.</exception>
    public static Dictionary<string, object> Load(string path) => FromData(SafeTensors.Load(path), path);

    /// <summary>Loads a tree from the bytes of a state file.</summary>
    /// <exception cref="InvalidDataException">As <see cref="Load"/>.</exception>
    public static Dictionary<string, object> LoadFromBytes(byte[] bytes, string sourceName = "<bytes>") =>
        FromData(SafeTensors.LoadFromBytes(bytes, sourceName), sourceName);

    /// <summary>True when the header of <paramref name="path"/> marks it as a Lantern state file (reads only the header).</summary>
    /// <exception cref="InvalidDataException">Not a valid safetensors file.</exception>
    public static bool IsStateFile(string path) =>
        SafeTensors.ReadHeader(path).Metadata is { } m && m.TryGetValue(FormatKey, out var f) && f == FormatValue;

    private static (OrderedDictionary<string, Tensor> Tensors, Dictionary<string, string> Meta) Prepare(
        Dictionary<string, object> tree, IDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var tensors = new StateTreeJson.Tensors();
        byte[] json = StateTreeJson.Encode(tree, tensors);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
            foreach (var (k, v) in metadata)
            {
                if (k.StartsWith("lantern.", StringComparison.Ordinal))
                    throw new ArgumentException($"StateFile: the metadata key '{k}' is reserved (keys starting with \"lantern.\").");
                meta[k] = v;
            }
        meta[FormatKey] = FormatValue;
        meta[TreeKey] = Encoding.UTF8.GetString(json);
        return (tensors.ByKey, meta);
    }

    private static Dictionary<string, object> FromData(SafeTensorsData data, string source)
    {
        if (data.Metadata is not { } m || !m.TryGetValue(FormatKey, out var format) || !m.TryGetValue(TreeKey, out var json))
            throw new InvalidDataException($"StateFile: '{source}' is a safetensors file but not a Lantern state file (no '{FormatKey}'/'{TreeKey}' metadata); use SafeTensors.Load for plain tensor files.");
        if (format != FormatValue)
            throw new InvalidDataException($"StateFile: '{source}' has format '{format}'; this version reads '{FormatValue}'.");
        try
        {
            return StateTreeJson.Decode(Encoding.UTF8.GetBytes(json), data.Tensors);
        }
        catch (StateTreeJson.TreeProblem p)
        {
            throw new InvalidDataException($"StateFile: '{source}': {p.Message}.");
        }
    }
}

/// <summary>
/// The state of a <see cref="Generator"/> as a state-tree node: <c>{"seed": ulong, "offset": ulong}</c>
/// (torch.Generator.get_state / set_state). Restoring it makes the generator continue the same stream.
/// </summary>
public static class GeneratorState
{
    /// <summary>The generator's (seed, offset) as a node.</summary>
    public static Dictionary<string, object> Capture(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var (seed, offset) = generator.GetState();
        return new Dictionary<string, object> { ["seed"] = seed, ["offset"] = offset };
    }

    /// <summary>Sets the generator to a state from <see cref="Capture"/>.</summary>
    /// <exception cref="ArgumentException">The node lacks "seed" or "offset" or they are not unsigned 64-bit integers.</exception>
    public static void Restore(Generator generator, Dictionary<string, object> state)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(state);
        generator.SetState((Get(state, "seed"), Get(state, "offset")));
    }

    private static ulong Get(Dictionary<string, object> state, string key) => state.TryGetValue(key, out var v)
        ? v switch
        {
            ulong u => u,
            long l when l >= 0 => (ulong)l,
            _ => throw new ArgumentException($"GeneratorState: '{key}' is {v} ({v.GetType().Name}); expected an unsigned 64-bit integer."),
        }
        : throw new ArgumentException($"GeneratorState: the state has no '{key}' entry (has: {string.Join(", ", state.Keys)}).");
}
