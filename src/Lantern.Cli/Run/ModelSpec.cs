using Lantern.Cli.Commands;
using Lantern.NN;
using Lantern.Training;

namespace Lantern.Cli.Run;

/// <summary>
/// Everything needed to rebuild a trained classifier from its checkpoint: the architecture name, input channels and
/// side, class names, the normalisation, and the data it was trained on. Stored in the checkpoint's
/// hyper_parameters (keys "model", "in_channels", "image_size", "classes", "mean", "std", "data", "data_dir").
/// </summary>
public sealed record ModelSpec(string Model, int InChannels, int ImageSize, string[] Classes, double[] Mean, double[] Std, DataSpec Data)
{
    /// <summary>The spec of a model trained on <paramref name="data"/>.</summary>
    public static ModelSpec For(string model, LoadedData data, DataSpec spec) =>
        new(model, data.InChannels, data.ImageSize, [.. data.Classes], data.Mean, data.Std, spec);

    /// <summary>The network this spec describes, freshly initialised.</summary>
    public Module<Tensor, Tensor> CreateNetwork()
    {
        try { return Vision.Models.Models.Create(Model, InChannels, Classes.Length, ImageSize); }
        catch (ArgumentException e) { throw new CliException(e.Message); }
    }

    /// <summary>The hyper-parameter entries of this spec.</summary>
    public Dictionary<string, object> ToHyperParameters() => new()
    {
        ["model"] = Model,
        ["in_channels"] = (long)InChannels,
        ["image_size"] = (long)ImageSize,
        ["classes"] = Classes,
        ["mean"] = Mean,
        ["std"] = Std,
        ["data"] = Data.Kind,
        ["data_dir"] = Data.Directory ?? "",
    };

    /// <summary>Reads the spec from a checkpoint written by `lantern train`; anything else is a <see cref="CliException"/>.</summary>
    public static (ModelSpec Spec, Dictionary<string, object> Checkpoint) FromCheckpoint(string path)
    {
        Dictionary<string, object> ckpt;
        try { ckpt = Checkpoint.Load(path); }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
        {
            throw new CliException($"{path} is not a Lantern checkpoint: {e.Message}");
        }
        if (!ckpt.TryGetValue("hyper_parameters", out var h) || h is not Dictionary<string, object> hp || !hp.ContainsKey("model"))
            throw new CliException($"{path} is not a checkpoint written by `lantern train` (no model hyper-parameters).");
        try
        {
            string dir = (string)hp["data_dir"];
            var spec = new ModelSpec((string)hp["model"], (int)(long)hp["in_channels"], (int)(long)hp["image_size"], (string[])hp["classes"],
                (double[])hp["mean"], (double[])hp["std"], new DataSpec((string)hp["data"], dir.Length == 0 ? null : dir));
            if (!TrainCommand.ModelNames.Contains(spec.Model))
                throw new CliException($"{path} holds an unknown model '{spec.Model}' (known: {string.Join(", ", TrainCommand.ModelNames)}).");
            return (spec, ckpt);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidCastException)
        {
            throw new CliException($"{path} has incomplete model hyper-parameters ({e.Message}).");
        }
    }

    /// <summary>A classifier rebuilt from a checkpoint, weights loaded (strict), in eval mode.</summary>
    public static ClassifierTask LoadClassifier(string path)
    {
        var (spec, ckpt) = FromCheckpoint(path);
        var task = new ClassifierTask(spec.CreateNetwork(), spec);
        if (!ckpt.TryGetValue("state_dict", out var s) || s is not OrderedDictionary<string, Tensor> sd)
            throw new CliException($"{path} has no weights (state_dict).");
        try { task.LoadStateDict(sd); }
        catch (ArgumentException e) { throw new CliException($"{path} does not fit a {spec.Model} model: {e.Message}"); }
        task.Eval();
        return task;
    }
}
