using System.Numerics;

namespace Lantern.Kernels;

// CTC loss: the alpha/beta recursions over the blank-extended label sequence l' (length 2L + 1: blank, l1, blank,
// l2, ..., blank) in log space, in double, one sample per work item (samples in parallel).
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void CtcLoss(DeviceBuffer logProbs, int logProbsOffset, int maxTime, int batch, int classes, DeviceBuffer targets,
        DeviceBuffer targetOffsets, DeviceBuffer inputLengths, DeviceBuffer targetLengths, long blank, DeviceBuffer nll)
    {
        if (logProbs.DType == DType.Float32)
            CtcForwardAll(Data<float>(logProbs), logProbsOffset, maxTime, batch, classes, Data<long>(targets), Data<long>(targetOffsets),
                Data<long>(inputLengths), Data<long>(targetLengths), blank, Data<float>(nll));
        else
            CtcForwardAll(Data<double>(logProbs), logProbsOffset, maxTime, batch, classes, Data<long>(targets), Data<long>(targetOffsets),
                Data<long>(inputLengths), Data<long>(targetLengths), blank, Data<double>(nll));
    }

    /// <inheritdoc/>
    public void CtcLossBackward(DeviceBuffer logProbs, int logProbsOffset, int maxTime, int batch, int classes, DeviceBuffer targets,
        DeviceBuffer targetOffsets, DeviceBuffer inputLengths, DeviceBuffer targetLengths, long blank, DeviceBuffer nll,
        DeviceBuffer gradScale, bool zeroInfinity, DeviceBuffer gradLogProbs)
    {
        if (logProbs.DType == DType.Float32)
            CtcBackwardAll(Data<float>(logProbs), logProbsOffset, maxTime, batch, classes, Data<long>(targets), Data<long>(targetOffsets),
                Data<long>(inputLengths), Data<long>(targetLengths), blank, Data<float>(nll), Data<float>(gradScale), zeroInfinity, Data<float>(gradLogProbs));
        else
            CtcBackwardAll(Data<double>(logProbs), logProbsOffset, maxTime, batch, classes, Data<long>(targets), Data<long>(targetOffsets),
                Data<long>(inputLengths), Data<long>(targetLengths), blank, Data<double>(nll), Data<double>(gradScale), zeroInfinity, Data<double>(gradLogProbs));
    }

    /// <summary>log(exp(a) + exp(b) + exp(c)) with -inf terms allowed.</summary>
    private static double LogSumExp3(double a, double b, double c)
    {
        double m = Math.Max(a, Math.Max(b, c));
        if (double.IsNegativeInfinity(m)) return m;
        return m + Math.Log(Math.Exp(a - m) + Math.Exp(b - m) + Math.Exp(c - m));
    }

    /// <summary>One sample's geometry: label of extended position s, the sample's time steps and extended length.</summary>
    private readonly struct CtcSample(long[] targets, long offset, long blank, int time, int length)
    {
        public int Time { get; } = time;
        public int Extended { get; } = 2 * length + 1;
        public long Label(int s) => (s & 1) == 0 ? blank : targets[offset + (s >> 1)];
        // l'_s may follow l'_{s-2} directly when it is a label different from it (never for blanks).
        public bool CanSkip(int s) => s >= 2 && Label(s) != Label(s - 2);
    }

    private static double[] CtcAlpha<T>(T[] lp, int lo, int batch, int classes, int n, in CtcSample cs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int tn = cs.Time, sn = cs.Extended;
        var a = new double[tn * sn];
        Array.Fill(a, double.NegativeInfinity);
        double Lp(int t, long c) => double.CreateTruncating(lp[lo + (t * batch + n) * classes + (int)c]);
        a[0] = Lp(0, cs.Label(0));
        if (sn > 1) a[1] = Lp(0, cs.Label(1));
        for (int t = 1; t < tn; t++)
            for (int s = 0; s < sn; s++)
            {
                int p = (t - 1) * sn + s;
                double v = LogSumExp3(a[p], s > 0 ? a[p - 1] : double.NegativeInfinity, cs.CanSkip(s) ? a[p - 2] : double.NegativeInfinity);
                a[t * sn + s] = v + Lp(t, cs.Label(s));
            }
        return a;
    }

    private static double CtcNll(double[] alpha, in CtcSample cs)
    {
        if (cs.Time == 0) return cs.Extended == 1 ? 0 : double.PositiveInfinity;
        int last = (cs.Time - 1) * cs.Extended;
        double l1 = alpha[last + cs.Extended - 1], l2 = cs.Extended > 1 ? alpha[last + cs.Extended - 2] : double.NegativeInfinity;
        return -LogSumExp3(l1, l2, double.NegativeInfinity);
    }

    private static void CtcForwardAll<T>(T[] lp, int lo, int maxTime, int batch, int classes, long[] targets, long[] offsets, long[] inLen, long[] tgLen,
        long blank, T[] nll) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelThreads.For(batch, 1, (start, end) =>
        {
            for (int n = start; n < end; n++)
            {
                var cs = new CtcSample(targets, offsets[n], blank, (int)inLen[n], (int)tgLen[n]);
                nll[n] = T.CreateTruncating(cs.Time == 0 ? CtcNll([], cs) : CtcNll(CtcAlpha(lp, lo, batch, classes, n, cs), cs));
            }
        });
    }

    private static void CtcBackwardAll<T>(T[] lp, int lo, int maxTime, int batch, int classes, long[] targets, long[] offsets, long[] inLen, long[] tgLen,
        long blank, T[] nllOut, T[] scale, bool zeroInfinity, T[] grad) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        KernelThreads.For(batch, 1, (start, end) =>
        {
            for (int n = start; n < end; n++)
            {
                var cs = new CtcSample(targets, offsets[n], blank, (int)inLen[n], (int)tgLen[n]);
                int tn = cs.Time, sn = cs.Extended;
                double gs = double.CreateTruncating(scale[n]);
                double nll = double.CreateTruncating(nllOut[n]);
                bool zero = tn == 0 || (zeroInfinity && double.IsPositiveInfinity(nll));
                for (int t = zero ? 0 : tn; t < maxTime; t++)
                    Array.Clear(grad, (t * batch + n) * classes, classes);
                if (zero) continue;
                double Lp(int t, long c) => double.CreateTruncating(lp[lo + (t * batch + n) * classes + (int)c]);
                var alpha = CtcAlpha(lp, lo, batch, classes, n, cs);
                var beta = new double[tn * sn];
                Array.Fill(beta, double.NegativeInfinity);
                int lastRow = (tn - 1) * sn;
                beta[lastRow + sn - 1] = Lp(tn - 1, cs.Label(sn - 1));
                if (sn > 1) beta[lastRow + sn - 2] = Lp(tn - 1, cs.Label(sn - 2));
                for (int t = tn - 2; t >= 0; t--)
                    for (int s = 0; s < sn; s++)
                    {
                        int p = (t + 1) * sn + s;
                        double v = LogSumExp3(beta[p], s + 1 < sn ? beta[p + 1] : double.NegativeInfinity,
                            s + 2 < sn && cs.CanSkip(s + 2) ? beta[p + 2] : double.NegativeInfinity);
                        beta[t * sn + s] = v + Lp(t, cs.Label(s));
                    }
                var lcab = new double[classes];
                for (int t = 0; t < tn; t++)
                {
                    Array.Fill(lcab, double.NegativeInfinity);
                    for (int s = 0; s < sn; s++)
                    {
                        int c = (int)cs.Label(s);
                        double v = alpha[t * sn + s] + beta[t * sn + s];
                        double m = Math.Max(lcab[c], v);
                        if (!double.IsNegativeInfinity(m)) lcab[c] = m + Math.Log(Math.Exp(lcab[c] - m) + Math.Exp(v - m));
                    }
                    int row = (t * batch + n) * classes;
                    for (int c = 0; c < classes; c++)
                    {
                        double l = Lp(t, c);
                        grad[row + c] = T.CreateTruncating((Math.Exp(l) - Math.Exp(lcab[c] + nll - l)) * gs);
                    }
                }
            }
        });
    }
}
