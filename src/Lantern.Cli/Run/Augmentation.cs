using Lantern.Vision.Transforms;

namespace Lantern.Cli.Run;

/// <summary>
/// --augment: the usual light augmentation of small-image classification, drawn per sample from the loader's seeded
/// stream: a random crop of the original size after zero padding (2 pixels for 28 x 28 data, 4 for 32 x 32), and a
/// horizontal flip with p = 0.5 except for MNIST digits (a flipped digit is another glyph).
/// </summary>
public static class Augmentation
{
    public static Func<Tensor, Tensor> For(Commands.DataSpec data)
    {
        int size = data.Kind is "cifar10" or "imagefolder" ? 32 : 28;
        var steps = new List<Transform> { new RandomCrop(size, padding: [size == 32 ? 4 : 2]) };
        if (data.Kind != "mnist") steps.Add(new RandomHorizontalFlip());
        var compose = new Compose([.. steps]);
        return compose.Apply;
    }
}
