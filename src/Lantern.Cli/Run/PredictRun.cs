using Lantern.Vision.Datasets;

namespace Lantern.Cli.Run;

/// <summary>
/// `lantern predict`: decodes each image (grey for 1-channel models, RGB otherwise), resizes it to the model's input
/// side (bilinear), normalises it as in training and prints the top-k classes with softmax probabilities.
/// </summary>
public static class PredictRun
{
    public static int Execute(string checkpoint, IReadOnlyList<string> images, int topK, TextWriter output)
    {
        var task = ModelSpec.LoadClassifier(checkpoint);
        var spec = task.Spec;
        int k = Math.Min(topK, spec.Classes.Length);
        foreach (var path in images)
        {
            Tensor img;
            try { img = ImageCodec.Load(path, grayscale: spec.InChannels == 1); }
            catch (Exception e) when (e is not CliException) { throw new CliException($"cannot decode {path}: {e.Message}"); }
            var x = DataSources.ResizeTo(img.To(DType.Float32) / 255.0, spec.ImageSize, rgb: spec.InChannels != 1);
            Tensor probs;
            using (Autograd.NoGrad()) probs = NN.F.Softmax(task.Forward(x.Unsqueeze(0)), 1).Squeeze(0);
            var (values, indices) = probs.TopK(k);
            var v = values.ToArray<float>();
            var ix = indices.ToArray<long>();
            output.WriteLine($"{path}: " + string.Join(", ", Enumerable.Range(0, k).Select(i => $"{spec.Classes[ix[i]]} {v[i] * 100:F1}%")));
        }
        return 0;
    }
}
