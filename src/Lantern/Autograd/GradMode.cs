namespace Lantern;

/// <summary>Thread-local autograd switches: grad mode (recording on/off) and anomaly detection.</summary>
internal static class GradMode
{
    [ThreadStatic] private static bool t_disabled;
    [ThreadStatic] private static bool t_anomaly;

    /// <summary>True when ops record the graph on this thread.</summary>
    public static bool Enabled
    {
        get => !t_disabled;
        set => t_disabled = !value;
    }

    /// <summary>True when anomaly detection is on for this thread.</summary>
    public static bool Anomaly
    {
        get => t_anomaly;
        set => t_anomaly = value;
    }
}

/// <summary>Restores a thread-local flag when disposed (returned by <c>Autograd.NoGrad()</c> and friends).</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool _previous;
    private readonly bool _anomaly;

    internal GradModeScope(bool previous, bool anomaly)
    {
        _previous = previous;
        _anomaly = anomaly;
    }

    /// <summary>Restores the previous setting.</summary>
    public void Dispose()
    {
        if (_anomaly) GradMode.Anomaly = _previous;
        else GradMode.Enabled = _previous;
    }
}
