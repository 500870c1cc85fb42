using System.Globalization;
using System.Text;

namespace Lantern.Training.Metrics;

/// <summary>Scores of one class in a <see cref="ClassificationReport"/>.</summary>
/// <param name="Name">Class name.</param>
/// <param name="Precision">TP / (TP + FP), 0 when the class is never predicted.</param>
/// <param name="Recall">TP / (TP + FN), 0 when the class has no sample.</param>
/// <param name="F1">2·TP / (2·TP + FP + FN), 0 when the denominator is 0.</param>
/// <param name="Support">Samples of the class (TP + FN).</param>
public sealed record ClassScores(string Name, double Precision, double Recall, double F1, long Support);

/// <summary>
/// Per-class precision, recall, F1 and support with accuracy and macro/weighted averages, from a confusion
/// matrix (scikit-learn's classification_report, zero_division = 0). Macro averages are over the classes
/// that occur in the targets or predictions (as <see cref="Average.Macro"/>); weighted averages weight each
/// class by its support.
/// </summary>
public sealed class ClassificationReport
{
    private ClassificationReport(IReadOnlyList<ClassScores> classes, double accuracy, ClassScores macro, ClassScores weighted)
    {
        Classes = classes;
        Accuracy = accuracy;
        MacroAverage = macro;
        WeightedAverage = weighted;
    }

    /// <summary>One entry per class, in class order.</summary>
    public IReadOnlyList<ClassScores> Classes { get; }

    /// <summary>Correct / total (0 with no samples).</summary>
    public double Accuracy { get; }

    /// <summary>Unweighted means over the classes present (Support = all samples).</summary>
    public ClassScores MacroAverage { get; }

    /// <summary>Support-weighted means (Support = all samples).</summary>
    public ClassScores WeightedAverage { get; }

    /// <summary>The report of a [C, C] confusion matrix (rows true class, columns predicted).</summary>
    /// <exception cref="ArgumentException">A non-square or empty matrix, a negative count, or a class-name count other than C.</exception>
    public static ClassificationReport FromConfusionMatrix(long[,] counts, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int c = counts.GetLength(0);
        if (c == 0 || counts.GetLength(1) != c)
            throw new ArgumentException($"ClassificationReport: counts must be a non-empty square [C, C] matrix, got [{counts.GetLength(0)}, {counts.GetLength(1)}].");
        if (classNames is not null && classNames.Count != c)
            throw new ArgumentException($"ClassificationReport: {classNames.Count} class names for a [{c}, {c}] matrix.");
        long total = 0, correct = 0;
        foreach (long v in counts)
        {
            if (v < 0) throw new ArgumentException($"ClassificationReport: counts must not be negative, got {v}.");
            total += v;
        }
        var rows = new List<ClassScores>();
        double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0;
        int present = 0;
        for (int i = 0; i < c; i++)
        {
            long tp = counts[i, i], fn = 0, fp = 0;
            for (int j = 0; j < c; j++)
                if (j != i) { fn += counts[i, j]; fp += counts[j, i]; }
            correct += tp;
            double p = Metric.SafeDivide(tp, tp + fp), r = Metric.SafeDivide(tp, tp + fn), f = Metric.SafeDivide(2.0 * tp, 2.0 * tp + fp + fn);
            long support = tp + fn;
            rows.Add(new ClassScores(classNames?[i] ?? i.ToString(CultureInfo.InvariantCulture), p, r, f, support));
            if (tp + fp + fn > 0) { mp += p; mr += r; mf += f; present++; }
            wp += p * support; wr += r * support; wf += f * support;
        }
        var macro = new ClassScores("macro avg", Metric.SafeDivide(mp, present), Metric.SafeDivide(mr, present), Metric.SafeDivide(mf, present), total);
        var weighted = new ClassScores("weighted avg", Metric.SafeDivide(wp, total), Metric.SafeDivide(wr, total), Metric.SafeDivide(wf, total), total);
        return new ClassificationReport(rows, Metric.SafeDivide(correct, total), macro, weighted);
    }

    /// <summary>The report laid out exactly as scikit-learn's classification_report text (columns 9 wide).</summary>
    /// <exception cref="ArgumentException">digits outside [0, 10].</exception>
    public string ToString(int digits)
    {
        if (digits is < 0 or > 10) throw new ArgumentException($"ClassificationReport: digits must be in [0, 10], got {digits}.");
        string fmt = "F" + digits.ToString(CultureInfo.InvariantCulture);
        string F(double v) => v.ToString(fmt, CultureInfo.InvariantCulture);
        int width = Math.Max(Math.Max(Classes.Max(x => x.Name.Length), "weighted avg".Length), digits);
        var sb = new StringBuilder();
        void Row(string name, params string[] cols)
        {
            sb.Append(name.PadLeft(width)).Append(' ');
            foreach (var col in cols) sb.Append(' ').Append(col.PadLeft(9));
            sb.Append('\n');
        }
        void Scores(ClassScores s) => Row(s.Name, F(s.Precision), F(s.Recall), F(s.F1), s.Support.ToString(CultureInfo.InvariantCulture));
        Row("", "precision", "recall", "f1-score", "support");
        sb.Append('\n');
        foreach (var s in Classes) Scores(s);
        sb.Append('\n');
        Row("accuracy", "", "", F(Accuracy), MacroAverage.Support.ToString(CultureInfo.InvariantCulture));
        Scores(MacroAverage);
        Scores(WeightedAverage);
        return sb.ToString();
    }

    /// <summary>The report with two decimals.</summary>
    public override string ToString() => ToString(2);
}
