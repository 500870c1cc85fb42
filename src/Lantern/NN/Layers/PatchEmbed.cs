namespace Lantern.NN;

/// <summary>
/// ViT patch embedding as timm's PatchEmbed: a patchSize x patchSize convolution with stride patchSize ("proj",
/// weight [E, C, p, p], bias [E], Conv2d's init) cuts the image into non-overlapping patches and projects each to
/// E features; with flatten the grid becomes a token sequence (proj(x).flatten(2).transpose(1, 2)). State-dict
/// names equal timm's (proj.weight, proj.bias), so weights load either way.
/// <para>Input [N, C, H, W]; output [N, H/p * W/p, E] (flatten) or [N, E, H/p, W/p].</para>
/// </summary>
public sealed class PatchEmbed : Module<Tensor, Tensor>
{
    /// <summary>A patch embedding for imgSize x imgSize images (null: any size divisible by patchSize).</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, or imgSize not divisible by patchSize.</exception>
    public PatchEmbed(int? imgSize = 224, int patchSize = 16, int inChans = 3, int embedDim = 768, bool flatten = true, bool bias = true,
        Module<Tensor, Tensor>? norm = null, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (patchSize <= 0 || inChans <= 0 || embedDim <= 0 || imgSize <= 0)
            throw new ArgumentException($"PatchEmbed: sizes must be positive, got img_size={imgSize}, patch_size={patchSize}, in_chans={inChans}, embed_dim={embedDim}.");
        if (imgSize is { } s && s % patchSize != 0)
            throw new ArgumentException($"PatchEmbed: img_size {s} is not divisible by patch_size {patchSize}.");
        ImgSize = imgSize;
        PatchSize = patchSize;
        InChans = inChans;
        EmbedDim = embedDim;
        Flatten = flatten;
        RegisterModule("proj", new Conv2d(inChans, embedDim, patchSize, patchSize, bias: bias, dtype: dtype, generator: generator));
        if (norm is not null) RegisterModule("norm", norm);
    }

    /// <summary>Expected image side, or null for any multiple of the patch size.</summary>
    public int? ImgSize { get; }

    /// <summary>Patch side p.</summary>
    public int PatchSize { get; }

    /// <summary>Input channels C.</summary>
    public int InChans { get; }

    /// <summary>Output features E.</summary>
    public int EmbedDim { get; }

    /// <summary>Whether the output is a token sequence [N, L, E].</summary>
    public bool Flatten { get; }

    /// <summary>(H/p, W/p) for the configured image size, or null.</summary>
    public (int H, int W)? GridSize => ImgSize is { } s ? (s / PatchSize, s / PatchSize) : null;

    /// <summary>Number of patches for the configured image size, or null.</summary>
    public int? NumPatches => GridSize is { } g ? g.H * g.W : null;

    /// <summary>[E, C, p, p].</summary>
    public Tensor Weight => Proj.Weight;

    /// <summary>[E] or null.</summary>
    public Tensor? Bias => Proj.Bias;

    private Conv2d Proj => (Conv2d)GetModule("proj")!;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Not [N, C, H, W] with C = in_chans, a size other than img_size, or a side not divisible by p.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChans)
            throw new ArgumentException($"PatchEmbed: expected input of shape [N, {InChans}, H, W], got {input.Shape}.");
        int h = input.Shape[2], w = input.Shape[3];
        if (ImgSize is { } s && (h != s || w != s))
            throw new ArgumentException($"PatchEmbed: input size ({h}x{w}) doesn't match model ({s}x{s}) for input {input.Shape}.");
        if (h % PatchSize != 0 || w % PatchSize != 0)
            throw new ArgumentException($"PatchEmbed: input size ({h}x{w}) is not divisible by patch size {PatchSize}.");
        var grid = Proj.Call(input);                                                                     // [N, E, H/p, W/p]
        var x = Flatten ? grid.Flatten(2).Transpose(1, 2) : grid;                                        // [N, L, E]
        return NamedChildren().Any(c => c.Key == "norm") ? ((Module<Tensor, Tensor>)GetModule("norm")!).Call(x) : x;
    }
}

/// <summary>
/// The ViT input stem as timm's VisionTransformer builds it: patch_embed (a <see cref="PatchEmbed"/>), an
/// optional learned class token "cls_token" [1, 1, E] (init N(0, 1e-6^2)) prepended to the tokens, a learned
/// position embedding "pos_embed" [1, L (+1), E] (init trunc_normal std 0.02) added, then dropout (pos_drop).
/// The names equal timm's top-level keys (cls_token, pos_embed, patch_embed.proj.weight, ...).
/// <para>Input [N, C, H, W]; output [N, L + 1, E] with the class token first (or [N, L, E]).</para>
/// </summary>
public sealed class VisionTransformerEmbedding : Module<Tensor, Tensor>
{
    /// <summary>A ViT embedding for imgSize x imgSize images.</summary>
    /// <exception cref="ArgumentException">Non-positive sizes, imgSize not divisible by patchSize, or dropout outside [0, 1].</exception>
    public VisionTransformerEmbedding(int imgSize = 224, int patchSize = 16, int inChans = 3, int embedDim = 768, bool classToken = true,
        double posDropRate = 0, DType dtype = DType.Float32, Generator? generator = null)
    {
        var patch = RegisterModule("patch_embed", new PatchEmbed(imgSize, patchSize, inChans, embedDim, dtype: dtype, generator: generator));
        ClassToken = classToken;
        int tokens = patch.NumPatches!.Value + (classToken ? 1 : 0);
        RegisterParameter("cls_token", classToken ? Tensor.Zeros([1, 1, embedDim], dtype) : null);
        RegisterParameter("pos_embed", Tensor.Empty([1, tokens, embedDim], dtype));
        RegisterModule("pos_drop", new Dropout(posDropRate, generator));
        Init.TruncNormal_(PosEmbed, std: 0.02, generator: generator);
        if (ClsToken is { } c) Init.Normal_(c, std: 1e-6, generator: generator);
    }

    /// <summary>Whether a class token is prepended.</summary>
    public bool ClassToken { get; }

    /// <summary>The patch embedding.</summary>
    public PatchEmbed PatchEmbed => (PatchEmbed)GetModule("patch_embed")!;

    /// <summary>[1, 1, E] or null.</summary>
    public Tensor? ClsToken => GetParameter("cls_token");

    /// <summary>[1, tokens, E].</summary>
    public Tensor PosEmbed => GetParameter("pos_embed")!;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = PatchEmbed.Call(input);                                                                  // [N, L, E]
        if (ClsToken is { } c) x = Tensor.Cat([c.Expand(x.Shape[0], -1, -1), x], 1);
        return ((Dropout)GetModule("pos_drop")!).Call(x.Add(PosEmbed));
    }
}
