using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Lantern.Training;

/// <summary>
/// Training progress. On an interactive terminal a Spectre.Console bar per epoch shows batches, loss, the progress-bar
/// metrics, samples/s, elapsed time and ETA; when output is redirected (Spectre then prints nothing) plain lines are written
/// instead, about every <see cref="PlainEveryFraction"/> of an epoch, plus one line per validation run. Throughput is the
/// number of samples (first dimension of the batch) per second of the epoch so far.
/// </summary>
public sealed class ProgressBar : Callback
{
    private readonly TextWriter? _writer;
    private readonly bool _interactive;
    private readonly Stopwatch _clock = new();
    private long _samples;
    private int _nextPlain, _resumeAt = -1;
    private Thread? _thread;
    private ProgressTask? _task;
    private TextColumnState? _text;
    private ManualResetEventSlim? _ready, _finish;

    /// <summary>A progress bar on the console (interactive when the console is), or plain lines to <paramref name="output"/>.</summary>
    /// <param name="output">Where plain lines go (default: Console.Out); giving one forces plain lines.</param>
    /// <param name="plainEveryFraction">Plain mode: a line every this fraction of an epoch (default 0.1).</param>
    /// <exception cref="ArgumentException">plainEveryFraction outside (0, 1].</exception>
    public ProgressBar(TextWriter? output = null, double plainEveryFraction = 0.1)
    {
        if (!(plainEveryFraction > 0 && plainEveryFraction <= 1))
            throw new ArgumentException($"ProgressBar: plainEveryFraction must be in (0, 1], got {plainEveryFraction}.");
        _writer = output;
        PlainEveryFraction = plainEveryFraction;
        _interactive = output is null && AnsiConsole.Profile.Capabilities.Interactive;
    }

    /// <summary>Plain mode: fraction of an epoch between lines.</summary>
    public double PlainEveryFraction { get; }

    /// <summary>Samples per second in the current (or last) epoch.</summary>
    public double SamplesPerSecond => _clock.Elapsed.TotalSeconds > 0 ? _samples / _clock.Elapsed.TotalSeconds : 0;

    private TextWriter Out => _writer ?? Console.Out;

    /// <inheritdoc/>
    public override void OnTrainEpochStart(Trainer trainer, LightningModule module)
    {
        _samples = 0;
        _nextPlain = 1;
        _clock.Restart();
        if (_interactive) StartBar(trainer, 0);
    }

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(Trainer trainer, LightningModule module, Tensor loss, object? batch, int batchIdx)
    {
        _samples += Loaders.BatchSize(batch);
        string status = Status(trainer);
        if (_interactive)
        {
            if (_task is null) return;
            _text!.Text = status;
            _task.Value = batchIdx + 1;
            if (batchIdx + 1 >= trainer.NumTrainingBatches) StopBar();
            return;
        }
        int n = trainer.NumTrainingBatches;
        bool known = n != int.MaxValue;
        int every = known ? Math.Max(1, (int)Math.Ceiling(n * PlainEveryFraction)) : 50;
        if ((batchIdx + 1) % every != 0 && batchIdx + 1 != n) return;
        string eta = known && batchIdx + 1 < n ? " eta " + Time(_clock.Elapsed.TotalSeconds / (batchIdx + 1) * (n - batchIdx - 1)) : "";
        Out.WriteLine($"{EpochLabel(trainer)} [{batchIdx + 1}{(known ? "/" + n : "")}] {status} | {SamplesPerSecond.ToString("F1", CultureInfo.InvariantCulture)} samples/s | {Time(_clock.Elapsed.TotalSeconds)}{eta}");
        _nextPlain++;
    }

    /// <inheritdoc/>
    public override void OnTrainEpochEnd(Trainer trainer, LightningModule module)
    {
        _clock.Stop();
        StopBar();
    }

    /// <inheritdoc/>
    public override void OnValidationStart(Trainer trainer, LightningModule module)
    {
        _resumeAt = _thread is not null ? (int)(_task?.Value ?? 0) : -1;
        StopBar();
    }

