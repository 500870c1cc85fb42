using System.CommandLine;
using Lantern.Cli.Commands;

namespace Lantern.Cli;

/// <summary>
/// The `lantern` command line: train, eval, predict, summary and info. Every command has --help. A parse error,
/// a bad value, a missing file or a checkpoint of another model prints one line to stderr and returns 2; success
/// returns 0.
/// </summary>
public static class Cli
{
    /// <summary>Exit code of a usage error.</summary>
    public const int UsageError = 2;

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Lantern: train, evaluate and inspect vision models in pure C#.")
        {
            TrainCommand.Create(output),
            EvalCommand.Create(output),
            PredictCommand.Create(output),
            SummaryCommand.Create(output),
            InfoCommand.Create(output),
        };
        var parse = root.Parse(args);
        string name = parse.CommandResult.Command == root ? "lantern" : "lantern " + parse.CommandResult.Command.Name;
        if (parse.Errors.Count > 0)
        {
            // one line: every parser message, unknown tokens first, System.CommandLine's multi-line lists folded
            var messages = parse.Errors.Select(e => string.Join(" ", e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
                .OrderBy(m => m.StartsWith("Unrecognized", StringComparison.Ordinal) ? 0 : 1).ToList();
            string hint = parse.CommandResult.Command == root && args.Length == 0 ? "a command is required" : string.Join("; ", messages);
            error.WriteLine($"{name}: {hint} (see '{name} --help').");
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (CliException e)
        {
            error.WriteLine($"{name}: {e.Message}");
            return UsageError;
        }
    }
}
