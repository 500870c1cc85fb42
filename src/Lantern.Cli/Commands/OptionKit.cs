using System.CommandLine;
using System.CommandLine.Parsing;

namespace Lantern.Cli.Commands;

/// <summary>Option helpers shared by the commands: range validators that name the option and the value.</summary>
internal static class OptionKit
{
    public static Option<T> Positive<T>(this Option<T> option) where T : System.Numerics.INumber<T>
    {
        option.Validators.Add(r => Check(r, option, v => v > T.Zero, "must be positive"));
        return option;
    }

    public static Option<T> NonNegative<T>(this Option<T> option) where T : System.Numerics.INumber<T>
    {
        option.Validators.Add(r => Check(r, option, v => v >= T.Zero, "must not be negative"));
        return option;
    }

    public static Option<double> Below1(this Option<double> option, bool allowZero)
    {
        option.Validators.Add(r => Check(r, option, v => (allowZero ? v >= 0 : v > 0) && v < 1, allowZero ? "must be in [0, 1)" : "must be in (0, 1)"));
        return option;
    }

    private static void Check<T>(OptionResult r, Option<T> option, Func<T, bool> ok, string rule)
    {
        if (r.Tokens.Count == 0) return;
        var v = r.GetValueOrDefault<T>();
        if (!ok(v)) r.AddError($"{option.Name} {rule}, but got {r.Tokens[0].Value}.");
    }

    /// <summary>--data KIND [DIR] (default embedded).</summary>
    public static Option<string[]> DataOption(string description) => new("--data", "-d")
    {
        Description = description + " One of: embedded | fashion-mnist DIR | mnist DIR | cifar10 DIR | imagefolder DIR.",
        Arity = new ArgumentArity(1, 2),
        AllowMultipleArgumentsPerToken = true,
        HelpName = "KIND [DIR]",
    };
}
