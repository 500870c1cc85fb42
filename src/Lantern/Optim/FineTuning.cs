using System.Text.RegularExpressions;
using Lantern.NN;

namespace Lantern.Optim;

/// <summary>
/// Fine-tuning helpers over parameter names (<see cref="Module.NamedParameters"/>): freezing and unfreezing by
/// glob or regex, per-layer learning rates as optimiser parameter groups, keeping frozen normalisation layers in
/// eval mode (their running statistics stay those of the pretrained model), and replacing a classifier head.
/// Globs match whole names: <c>*</c> any run of characters (dots included), <c>?</c> one character.
/// A pattern that matches no parameter is an error (a typo would otherwise silently train everything).
/// </summary>
/// <example><code>
/// FineTuning.Freeze(model, "backbone.*");
/// FineTuning.ReplaceModule(model, "head.fc", new Linear(512, 10));
/// var opt = new AdamW(FineTuning.ParamGroups(model, baseLr: 1e-3, ("backbone.*", 0.1), ("head.*", 1.0)));
/// FineTuning.Train(model);   // model.Train(), then frozen BatchNorms back to eval
/// </code></example>
public static class FineTuning
{
    /// <summary>An anchored regex for a glob: '*' any characters, '?' one character, everything else literal.</summary>
    public static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant);

    private static List<KeyValuePair<string, Tensor>> Matching(Module model, Regex pattern, string op, string shown)
    {
        var all = model.NamedParameters().ToList();
        var hits = all.Where(p => pattern.IsMatch(p.Key)).ToList();
        if (hits.Count == 0)
            throw new ArgumentException($"FineTuning.{op}: pattern '{shown}' matches no parameter (parameters: {string.Join(", ", all.Select(p => p.Key).Take(20))}{(all.Count > 20 ? ", ..." : "")}).");
        return hits;
    }

    private static int SetRequiresGrad(Module model, IEnumerable<(Regex Regex, string Shown)> patterns, bool value, string op)
    {
        var done = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (re, shown) in patterns)
            foreach (var (_, p) in Matching(model, re, op, shown))
                if (done.Add(p)) p.RequiresGrad = value;
        return done.Count;
    }

    /// <summary>Freezes (RequiresGrad = false) every parameter whose name matches one of the globs; returns how many.</summary>
    /// <exception cref="ArgumentException">A glob that matches nothing.</exception>
    public static int Freeze(Module model, params string[] globs) => SetRequiresGrad(model, globs.Select(g => (Glob(g), g)), false, "Freeze");

    /// <summary>Freezes every parameter whose name matches the regex; returns how many.</summary>
    public static int Freeze(Module model, Regex pattern) => SetRequiresGrad(model, [(pattern, pattern.ToString())], false, "Freeze");

    /// <summary>Unfreezes (RequiresGrad = true) every parameter whose name matches one of the globs; returns how many.</summary>
    /// <exception cref="ArgumentException">A glob that matches nothing.</exception>
    public static int Unfreeze(Module model, params string[] globs) => SetRequiresGrad(model, globs.Select(g => (Glob(g), g)), true, "Unfreeze");

    /// <summary>Unfreezes every parameter whose name matches the regex; returns how many.</summary>
    public static int Unfreeze(Module model, Regex pattern) => SetRequiresGrad(model, [(pattern, pattern.ToString())], true, "Unfreeze");

    /// <summary>
    /// Parameter groups with per-layer learning rates: each parameter goes to the first rule whose glob matches its
    /// name, with lr = baseLr · scale; unmatched parameters form a last group at baseLr. Frozen parameters are left
    /// out (the overload with includeFrozen keeps them; an optimiser skips them anyway, as their grad stays null).
    /// Groups come in rule order; empty trailing groups are omitted.
    /// </summary>
    /// <exception cref="ArgumentException">A rule whose glob matches no parameter.</exception>
    public static List<ParamGroupSpec> ParamGroups(Module model, double baseLr, params (string Glob, double LrScale)[] rules) =>
        ParamGroups(model, baseLr, false, rules);

    /// <summary><see cref="ParamGroups(Module, double, ValueTuple{string, double}[])"/> with control over frozen parameters.</summary>
    public static List<ParamGroupSpec> ParamGroups(Module model, double baseLr, bool includeFrozen, params (string Glob, double LrScale)[] rules)
    {
        var regexes = rules.Select(r => Glob(r.Glob)).ToArray();
        var buckets = rules.Select(_ => new List<Tensor>()).ToArray();
        var rest = new List<Tensor>();
        var all = model.NamedParameters().ToList();
        for (int r = 0; r < rules.Length; r++)
            if (!all.Any(p => regexes[r].IsMatch(p.Key)))
                throw new ArgumentException($"FineTuning.ParamGroups: pattern '{rules[r].Glob}' matches no parameter.");
        foreach (var (name, p) in all)
        {
            if (!includeFrozen && !p.RequiresGrad) continue;
            int r = Array.FindIndex(regexes, re => re.IsMatch(name));
            (r >= 0 ? buckets[r] : rest).Add(p);
        }
        var groups = new List<ParamGroupSpec>();
        for (int r = 0; r < rules.Length; r++)
            if (buckets[r].Count > 0) groups.Add(new ParamGroupSpec(buckets[r], baseLr * rules[r].LrScale));
        if (rest.Count > 0) groups.Add(new ParamGroupSpec(rest, baseLr));
        return groups;
    }

    /// <summary>True for modules with "running_mean" and "running_var" buffers of their own (BatchNorm and kin).</summary>
    public static bool HasRunningStats(Module module)
    {
        var own = module.NamedBuffers(recurse: false).Select(b => b.Key).ToHashSet();
        return own.Contains("running_mean") && own.Contains("running_var");
    }

    /// <summary>
    /// Modules with running statistics whose own parameters are all frozen. A norm layer without affine parameters
    /// cannot be judged by its parameters: it counts as frozen only when <paramref name="parameterless"/> is true.
    /// </summary>
    public static IReadOnlyList<Module> FrozenNormModules(Module model, bool parameterless = false) =>
        model.Modules().Where(m => HasRunningStats(m) && m.Parameters(recurse: false).ToList() is var ps &&
            (ps.Count > 0 ? ps.All(p => !p.RequiresGrad) : parameterless)).ToList();

    /// <summary>
    /// <c>model.Train(mode)</c>, then (in training mode) every frozen normalisation layer back to eval mode, so a
    /// frozen pretrained BatchNorm normalises with its stored statistics and does not update them. Returns the model.
    /// </summary>
    public static Module Train(Module model, bool mode = true, bool parameterlessNormsFrozen = false)
    {
        model.Train(mode);
        if (mode)
            foreach (var m in FrozenNormModules(model, parameterlessNormsFrozen)) m.Eval();
        return model;
    }

    /// <summary>
    /// Replaces the submodule at a dotted path (e.g. "head.fc" or "classifier.6") and returns the old one — the
    /// usual way to put a new classifier head on a pretrained model.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A path component that is not a child.</exception>
    /// <exception cref="ArgumentException">The parent refuses the module (see <see cref="Module.ReplaceModule"/>).</exception>
    public static Module? ReplaceModule(Module root, string path, Module replacement)
    {
        var parts = path.Split('.');
        var parent = root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            var next = parent.NamedChildren().FirstOrDefault(c => c.Key == parts[i]).Value;
            parent = next ?? throw new KeyNotFoundException($"FineTuning.ReplaceModule: '{string.Join('.', parts[..(i + 1)])}' is not a submodule of {root.Name}.");
        }
        return parent.ReplaceModule(parts[^1], replacement);
    }
}
