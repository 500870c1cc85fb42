namespace Lantern.NN;

/// <summary>
/// Hybrid Dilated Convolution block (Wang et al. 2018, "Understanding Convolution for Semantic Segmentation"):
/// stacked k x k convolutions with a schedule of dilation rates r_1..r_n, each followed by BatchNorm2d and ReLU
/// (children "0", "1", ..., each an <see cref="AsppConv"/>-like Sequential: conv "i.0" with padding r_i (k = 3) so H and W
/// are kept, BN "i.1", ReLU "i.2"). Bias-free convolutions. The first maps inChannels -> outChannels, the rest
/// outChannels -> outChannels.
/// <para>The schedule is validated as HDC requires, so the stack's receptive field has no holes ("gridding"):</para>
/// <list type="bullet">
/// <item>the rates must not share a common factor greater than 1 (e.g. [2, 4, 8] only ever samples every second pixel);</item>
/// <item>M_2 &lt;= k for each group (the schedule's non-decreasing runs, so a sawtooth [1, 2, 5, 1, 2, 5] repeats a valid
/// group as the paper does; <see cref="Groups"/>), with M_n = r_n and M_i = max(M_{i+1} - 2 r_i, M_{i+1} - 2 (M_{i+1} - r_i), r_i), the maximum
/// distance between two non-zero taps of the first i layers' combined kernel (for n = 1 only the first condition applies).
/// [1, 2, 5] passes (M_2 = 2), [1, 2, 9] fails (M_2 = 5).</item>
/// <item>the paper's goal itself: the stacked kernel reaches every offset of its square receptive field (checked by
/// enumeration, <see cref="ReceptiveFieldHoles"/>). The two conditions above guarantee it when r_1 = 1, as in the paper's
/// examples; a schedule such as [2, 3] passes them but never sees the centre's neighbours, so it is rejected too.</item>
/// </list>
/// <para>Input [N, inChannels, H, W]; output [N, outChannels, H, W] (odd kernel sizes).</para>
/// </summary>
/// <example><c>var hdc = new HdcBlock(64, 64, [1, 2, 5]);</c></example>
public sealed class HdcBlock : Module<Tensor, Tensor>
{
    /// <summary>An HDC stack with the given rate schedule (default [1, 2, 5]) and odd kernel size (default 3).</summary>
    /// <exception cref="ArgumentException">Non-positive channels, an even or non-positive kernel, an empty schedule or non-positive rate, rates with a
    /// common factor &gt; 1, M_2 &gt; kernel size, or holes in the receptive field (the messages name the rates).</exception>
    public HdcBlock(int inChannels, int outChannels, int[]? rates = null, int kernelSize = 3, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentException($"HdcBlock: in_channels and out_channels must be positive, got {inChannels} and {outChannels}.");
        if (kernelSize <= 0 || kernelSize % 2 == 0)
            throw new ArgumentException($"HdcBlock: kernel_size must be positive and odd, got {kernelSize}.");
        Rates = (int[])(rates ?? [1, 2, 5]).Clone();
        ValidateRates(Rates, kernelSize);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        for (int i = 0; i < Rates.Length; i++)
        {
            int r = Rates[i], pad = r * (kernelSize - 1) / 2;
            RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new Sequential(
                new Conv2d(i == 0 ? inChannels : outChannels, outChannels, kernelSize, padding: pad, dilation: r, bias: false, dtype: dtype, generator: generator),
                new BatchNorm2d(outChannels, dtype: dtype), new ReLU()));
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Dilation rate of each layer, in order.</summary>
    public int[] Rates { get; }

    /// <summary>Kernel size k of every convolution.</summary>
    public int KernelSize { get; }

    /// <summary>
    /// Wang et al.'s M_i for a schedule: M[n-1] = r_n and M[i] = max(M[i+1] - 2 r_i, M[i+1] - 2 (M[i+1] - r_i), r_i)
    /// (0-based, so the paper's M_2 is element 1).
    /// </summary>
    /// <exception cref="ArgumentException">An empty schedule.</exception>
    public static int[] MaxTapDistances(int[] rates)
    {
        ArgumentNullException.ThrowIfNull(rates);
        if (rates.Length == 0) throw new ArgumentException("HdcBlock: the rate schedule is empty.");
        var m = new int[rates.Length];
        m[^1] = rates[^1];
        for (int i = rates.Length - 2; i >= 0; i--)
            m[i] = Math.Max(Math.Max(m[i + 1] - 2 * rates[i], m[i + 1] - 2 * (m[i + 1] - rates[i])), rates[i]);
        return m;
    }

    /// <summary>Checks a schedule against HDC's two conditions (see the class summary).</summary>
    /// <exception cref="ArgumentException">An empty schedule, a non-positive rate, a common factor &gt; 1, M_2 &gt; kernelSize, or holes in the receptive field.</exception>
    public static void ValidateRates(int[] rates, int kernelSize = 3)
    {
        ArgumentNullException.ThrowIfNull(rates);
        if (rates.Length == 0 || rates.Any(r => r <= 0))
            throw new ArgumentException($"HdcBlock: rates must be a non-empty list of positive dilation rates, got [{string.Join(", ", rates)}].");
        int g = rates.Aggregate(0, Gcd);
        if (g > 1)
            throw new ArgumentException($"HdcBlock: dilation rates [{string.Join(", ", rates)}] share the common factor {g}, so the stacked kernels only sample every " +
                $"{g}-th pixel (gridding); use rates without a common factor, e.g. [1, 2, 5].");
        foreach (var group in Groups(rates))
        {
            if (group.Length < 2) continue;
            int m2 = MaxTapDistances(group)[1];
            if (m2 > kernelSize)
            {
                string where = group.Length == rates.Length ? "" : $" (group [{string.Join(", ", group)}])";
                throw new ArgumentException($"HdcBlock: dilation rates [{string.Join(", ", rates)}] leave holes in the receptive field{where}: M_2 = {m2} " +
                    $"exceeds the kernel size {kernelSize} (HDC requires M_2 <= k, M_i = max(M_(i+1) - 2 r_i, M_(i+1) - 2 (M_(i+1) - r_i), r_i), M_n = r_n).");
            }
        }
        var holes = ReceptiveFieldHoles(rates, kernelSize);
        if (holes.Length > 0)
            throw new ArgumentException($"HdcBlock: dilation rates [{string.Join(", ", rates)}] leave holes in the receptive field at offsets " +
                $"[{string.Join(", ", holes.Where(o => o > 0))}] (and their negatives) from the centre; start the schedule with rate 1, e.g. [1, 2, 5].");
    }

    /// <summary>
    /// Offsets in [-span, span] (span = sum(r_i) (k - 1) / 2) that no tap of the stacked kernel reaches, along one axis
    /// (the 2-D taps are the product of the 1-D ones): the holes of the combined receptive field. Empty for a hole-free schedule.
    /// </summary>
    public static int[] ReceptiveFieldHoles(int[] rates, int kernelSize = 3)
    {
        ArgumentNullException.ThrowIfNull(rates);
        int h = (kernelSize - 1) / 2, span = rates.Sum() * h;
        var reach = new bool[2 * span + 1];
        reach[span] = true;
        foreach (int r in rates)
        {
            var next = new bool[reach.Length];
            for (int o = 0; o < reach.Length; o++)
                if (reach[o])
                    for (int j = -h; j <= h; j++)
                        if (o + j * r >= 0 && o + j * r < reach.Length) next[o + j * r] = true;
            reach = next;
        }
        return Enumerable.Range(0, reach.Length).Where(o => !reach[o]).Select(o => o - span).ToArray();
    }

    /// <summary>The schedule cut into its non-decreasing runs: the repeated groups of a sawtooth such as [1, 2, 5, 1, 2, 5].</summary>
    public static IEnumerable<int[]> Groups(int[] rates)
    {
        ArgumentNullException.ThrowIfNull(rates);
        int start = 0;
        for (int i = 1; i <= rates.Length; i++)
            if (i == rates.Length || rates[i] < rates[i - 1])
            {
                yield return rates[start..i];
                start = i;
            }
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"rates=[{string.Join(", ", Rates)}]";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not [N, inChannels, H, W].</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ArgumentException($"HdcBlock: expected input of shape [N, {InChannels}, H, W], got {input.Shape}.");
        var x = input;
        foreach (var (_, layer) in NamedChildren()) x = ((Sequential)layer).Call(x);
        return x;
    }
}
