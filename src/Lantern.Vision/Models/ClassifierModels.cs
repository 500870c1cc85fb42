using Lantern.NN;

namespace Lantern.Vision.Models;

/// <summary>
/// LeNet-5 in its modern form (ReLU and max pooling instead of tanh and subsampling): features = Sequential(
/// Conv2d(in, 6, 5, padding p), ReLU, MaxPool2d(2), Conv2d(6, 16, 5), ReLU, MaxPool2d(2)), classifier = Sequential(
/// Flatten, Linear(16 f f, 120), ReLU, Linear(120, 84), ReLU, Linear(84, numClasses)). Inputs smaller than 32 x 32
/// are zero-padded by the first convolution (p = 2, so 28 x 28 MNIST images see the 32 x 32 geometry of the paper);
/// from 32 x 32 on p = 0. f = floor((floor((s + 2p - 4) / 2) - 4) / 2) = 5 for 28 and 32.
/// Keys: features.0.weight, features.3.weight, classifier.1.weight, classifier.3.weight, classifier.5.weight (+ biases).
/// <para>Input [N, inChannels, s, s]; output [N, numClasses] logits. 61,706 parameters for 1 channel and 10 classes.</para>
/// </summary>
public sealed class LeNet : Module<Tensor, Tensor>
{
    /// <summary>A LeNet-5 for inChannels x imageSize x imageSize images.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, or an image too small for two 5x5 convolutions and pools (s + 2p &lt; 16).</exception>
    public LeNet(int inChannels = 1, int numClasses = 10, int imageSize = 28, DType dtype = DType.Float32, Generator? generator = null)
    {
        ZooChecks.Sizes("LeNet", inChannels, numClasses, imageSize);
        int pad = imageSize < 32 ? 2 : 0;
        if (imageSize + 2 * pad < 16)
            throw new ArgumentException($"LeNet: image_size {imageSize} is too small; two 5x5 convolutions with 2x2 pooling need at least 12 (padded to 16).");
        InChannels = inChannels;
        ImageSize = imageSize;
        int f = ((imageSize + 2 * pad - 4) / 2 - 4) / 2;
        RegisterModule("features", new Sequential(
            new Conv2d(inChannels, 6, 5, padding: pad, dtype: dtype, generator: generator), new ReLU(), new MaxPool2d(2),
            new Conv2d(6, 16, 5, dtype: dtype, generator: generator), new ReLU(), new MaxPool2d(2)));
        RegisterModule("classifier", new Sequential(new Flatten(),
            new Linear(16 * f * f, 120, dtype: dtype, generator: generator), new ReLU(),
            new Linear(120, 84, dtype: dtype, generator: generator), new ReLU(),
            new Linear(84, numClasses, dtype: dtype, generator: generator)));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Expected image side.</summary>
    public int ImageSize { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not [N, inChannels, imageSize, imageSize].</exception>
    public override Tensor Forward(Tensor input)
    {
        ZooChecks.Input("LeNet", input, InChannels, ImageSize);
        return ((Sequential)GetModule("classifier")!).Call(((Sequential)GetModule("features")!).Call(input));
    }
}

/// <summary>
/// The reference CNN of the Fashion-MNIST benchmark: features = Sequential(Conv2d(in, 32, 3, padding 1), ReLU,
/// MaxPool2d(2), Conv2d(32, 64, 3, padding 1), ReLU, MaxPool2d(2)), classifier = Sequential(Flatten,
/// Linear(64 f f, 128), ReLU, Linear(128, numClasses)) with f = floor(floor(s / 2) / 2) (7 for 28 x 28: Linear(3136, 128)).
/// Keys: features.0.weight, features.3.weight, classifier.1.weight, classifier.3.weight (+ biases).
/// <para>Input [N, inChannels, s, s]; output [N, numClasses]. 421,642 parameters for 1 x 28 x 28 and 10 classes
/// (320 + 18,496 + 401,536 + 1,290).</para>
/// </summary>
public sealed class SimpleCnn : Module<Tensor, Tensor>
{
    /// <summary>The reference CNN for inChannels x imageSize x imageSize images.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, or an image smaller than 4 x 4.</exception>
    public SimpleCnn(int inChannels = 1, int numClasses = 10, int imageSize = 28, DType dtype = DType.Float32, Generator? generator = null)
    {
        ZooChecks.Sizes("SimpleCnn", inChannels, numClasses, imageSize);
        if (imageSize < 4) throw new ArgumentException($"SimpleCnn: image_size {imageSize} is too small for two 2x2 poolings (need at least 4).");
        InChannels = inChannels;
        ImageSize = imageSize;
        int f = imageSize / 2 / 2;
        RegisterModule("features", new Sequential(
            new Conv2d(inChannels, 32, 3, padding: 1, dtype: dtype, generator: generator), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1, dtype: dtype, generator: generator), new ReLU(), new MaxPool2d(2)));
        RegisterModule("classifier", new Sequential(new Flatten(),
            new Linear(64 * f * f, 128, dtype: dtype, generator: generator), new ReLU(),
            new Linear(128, numClasses, dtype: dtype, generator: generator)));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Expected image side.</summary>
    public int ImageSize { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not [N, inChannels, imageSize, imageSize].</exception>
    public override Tensor Forward(Tensor input)
    {
        ZooChecks.Input("SimpleCnn", input, InChannels, ImageSize);
        return ((Sequential)GetModule("classifier")!).Call(((Sequential)GetModule("features")!).Call(input));
    }
}

/// <summary>
/// A multilayer perceptron on flattened images: x.flatten(1) -> fc1 -> ReLU -> ... -> fcK (no activation on the
/// logits); hidden sizes default [256] (784-256-10 for MNIST). Keys: fc1.weight, fc1.bias, fc2.weight, ...
/// <para>Input [N, inChannels, s, s] (or [N, inFeatures]); output [N, numClasses]. 203,530 parameters for 784-256-10.</para>
/// </summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    private readonly Linear[] _layers;

    /// <summary>An MLP from inFeatures to numClasses through the given hidden sizes.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes.</exception>
    public Mlp(int inFeatures, int numClasses, int[]? hidden = null, DType dtype = DType.Float32, Generator? generator = null)
    {
        Hidden = (int[])(hidden ?? [256]).Clone();
        if (inFeatures <= 0 || numClasses <= 0 || Hidden.Any(h => h <= 0))
            throw new ArgumentException($"Mlp: sizes must be positive, got in_features={inFeatures}, num_classes={numClasses}, hidden=[{string.Join(", ", Hidden)}].");
        InFeatures = inFeatures;
        int[] widths = [inFeatures, .. Hidden, numClasses];
        _layers = new Linear[widths.Length - 1];
        for (int i = 0; i < _layers.Length; i++)
            _layers[i] = RegisterModule($"fc{i + 1}", new Linear(widths[i], widths[i + 1], dtype: dtype, generator: generator));
    }

    /// <summary>Flattened input features.</summary>
    public int InFeatures { get; }

    /// <summary>Hidden layer widths.</summary>
    public int[] Hidden { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input's per-sample size is not inFeatures.</exception>
    public override Tensor Forward(Tensor input)
    {
        long perSample = 1;
        for (int d = 1; d < input.Rank; d++) perSample *= input.Shape[d];
        if (input.Rank < 2 || perSample != InFeatures)
            throw new ArgumentException($"Mlp: expected input [N, ...] with {InFeatures} features per sample, got {input.Shape}.");
        var x = input.Flatten(1);
        for (int i = 0; i < _layers.Length; i++)
        {
            x = _layers[i].Call(x);
            if (i < _layers.Length - 1) x = F.Relu(x);
        }
        return x;
    }
}

internal static class ZooChecks
{
    public static void Sizes(string model, int inChannels, int numClasses, int imageSize)
    {
        if (inChannels <= 0 || numClasses <= 0 || imageSize <= 0)
            throw new ArgumentException($"{model}: in_channels, num_classes and image_size must be positive, got {inChannels}, {numClasses} and {imageSize}.");
    }

    public static void Input(string model, Tensor input, int channels, int size)
    {
        if (input.Rank != 4 || input.Shape[1] != channels || input.Shape[2] != size || input.Shape[3] != size)
            throw new ArgumentException($"{model}: expected input of shape [N, {channels}, {size}, {size}], got {input.Shape}.");
    }
}
