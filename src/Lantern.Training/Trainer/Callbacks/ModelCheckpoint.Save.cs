using System.Globalization;
using System.Text.RegularExpressions;

namespace Lantern.Training;

// Top-k bookkeeping, "last", filename formatting and state (Lightning's _save_topk_checkpoint, _update_best_and_save,
// _save_none_monitor_checkpoint, _save_last_checkpoint, format_checkpoint_name, state_dict).
public sealed partial class ModelCheckpoint
{
    private void SaveTopKAndLast(Trainer t)
    {
        SaveTopK_(t);
        SaveLast_(t);
        _lastGlobalStepSaved = t.GlobalStep;
    }

    private void SaveTopK_(Trainer t)
    {
        if (SaveTopK == 0) return;
        if (Monitor is null)
        {
            string path = PathFor(t, Filename);
            string previous = BestModelPath;
            Write(t, path);
            if (SaveTopK == 1 && previous.Length > 0 && previous != path && previous != LastModelPath) TryDelete(previous);
            BestModelPath = path;
            return;
        }
        if (!t.CallbackMetrics.TryGetValue(Monitor, out double current))
        {
            if (t.ValidationHasRun)
                throw new InvalidOperationException($"ModelCheckpoint(monitor='{Monitor}') could not find the monitored key in the returned metrics: [{string.Join(", ", t.CallbackMetrics.Keys)}]. HINT: Did you call Log(\"{Monitor}\", value) in the LightningModule?");
            return;
        }
        if (!IsTopK(current)) return;
        if (double.IsNaN(current)) current = Mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
        string file = PathFor(t, Filename);
        string? delete = null;
        if (_bestK.Count == SaveTopK && SaveTopK > 0)
        {
            delete = KthBestModelPath;
            _bestK.Remove(delete);
        }
        _bestK[file] = current;
        if (_bestK.Count == SaveTopK)
        {
            var worst = Mode == "min" ? _bestK.MaxBy(kv => kv.Value) : _bestK.MinBy(kv => kv.Value);
            KthBestModelPath = worst.Key;
        }
        var best = Mode == "min" ? _bestK.MinBy(kv => kv.Value) : _bestK.MaxBy(kv => kv.Value);
        BestModelPath = best.Key;
        BestModelScore = best.Value;
        Write(t, file);
        if (delete is not null && delete != file && delete != LastModelPath) TryDelete(delete);
    }

    private bool IsTopK(double current)
    {
        if (SaveTopK == -1 || _bestK.Count < SaveTopK) return true;
        double kth = _bestK[KthBestModelPath];
        return Mode == "min" ? current < kth : current > kth;
    }

    private void SaveLast_(Trainer t)
    {
        if (!SaveLast) return;
        string path = Path.Combine(DirPath ?? ResolveDirPath(t), LastName + FileExtension);
        LastModelPath = path;
        Write(t, path);
    }

    private void Write(Trainer t, string path) => t.SaveCheckpoint(path, SaveWeightsOnly);

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private string PathFor(Trainer t, string? pattern) =>
        Path.Combine(DirPath ?? ResolveDirPath(t), FormatCheckpointName(pattern ?? "{epoch}-{step}", t.CurrentEpoch, t.GlobalStep, t.CallbackMetrics, AutoInsertMetricName) + FileExtension);

    private static readonly Regex Group = new(@"\{([^{}:]+)(?::([^{}]*))?\}", RegexOptions.CultureInvariant);

    /// <summary>
    /// Lightning's format_checkpoint_name: each "{name}" or "{name:fmt}" becomes "name=value" (or "value" without
    /// <paramref name="autoInsertMetricName"/>, or when the pattern already reads "name={name}", where Lightning would write
    /// the name twice); fmt is Python's: ".4f", "03d", ".2e", "d". A missing metric becomes 0.
    /// </summary>
    public static string FormatCheckpointName(string pattern, int epoch, long step, IReadOnlyDictionary<string, double> metrics, bool autoInsertMetricName = true) =>
        Group.Replace(pattern, m =>
        {
            string name = m.Groups[1].Value;
            double v = name == "epoch" ? epoch : name == "step" ? step : metrics.TryGetValue(name, out var x) ? x : 0;
            bool integral = name is "epoch" or "step";
            string text = FormatValue(v, m.Groups[2].Success ? m.Groups[2].Value : null, integral);
            bool named = pattern.AsSpan(0, m.Index).EndsWith(name + "=", StringComparison.Ordinal);
            return autoInsertMetricName && !named ? $"{name}={text}" : text;
        });

    private static string FormatValue(double v, string? fmt, bool integral)
    {
        var inv = CultureInfo.InvariantCulture;
        if (string.IsNullOrEmpty(fmt)) return integral ? ((long)v).ToString(inv) : Logger.Py(v);
        var m = Regex.Match(fmt, @"^(0?)(\d*)(?:\.(\d+))?([dfeg%]?)$");
        if (!m.Success) throw new ArgumentException($"ModelCheckpoint: unsupported format spec ':{fmt}' in the filename pattern (use e.g. .4f, 03d, .2e).");
        bool zero = m.Groups[1].Value == "0";
        int width = m.Groups[2].Value.Length > 0 ? int.Parse(m.Groups[2].Value, inv) : 0;
        int? prec = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, inv) : null;
        string s = m.Groups[4].Value switch
        {
            "d" => ((long)v).ToString(inv),
            "e" => v.ToString("0." + new string('0', prec ?? 6) + "e+00", inv),
            "%" => (v * 100).ToString("F" + (prec ?? 6), inv) + "%",
            "f" => v.ToString("F" + (prec ?? 6), inv),
            _ => prec is { } pr ? v.ToString("G" + pr, inv) : integral ? ((long)v).ToString(inv) : Logger.Py(v),
        };
        if (s.Length < width) s = zero ? (s.StartsWith('-') ? "-" + s[1..].PadLeft(width - 1, '0') : s.PadLeft(width, '0')) : s.PadLeft(width);
        return s;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object>? StateDict()
    {
        var d = new Dictionary<string, object>
        {
            ["monitor"] = Monitor ?? "",
            ["best_model_path"] = BestModelPath,
            ["last_model_path"] = LastModelPath,
            ["kth_best_model_path"] = KthBestModelPath,
            ["dirpath"] = DirPath ?? "",
            ["last_global_step_saved"] = _lastGlobalStepSaved,
            ["best_k_models"] = _bestK.ToDictionary(kv => kv.Key, kv => (object)kv.Value),
        };
        if (BestModelScore is { } s) d["best_model_score"] = s;
        return d;
    }

    /// <inheritdoc/>
    public override void LoadStateDict(Dictionary<string, object> state)
    {
        string S(string k) => state.TryGetValue(k, out var v) && v is string s ? s : "";
        // as Lightning: the top-k bookkeeping is restored only when the directory is the same
        if (S("dirpath") != (DirPath ?? "") && DirPath is not null) return;
        BestModelPath = S("best_model_path");
        LastModelPath = S("last_model_path");
        KthBestModelPath = S("kth_best_model_path");
        BestModelScore = state.TryGetValue("best_model_score", out var b) && b is double bs ? bs : null;
        _lastGlobalStepSaved = state.TryGetValue("last_global_step_saved", out var g) && g is long l ? l : -1;
        _bestK.Clear();
        if (state.TryGetValue("best_k_models", out var k) && k is Dictionary<string, object> bk)
            foreach (var (p, v) in bk)
                if (v is double dv) _bestK[p] = dv;
        if (DirPath is null && S("dirpath").Length > 0) DirPath = S("dirpath");
    }
}