    /// <inheritdoc/>
    public override void OnValidationEnd(Trainer trainer, LightningModule module)
    {
        if (_interactive && _resumeAt >= 0 && trainer.Stage == "fit" && !trainer.SanityChecking)
        {
            // validation inside the epoch (ValCheckInterval < 1): a new bar continues after the validation line
            WriteValidation(trainer);
            StartBar(trainer, _resumeAt);
            _resumeAt = -1;
            return;
        }
        _resumeAt = -1;
        if (trainer.SanityChecking) return;
        WriteValidation(trainer);
    }

    private void WriteValidation(Trainer trainer)
    {
        var vals = trainer.CallbackMetrics.Where(kv => kv.Key.StartsWith("val", StringComparison.Ordinal)).Select(kv => $"{kv.Key}={Fmt(kv.Value)}");
        string line = $"{EpochLabel(trainer)} validation: {string.Join(" ", vals)}";
        if (_interactive) AnsiConsole.MarkupLine(Markup.Escape(line));
        else Out.WriteLine(line);
    }

    /// <inheritdoc/>
    public override void OnException(Trainer trainer, LightningModule module, Exception exception) => StopBar();

    private static string EpochLabel(Trainer t) =>
        $"Epoch {t.CurrentEpoch + 1}{(t.EffectiveMaxEpochs > 0 ? "/" + t.EffectiveMaxEpochs : "")}";

    // the latest loss and the progress-bar metrics (a metric logged on step and epoch shows its step value only)
    private static string Status(Trainer t)
    {
        var parts = new List<string> { $"loss={Fmt(t.LastLoss)}" };
        foreach (var (k, v) in t.ProgressBarMetrics)
            if (!k.EndsWith("_epoch", StringComparison.Ordinal))
                parts.Add($"{(k.EndsWith("_step", StringComparison.Ordinal) ? k[..^5] : k)}={Fmt(v)}");
        return string.Join(" ", parts);
    }

    private static string Fmt(double v) => v.ToString(Math.Abs(v) >= 1e-3 || v == 0 ? "0.0000" : "0.000e+0", CultureInfo.InvariantCulture);

    private static string Time(double seconds)
    {
        var ts = TimeSpan.FromSeconds(double.IsFinite(seconds) ? seconds : 0);
        return ts.TotalHours >= 1 ? ts.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : ts.ToString(@"m\:ss", CultureInfo.InvariantCulture);
    }

    // Spectre's Progress owns its render loop, so it runs on a thread for the epoch; the hooks update the task.
    private void StartBar(Trainer t, int start)
    {
        _ready = new ManualResetEventSlim();
        _finish = new ManualResetEventSlim();
        _text = new TextColumnState();
        string label = EpochLabel(t);
        int n = t.NumTrainingBatches == int.MaxValue ? 0 : t.NumTrainingBatches;
        var ready = _ready;
        var finish = _finish;
        var text = _text;
        _thread = new Thread(() =>
        {
            try
            {
                AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new RemainingTimeColumn(), new StatusColumn(text, this)).Start(ctx =>
                {
                    _task = ctx.AddTask(label, maxValue: Math.Max(1, n));
                    _task.Value = start;
                    ready.Set();
                    finish.Wait();
                    _task.Value = _task.MaxValue;
                });
            }
            finally { ready.Set(); }
        }) { IsBackground = true, Name = "lantern-progress" };
        _thread.Start();
        _ready.Wait();
    }

    private void StopBar()
    {
        if (_thread is null) return;
        _finish!.Set();
        _thread.Join();
        _thread = null;
        _task = null;
    }

    private sealed class TextColumnState
    {
        public volatile string Text = "";
    }

    private sealed class StatusColumn(TextColumnState state, ProgressBar owner) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Markup(Markup.Escape(Fit(Compose(state.Text, owner.SamplesPerSecond), options.ConsoleSize.Width - 45)));

        // "loss=… 1234 samples/s other=…": the loss and the throughput first, the other metrics as room allows
        private static string Compose(string status, double sps)
        {
            int cut = status.IndexOf(' ');
            string rate = sps.ToString("F0", CultureInfo.InvariantCulture) + " samples/s";
            return cut < 0 ? $"{status} {rate}" : $"{status[..cut]} {rate}{status[cut..]}";
        }

        // one line: Spectre would wrap a long status under the bar
        private static string Fit(string s, int width) => s.Length <= Math.Max(20, width) ? s : s[..(Math.Max(20, width) - 1)] + "…";
    }
}
