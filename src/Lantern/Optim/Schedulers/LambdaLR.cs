namespace Lantern.Optim;

/// <summary>
/// torch.optim.lr_scheduler.LambdaLR: lr = initial_lr · λ(epoch), one λ for all groups or one per group.
/// The functions are not part of the state dict (as PyTorch, which saves only callable objects' fields).
/// </summary>
/// <example><code>var sched = new LambdaLR(opt, epoch => Math.Pow(0.95, epoch));</code></example>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<int, double>[] _lambdas;

    /// <summary>The same λ for every group.</summary>
    public LambdaLR(Optimizer optimizer, Func<int, double> lrLambda, int lastEpoch = -1) : this(optimizer, Repeat(optimizer, lrLambda), lastEpoch) { }

    /// <summary>One λ per group.</summary>
    /// <exception cref="ArgumentException">The number of functions differs from the number of groups.</exception>
    public LambdaLR(Optimizer optimizer, Func<int, double>[] lrLambdas, int lastEpoch = -1) : base(optimizer)
    {
        if (lrLambdas.Length != optimizer.ParamGroups.Count)
            throw new ArgumentException($"LambdaLR: expected {optimizer.ParamGroups.Count} lr_lambdas, but got {lrLambdas.Length}.");
        _lambdas = (Func<int, double>[])lrLambdas.Clone();
        Initialize(lastEpoch);
    }

    internal static Func<int, double>[] Repeat(Optimizer optimizer, Func<int, double> f) => Enumerable.Repeat(f, optimizer.ParamGroups.Count).ToArray();

    /// <inheritdoc/>
    protected override double[] GetLr() => BaseLrs.Select((b, i) => b * _lambdas[i](LastEpoch)).ToArray();
}

/// <summary>
/// torch.optim.lr_scheduler.MultiplicativeLR: lr = lr · λ(epoch) at every step after the first (chainable).
/// </summary>
/// <example><code>var sched = new MultiplicativeLR(opt, epoch => 0.95);</code></example>
public sealed class MultiplicativeLR : LRScheduler
{
    private readonly Func<int, double>[] _lambdas;

    /// <summary>The same λ for every group.</summary>
    public MultiplicativeLR(Optimizer optimizer, Func<int, double> lrLambda, int lastEpoch = -1) : this(optimizer, LambdaLR.Repeat(optimizer, lrLambda), lastEpoch) { }

    /// <summary>One λ per group.</summary>
    /// <exception cref="ArgumentException">The number of functions differs from the number of groups.</exception>
    public MultiplicativeLR(Optimizer optimizer, Func<int, double>[] lrLambdas, int lastEpoch = -1) : base(optimizer)
    {
        if (lrLambdas.Length != optimizer.ParamGroups.Count)
            throw new ArgumentException($"MultiplicativeLR: expected {optimizer.ParamGroups.Count} lr_lambdas, but got {lrLambdas.Length}.");
        _lambdas = (Func<int, double>[])lrLambdas.Clone();
        Initialize(lastEpoch);
    }

    /// <inheritdoc/>
    protected override double[] GetLr()
    {
        var lrs = GroupValuesOf("lr");
        if (IsInitial) return lrs;
        return lrs.Select((lr, i) => lr * _lambdas[i](LastEpoch)).ToArray();
    }
}
