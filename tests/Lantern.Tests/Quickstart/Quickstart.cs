using Xunit;

namespace Lantern.Tests.Quickstart;

/// <summary>
/// The README's quickstart, compiled and run here. The text between the region markers must appear verbatim in
/// README.md (a test checks it), so the README never shows code that does not build or gives other numbers.
/// </summary>
public class QuickstartTests
{
    public static (float W, float B, string Log) Run()
    {
        var log = new StringWriter();
        var console = Console.Out;
        Console.SetOut(log);
        try { return Body(log); }
        finally { Console.SetOut(console); }
    }

    private static (float, float, string) Body(StringWriter log)
    {
        #region quickstart
        // Data: y = 2x + 1 plus a little noise, from a seeded generator.
        var gen = new Generator(seed: 0);
        var x = Tensor.Randn([256, 1], generator: gen);
        var y = x * 2 + 1 + Tensor.Randn([256, 1], generator: gen) * 0.01;

        // Parameters that autograd tracks.
        var w = Tensor.Zeros([1, 1], requiresGrad: true);
        var b = Tensor.Zeros([1], requiresGrad: true);

        for (int step = 0; step < 200; step++)
        {
            var loss = (x.MatMul(w) + b - y).Square().Mean();   // mean squared error
            loss.Backward();                                    // fills w.Grad and b.Grad
            using (Autograd.NoGrad())                           // plain gradient descent
            {
                w.Sub_(w.Grad! * 0.1);
                b.Sub_(b.Grad! * 0.1);
            }
            w.Grad = null;
            b.Grad = null;
            if (step % 50 == 0) Console.WriteLine($"step {step}: loss {loss.Item():F4}");
        }
        Console.WriteLine($"w = {w.Item():F3}, b = {b.Item():F3}");   // w = 1.999, b = 1.000
        #endregion
        return (w.Item(), b.Item(), log.ToString());
    }

    [Fact]
    public void QuickstartLearnsTheLine()
    {
        var (w, b, log) = Run();
        Assert.Equal(2.0, w, 0.01);
        Assert.Equal(1.0, b, 0.01);
        Assert.Contains($"w = {w:F3}, b = {b:F3}", log);
        Assert.Contains("w = 1.999, b = 1.000", log); // the value printed in the README
    }

    [Fact]
    public void ReadmeShowsThisExactCode()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "README.md"))) dir = Path.GetDirectoryName(dir) ?? throw new FileNotFoundException("README.md not found above the test binaries.");
        var readme = File.ReadAllText(Path.Combine(dir, "README.md")).Replace("\r\n", "\n");
        var src = File.ReadAllText(Path.Combine(dir, "tests", "Lantern.Tests", "Quickstart", "Quickstart.cs")).Replace("\r\n", "\n");
        int a = src.IndexOf("#region quickstart\n", StringComparison.Ordinal) + "#region quickstart\n".Length;
        int e = src.IndexOf("        #endregion", StringComparison.Ordinal);
        var lines = src[a..e].Split('\n').Select(l => l.Length >= 8 ? l[8..] : l.TrimStart());
        var code = string.Join("\n", lines).TrimEnd();
        Assert.Contains(code, readme);
    }
}
