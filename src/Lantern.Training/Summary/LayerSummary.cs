namespace Lantern.Training.Summary;

/// <summary>One module of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">Dotted path from the model ("features.0").</param>
/// <param name="Type">Class name ("Conv2d").</param>
/// <param name="Depth">1 for children of the model, 2 for their children...</param>
/// <param name="IsLeaf">True when the module has no submodules.</param>
/// <param name="OutputShape">Shape of its (first tensor) output in the summary's forward pass, batch included; null when it was not called or cannot be hooked.</param>
/// <param name="Parameters">Parameters of the module and its submodules.</param>
/// <param name="TrainableParameters">Those with RequiresGrad.</param>
/// <param name="Macs">Multiply-accumulates per sample (<see cref="MacCounter"/>), summed over calls; for a container, the sum over its leaves; null when no formula applies (or it was not called).</param>
/// <param name="Calls">Times the module ran in the forward pass.</param>
public sealed record LayerSummary(string Name, string Type, int Depth, bool IsLeaf, int[]? OutputShape,
    long Parameters, long TrainableParameters, long? Macs, int Calls);
