namespace Lantern.Cli.Commands;

/// <summary>
/// Which data a command reads: "embedded" (the Fashion-MNIST subset inside the CLI), or a kind and a directory:
/// "fashion-mnist DIR", "mnist DIR" (IDX files, gzip or raw), "cifar10 DIR" (binary batches), "imagefolder DIR"
/// (one sub-folder per class, with train/ and test/ sub-folders or a single class tree).
/// </summary>
public sealed record DataSpec(string Kind, string? Directory)
{
    /// <summary>The kinds accepted by --data.</summary>
    public static readonly string[] Kinds = ["embedded", "fashion-mnist", "mnist", "cifar10", "imagefolder"];

    /// <summary>The embedded Fashion-MNIST subset.</summary>
    public static DataSpec Embedded { get; } = new("embedded", null);

    /// <summary>Parses the one or two tokens of --data; bad kinds, a missing or surplus directory, or a directory
    /// that does not exist give a <see cref="CliException"/>.</summary>
    public static DataSpec Parse(IReadOnlyList<string> tokens)
    {
        if (tokens.Count == 0) return Embedded;
        string kind = tokens[0].ToLowerInvariant();
        if (!Kinds.Contains(kind))
            throw new CliException($"unknown data '{tokens[0]}': expected one of {string.Join(", ", Kinds)}.");
        if (kind == "embedded")
        {
            if (tokens.Count > 1) throw new CliException($"--data embedded takes no directory, but got '{tokens[1]}'.");
            return Embedded;
        }
        if (tokens.Count < 2) throw new CliException($"--data {kind} needs a directory: --data {kind} DIR.");
        string dir = tokens[1];
        if (!System.IO.Directory.Exists(dir)) throw new CliException($"data directory not found: {dir}");
        return new DataSpec(kind, Path.GetFullPath(dir));
    }

    /// <summary>The spec as it is written on the command line.</summary>
    public override string ToString() => Directory is null ? Kind : $"{Kind} {Directory}";
}
