using System.Security.Cryptography;
using Lantern.Cli;
using Lantern.Vision.Datasets;
using Xunit;

namespace Lantern.Tests.VisionDatasets;

/// <summary>The Fashion-MNIST subset embedded in the CLI: counts, balance, and bytes equal to the generator's record.</summary>
public class EmbeddedFashionMnistTests
{
    private static readonly Dictionary<string, string> Manifest = EmbeddedFashionMnist.Manifest
        .Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1].Trim());

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadsWithTheRecordedCountsAndBytes(bool train)
    {
        var ds = EmbeddedFashionMnist.Load(train, imageDType: DType.UInt8);
        string split = train ? "train" : "test";
        int n = train ? 10000 : 1000;
        Assert.Equal(n, ds.Count);
        Assert.Equal(train ? EmbeddedFashionMnist.TrainCount : EmbeddedFashionMnist.TestCount, n);
        Assert.Equal(n.ToString(), Manifest[$"{split}.count"]);
        Assert.Equal(new Shape(n, 1, 28, 28), ds.Data.Shape);
        Assert.Equal("Ankle boot", ds.Classes[9]);
        var labels = ds.Targets.ToArray<long>();
        var perClass = Enumerable.Range(0, 10).Select(c => labels.Count(l => l == c)).ToArray();
        Assert.Equal(Manifest[$"{split}.per_class"], string.Join(",", perClass));
        if (train) Assert.All(perClass, c => Assert.Equal(1000, c));
        else Assert.Equal([107, 105, 111, 93, 115, 87, 97, 95, 95, 95], perClass);
        var bytes = ds.Data.ToArray<byte>();
        Assert.Equal(Manifest[$"{split}.images.sha256"], Sha(bytes));
        Assert.Equal(Manifest[$"{split}.labels.sha256"], Sha(labels.Select(l => (byte)l).ToArray()));
        for (int k = 0; k < 3; k++)
            Assert.Equal(Manifest[$"{split}.image{k}.source_index"].Split(' ')[1]["sha256=".Length..], Sha(bytes[(k * 784)..((k + 1) * 784)]));
        var (img, _) = EmbeddedFashionMnist.Load(train)[0];
        Assert.Equal(DType.Float32, img.DType);
        Assert.Equal(bytes[400] / 255f, img.ToArray<float>()[400]);
    }

    /// <summary>
    /// Against the full dataset when the Debian package dataset-fashion-mnist is installed (it is on the project's
    /// machines; elsewhere only the hash comparison above runs): reapplies the rule and compares images and labels.
    /// </summary>
    [Fact]
    public void EqualsTheRuleAppliedToTheFullDataset()
    {
        const string dir = "/usr/share/datasets/fashion-mnist";
        if (!File.Exists(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"))) return;
        var full = new FashionMnist(dir, train: false, imageDType: DType.UInt8);
        var sub = EmbeddedFashionMnist.Load(false, imageDType: DType.UInt8);
        Assert.Equal(full.Data.Narrow(0, 0, 1000).ToArray<byte>(), sub.Data.ToArray<byte>());
        Assert.Equal(full.Targets.Narrow(0, 0, 1000).ToArray<long>(), sub.Targets.ToArray<long>());
        // Training rule on the labels: the first 1,000 of each class, in order.
        var fullTrain = new FashionMnist(dir, train: true, imageDType: DType.UInt8);
        var labels = fullTrain.Targets.ToArray<long>();
        var taken = new int[10];
        var chosen = new List<int>();
        for (int i = 0; i < labels.Length; i++) if (taken[labels[i]]++ < 1000) chosen.Add(i);
        Assert.Equal(Manifest["train.last_source_index"], chosen[^1].ToString());
        var subTrain = EmbeddedFashionMnist.Load(true, imageDType: DType.UInt8);
        foreach (int k in new[] { 0, 1, 2, 4999, 9999 })
            Assert.Equal(fullTrain.Data.Select(0, chosen[k]).ToArray<byte>(), subTrain.Data.Select(0, k).ToArray<byte>());
        Assert.Equal(chosen.Select(i => labels[i]).ToArray(), subTrain.Targets.ToArray<long>());
    }
}
