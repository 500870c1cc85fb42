using Lantern.Data;
using Xunit;

namespace Lantern.Tests.DataLoading;

/// <summary>Samplers: orders, per-epoch determinism (epoch e of seed s is fixed), counts, weighted draws, errors.</summary>
public class SamplerTests
{
    [Fact]
    public void SequentialIsInOrder() => Assert.Equal([0, 1, 2, 3, 4], new SequentialSampler(5).ToArray());

    [Fact]
    public void RandomSamplerIsAPermutationFixedPerEpoch()
    {
        var a = new RandomSampler(50, generator: new Generator(7));
        var b = new RandomSampler(50, generator: new Generator(7));
        var a0 = a.ToArray();
        var a1 = a.ToArray();
        Assert.Equal(Enumerable.Range(0, 50), a0.OrderBy(i => i));
        Assert.Equal(Enumerable.Range(0, 50), a1.OrderBy(i => i));
        Assert.NotEqual(a0, a1);                       // reshuffled every epoch
        Assert.NotEqual(Enumerable.Range(0, 50), a0);
        Assert.Equal(a0, b.ToArray());                 // same seed, same epoch -> same order
        b.SetEpoch(1);
        Assert.Equal(a1, b.ToArray());                 // epoch 1 without replaying epoch 0
        a.SetEpoch(0);
        Assert.Equal(a0, a.ToArray());
        Assert.NotEqual(a0, new RandomSampler(50, generator: new Generator(8)).ToArray());
    }

    [Fact]
    public void RandomSamplerNumSamplesAndReplacement()
    {
        var s = new RandomSampler(4, numSamples: 10, generator: new Generator(1)).ToArray();
        Assert.Equal(10, s.Length);
        Assert.Equal([0, 1, 2, 3], s[..4].OrderBy(i => i));   // whole permutations, the last one cut
        Assert.Equal([0, 1, 2, 3], s[4..8].OrderBy(i => i));
        Assert.Equal(2, s[8..].Distinct().Count());
        var r = new RandomSampler(3, replacement: true, numSamples: 300, generator: new Generator(2)).ToArray();
        Assert.Equal(300, r.Length);
        Assert.All(r, i => Assert.InRange(i, 0, 2));
        Assert.All(new[] { 0, 1, 2 }, v => Assert.InRange(r.Count(i => i == v), 70, 130));
        Assert.Contains("num_samples", Assert.Throws<ArgumentException>(() => new RandomSampler(3, numSamples: 0)).Message);
    }

    [Fact]
    public void WeightedWithReplacementFollowsWeights()
    {
        var s = new WeightedRandomSampler([1, 0, 2, 7], 20000, generator: new Generator(3)).ToArray();
        Assert.Equal(0, s.Count(i => i == 1));                      // zero weight never drawn
        Assert.InRange(s.Count(i => i == 0) / 20000.0, 0.09, 0.11);
        Assert.InRange(s.Count(i => i == 2) / 20000.0, 0.19, 0.21);
        Assert.InRange(s.Count(i => i == 3) / 20000.0, 0.68, 0.72);
    }

    [Fact]
    public void WeightedWithoutReplacementIsDistinct()
    {
        var sampler = new WeightedRandomSampler([5, 0, 1, 1, 3], 4, replacement: false, generator: new Generator(4));
        var s = sampler.ToArray();
        Assert.Equal([0, 2, 3, 4], s.OrderBy(i => i));
        // the heaviest index comes first most often: 5 / 10 of the first draws
        int first0 = 0;
        for (int e = 0; e < 2000; e++) { sampler.SetEpoch(e); if (sampler.First() == 0) first0++; }
        Assert.InRange(first0 / 2000.0, 0.46, 0.54);
        Assert.Contains("without replacement", Assert.Throws<ArgumentException>(() => new WeightedRandomSampler([1, 0, 1], 3, replacement: false)).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => new WeightedRandomSampler([1, -1], 1)).Message);
        Assert.Throws<ArgumentException>(() => new WeightedRandomSampler([0, 0], 1));
    }

    [Fact]
    public void BatchSamplerGroupsAndDrops()
    {
        var b = new BatchSampler(new SequentialSampler(10), 3);
        Assert.Equal(4, b.Count);
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]], b.ToArray());
        var d = new BatchSampler(new SequentialSampler(10), 3, dropLast: true);
        Assert.Equal(3, d.Count);
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6, 7, 8]], d.ToArray());
        Assert.Contains("batch_size", Assert.Throws<ArgumentException>(() => new BatchSampler(new SequentialSampler(3), 0)).Message);
    }

    [Fact]
    public void SubsetRandomSamplerPermutesTheSubset()
    {
        var s = new SubsetRandomSampler([10, 20, 30, 40], new Generator(5));
        var e0 = s.ToArray();
        Assert.Equal([10, 20, 30, 40], e0.OrderBy(i => i));
        s.SetEpoch(0);
        Assert.Equal(e0, s.ToArray());
    }
}
