using Lantern.NN;

namespace Lantern.Vision.Models;

/// <summary>
/// The model zoo behind the command line: image classifiers by name. "lenet" (<see cref="LeNet"/>), "mlp"
/// (<see cref="Mlp"/>, 256 hidden units), "cnn" (<see cref="SimpleCnn"/>, the reference Fashion-MNIST CNN) and
/// "resnet-small" (<see cref="SmallResNet"/>); names are case-insensitive.
/// </summary>
/// <example><c>var model = Models.Create("cnn", inChannels: 1, numClasses: 10, imageSize: 28);   // 421,642 parameters</c></example>
public static class Models
{
    /// <summary>The valid model names, in the order they are listed.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lenet", "mlp", "cnn", "resnet-small"];

    /// <summary>Builds the named model for inChannels x imageSize x imageSize inputs and numClasses outputs.</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the valid ones) or sizes the model cannot take.</exception>
    public static Module<Tensor, Tensor> Create(string name, int inChannels, int numClasses, int imageSize, DType dtype = DType.Float32,
        Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "lenet" => new LeNet(inChannels, numClasses, imageSize, dtype, generator),
            "mlp" => CreateMlp(inChannels, numClasses, imageSize, null, dtype, generator),
            "cnn" => new SimpleCnn(inChannels, numClasses, imageSize, dtype, generator),
            "resnet-small" => new SmallResNet(inChannels, numClasses, dtype: dtype, generator: generator),
            _ => throw new ArgumentException($"Models: unknown model '{name}'; valid names are {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>An <see cref="Mlp"/> on flattened inChannels x imageSize x imageSize images with the given hidden sizes (default [256]).</summary>
    /// <exception cref="ArgumentException">Non-positive sizes.</exception>
    public static Mlp CreateMlp(int inChannels, int numClasses, int imageSize, int[]? hidden = null, DType dtype = DType.Float32, Generator? generator = null)
    {
        ZooChecks.Sizes("Mlp", inChannels, numClasses, imageSize);
        return new Mlp(inChannels * imageSize * imageSize, numClasses, hidden, dtype, generator);
    }
}
