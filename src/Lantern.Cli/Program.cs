namespace Lantern.Cli;

/// <summary>Entry point of the `lantern` command; see <see cref="Cli"/>.</summary>
public static class Program
{
    public static int Main(string[] args) => Cli.Run(args, Console.Out, Console.Error);
}
