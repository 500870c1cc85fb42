namespace Lantern.NN;

/// <summary>torch.nn.Identity: returns its input unchanged (a placeholder, e.g. a removed head).</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input;
}

/// <summary>torch.nn.Flatten: flattens dims startDim..endDim into one (a view when possible).</summary>
public sealed class Flatten : Module<Tensor, Tensor>
{
    /// <summary>Flattens dims <paramref name="startDim"/> through <paramref name="endDim"/> (PyTorch's defaults keep the batch dim).</summary>
    public Flatten(int startDim = 1, int endDim = -1)
    {
        StartDim = startDim;
        EndDim = endDim;
    }

    /// <summary>First flattened dim.</summary>
    public int StartDim { get; }

    /// <summary>Last flattened dim.</summary>
    public int EndDim { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Flatten(StartDim, EndDim);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
}

/// <summary>torch.nn.Unflatten: splits dim into <see cref="UnflattenedSize"/> (one entry may be -1).</summary>
public sealed class Unflatten : Module<Tensor, Tensor>
{
    /// <summary>Unflattens <paramref name="dim"/> into <paramref name="unflattenedSize"/>.</summary>
    /// <exception cref="ArgumentException">An empty size list.</exception>
    public Unflatten(int dim, int[] unflattenedSize)
    {
        if (unflattenedSize.Length == 0) throw new ArgumentException("Unflatten: unflattened_size must be non-empty.");
        Dim = dim;
        UnflattenedSize = (int[])unflattenedSize.Clone();
    }

    /// <summary>The dim split.</summary>
    public int Dim { get; }

    /// <summary>The sizes it becomes.</summary>
    public int[] UnflattenedSize { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Unflatten(Dim, UnflattenedSize);

    /// <inheritdoc/>
    public override string ExtraRepr() => $"dim={Dim}, unflattened_size={Py(UnflattenedSize)}";
}
