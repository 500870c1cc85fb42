namespace Lantern.Tests.VisionImaging;

/// <summary>Finds the test photographs: LANTERN_IMAGES, else tests/data/images in the repository, else ../shared/data/images beside it.</summary>
internal static class TestImages
{
    private static readonly Lazy<string?> s_dir = new(Find);

    /// <summary>The folder, or null when it is not on this machine.</summary>
    public static string? Dir => s_dir.Value;

    /// <summary>Path of a shared image; throws with instructions when the folder is missing.</summary>
    public static string Path(string name) =>
        System.IO.Path.Combine(Dir ?? throw new InvalidOperationException(
            "Shared test images not found: expected ../shared/data/images beside the repository root, or set LANTERN_IMAGES."), name);

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("LANTERN_IMAGES");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            if (!File.Exists(System.IO.Path.Combine(d.FullName, "Lantern.slnx"))) continue;
            var inRepo = System.IO.Path.Combine(d.FullName, "tests", "data", "images"); // committed copies (clean clones, CI)
            if (Directory.Exists(inRepo)) return inRepo;
            var p = System.IO.Path.Combine(d.FullName, "..", "shared", "data", "images");
            return Directory.Exists(p) ? System.IO.Path.GetFullPath(p) : null;
        }
        return null;
    }
}
