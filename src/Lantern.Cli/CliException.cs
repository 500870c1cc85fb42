namespace Lantern.Cli;

/// <summary>
/// A user error (bad argument value, missing file, a checkpoint of another model): the CLI prints
/// "lantern COMMAND: MESSAGE" on one line to stderr and exits with code 2.
/// </summary>
public sealed class CliException(string message) : Exception(message);
