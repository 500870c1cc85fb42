namespace Lantern.Kernels;

/// <summary>The recurrences of PyTorch's RNN modes (RNN_TANH, RNN_RELU, LSTM, GRU).</summary>
public enum RecurrentKind
{
    /// <summary>h' = tanh(gx + W_hh h).</summary>
    RnnTanh,

    /// <summary>h' = relu(gx + W_hh h).</summary>
    RnnRelu,

    /// <summary>Gates i, f, g, o; c' = f c + i g; h' = o tanh(c') (times W_hr^T with a projection).</summary>
    Lstm,

    /// <summary>Gates r, z, n; n = tanh(gx_n + r (W_hn h + b_hn)); h' = (1 - z) n + z h.</summary>
    Gru,
}

/// <summary>A contiguous run of elements of a buffer, starting at <see cref="Offset"/>.</summary>
public readonly record struct Strip(DeviceBuffer Buffer, int Offset);

/// <summary>
/// Geometry of one recurrent scan: one layer in one direction over a packed batch. Step t has
/// BatchSizes[t] active sequences (non-increasing; BatchSizes[0] = Batch), whose rows start at Offsets[t] of
/// every per-row array (Rows in all). G = <see cref="Gates"/>, H = <see cref="Hidden"/>, Hout = <see cref="HOut"/>
/// (the projection size or H).
/// </summary>
public sealed class RecurrentScanGeometry
{
    /// <summary>A scan geometry.</summary>
    /// <exception cref="ArgumentException">Empty or increasing batch sizes, a size &lt;= 0, or non-positive widths.</exception>
    public RecurrentScanGeometry(RecurrentKind kind, int[] batchSizes, bool reverse, int hidden, int hOut, bool projection)
    {
        if (batchSizes.Length == 0 || batchSizes.Any(b => b <= 0) || batchSizes.Zip(batchSizes.Skip(1)).Any(p => p.Second > p.First))
            throw new ArgumentException($"RecurrentScan: batch sizes must be positive and non-increasing, got [{string.Join(", ", batchSizes)}].");
        if (hidden <= 0 || hOut <= 0 || (projection && kind != RecurrentKind.Lstm) || (!projection && hOut != hidden))
            throw new ArgumentException($"RecurrentScan: bad sizes hidden={hidden}, hOut={hOut}, projection={projection} for {kind}.");
        Kind = kind;
        BatchSizes = (int[])batchSizes.Clone();
        Reverse = reverse;
        Hidden = hidden;
        HOut = hOut;
        Projection = projection;
        Offsets = new int[batchSizes.Length];
        for (int t = 1; t < Offsets.Length; t++) Offsets[t] = Offsets[t - 1] + batchSizes[t - 1];
        Rows = Offsets[^1] + batchSizes[^1];
    }

    /// <summary>The recurrence.</summary>
    public RecurrentKind Kind { get; }

    /// <summary>Active sequences per step.</summary>
    public int[] BatchSizes { get; }

    /// <summary>First row of each step.</summary>
    public int[] Offsets { get; }

    /// <summary>Steps run from the last to the first (each sequence from its own last step).</summary>
    public bool Reverse { get; }

    /// <summary>H: hidden (cell) size.</summary>
    public int Hidden { get; }

    /// <summary>Hout: size of h (projection size, or H).</summary>
    public int HOut { get; }

    /// <summary>LSTM with W_hr.</summary>
    public bool Projection { get; }

    /// <summary>Sequences (BatchSizes[0]).</summary>
    public int Batch => BatchSizes[0];

    /// <summary>Packed rows (sum of BatchSizes).</summary>
    public int Rows { get; }

    /// <summary>G: 4 (LSTM), 3 (GRU), 1 (RNN).</summary>
    public int Gates => Kind switch { RecurrentKind.Lstm => 4, RecurrentKind.Gru => 3, _ => 1 };

    /// <summary>Length of the result: outputs [Rows, Hout], then h_n [Batch, Hout], then (LSTM) c_n [Batch, H].</summary>
    public int ResultLength => (Rows + Batch) * HOut + (Kind == RecurrentKind.Lstm ? Batch * Hidden : 0);

    /// <summary>
    /// Length of what the forward keeps for the backward: h entering each step [Rows, Hout], then for LSTM the
    /// activated gates [Rows, 4H], c entering [Rows, H], tanh(c) [Rows, H], (projection) o tanh(c) [Rows, H];
    /// for GRU r, z, n [Rows, 3H] and W_hn h + b_hn [Rows, H].
    /// </summary>
    public int SavedLength => Rows * (HOut + Kind switch
    {
        RecurrentKind.Lstm => 6 * Hidden + (Projection ? Hidden : 0),
        RecurrentKind.Gru => 4 * Hidden,
        _ => 0,
    });
}

/// <summary>
/// Fused recurrent scans of a backend (the seam beside <see cref="IBackend"/>): the whole time loop of one layer
/// and direction, per step one GEMM h W_hh^T and the gate math in one pass. All strips are contiguous and of
/// one floating dtype. Weights: W_hh [G*H, Hout], b_hh [G*H] (GRU only), W_hr [Hout, H] (projection only).
/// </summary>
public interface IRecurrentBackend
{
    /// <summary>
    /// Runs the scan. gx [Rows, G*H]: input projections x W_ih^T; bx [G*H] (or null) is added to every row (b_ih,
    /// plus b_hh except for GRU); h0 [Batch, Hout]; c0 [Batch, H] (LSTM). Writes
    /// <see cref="RecurrentScanGeometry.ResultLength"/> elements of result and
    /// <see cref="RecurrentScanGeometry.SavedLength"/> of saved.
    /// </summary>
    void RecurrentForward(RecurrentScanGeometry g, Strip gx, Strip? bx, Strip h0, Strip? c0, Strip whh, Strip? bhh, Strip? whr, Strip result, Strip saved);

    /// <summary>
    /// Backpropagation through the scan: grad is the gradient of the result (same layout). Writes dGx [Rows, G*H],
    /// dBx [G*H] (column sums of dGx, when asked), dH0 [Batch, Hout], dC0 [Batch, H] (LSTM), dWhh [G*H, Hout],
    /// dBhh [G*H] (GRU with b_hh), dWhr [Hout, H] (projection). result and saved are the forward's.
    /// </summary>
    void RecurrentBackward(RecurrentScanGeometry g, Strip whh, Strip? whr, Strip result, Strip saved, Strip grad,
        Strip dGx, Strip? dBx, Strip dH0, Strip? dC0, Strip dWhh, Strip? dBhh, Strip? dWhr);
}
