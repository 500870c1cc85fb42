namespace Lantern;

// torch.einsum for one or two operands, lowered onto Diagonal, Sum, Permute, Reshape and one batched
// matrix product (so it is differentiable through those ops).
public sealed partial class Tensor
{
    /// <summary>
    /// torch.einsum(equation, operands) for one or two operands: e.g. "ij,jk->ik", "bij,bjk->bik", "i,i->",
    /// "ij->ji", "ii->i", "...ij,...jk->...ik". Without "->" the output is the letters used once, sorted.
    /// Letters repeated within one operand take its diagonal; letters absent from the output are summed.
    /// </summary>
    /// <exception cref="ArgumentException">Malformed equation, wrong operand count, rank or size mismatch.</exception>
    public static Tensor Einsum(string equation, params Tensor[] operands)
    {
        if (operands.Length is < 1 or > 2)
            throw new ArgumentException($"Einsum: supports one or two operands, got {operands.Length}.");
        var eq = equation.Replace(" ", "");
        var arrow = eq.IndexOf("->", StringComparison.Ordinal);
        var lhs = arrow >= 0 ? eq[..arrow] : eq;
        var specs = lhs.Split(',');
        if (specs.Length != operands.Length)
            throw new ArgumentException($"Einsum: equation '{equation}' has {specs.Length} operand subscripts but {operands.Length} operands were given.");

        // Expand "..." into upper-case placeholder letters (one per broadcast dim).
        int ell = 0;
        for (int i = 0; i < specs.Length; i++)
            if (specs[i].Contains("...", StringComparison.Ordinal))
                ell = Math.Max(ell, operands[i].Rank - (specs[i].Length - 3));
        string ellLetters = new(Enumerable.Range(0, ell).Select(i => (char)('A' + i)).ToArray());
        var subs = new string[specs.Length];
        for (int i = 0; i < specs.Length; i++)
        {
            var s = specs[i];
            if (s.Contains("...", StringComparison.Ordinal))
            {
                int n = operands[i].Rank - (s.Length - 3);
                s = s.Replace("...", ellLetters[(ell - n)..]);
            }
            if (s.Any(c => !char.IsLetter(c)))
                throw new ArgumentException($"Einsum: invalid subscript '{specs[i]}' in '{equation}'.");
            if (s.Length != operands[i].Rank)
                throw new ArgumentException($"Einsum: the number of subscripts in '{specs[i]}' does not match the number of dimensions ({operands[i].Rank}) of operand {i} with shape {operands[i].Shape}.");
            subs[i] = s;
        }
        string output;
        if (arrow >= 0)
        {
            output = eq[(arrow + 2)..].Replace("...", ellLetters);
            if (output.Distinct().Count() != output.Length) throw new ArgumentException($"Einsum: output subscript '{output}' repeats a letter.");
            foreach (char c in output)
                if (!subs.Any(s => s.Contains(c)))
                    throw new ArgumentException($"Einsum: output subscript '{c}' does not appear in the inputs of '{equation}'.");
        }
        else
        {
            var all = string.Concat(subs);
            output = ellLetters + new string(all.Where(c => char.IsLower(c) && all.Count(x => x == c) == 1).Distinct().OrderBy(c => c).ToArray());
        }

        // Per operand: take diagonals of repeated letters, sum letters used nowhere else.
        var ts = new Tensor[operands.Length];
        for (int i = 0; i < operands.Length; i++)
        {
            var (t, s) = TakeDiagonals(operands[i], subs[i]);
            var others = string.Concat(subs.Where((_, j) => j != i)) + output;
            var sumDims = Enumerable.Range(0, s.Length).Where(d => !others.Contains(s[d])).ToArray();
            if (sumDims.Length > 0)
            {
                t = t.Sum(sumDims);
                s = new string(s.Where((c, d) => !sumDims.Contains(d)).ToArray());
            }
            ts[i] = t;
            subs[i] = s;
        }

        if (ts.Length == 1) return ts[0].Permute(output.Select(c => subs[0].IndexOf(c)).ToArray());

        string a = subs[0], b = subs[1];
        var sizes = new Dictionary<char, int>();
        for (int k = 0; k < 2; k++)
            for (int d = 0; d < subs[k].Length; d++)
            {
                char c = subs[k][d];
                int n = ts[k].Shape[d];
                if (sizes.TryGetValue(c, out int prev) && prev != n && prev != 1 && n != 1)
                    throw new ArgumentException($"Einsum: subscript '{c}' has size {prev} for one operand and {n} for another ('{equation}', shapes {operands[0].Shape} and {operands[1].Shape}).");
                sizes[c] = Math.Max(prev, n);
            }
        string batch = new(output.Where(c => a.Contains(c) && b.Contains(c)).ToArray());
        string contract = new(a.Where(c => b.Contains(c) && !output.Contains(c)).ToArray());
        string freeA = new(a.Where(c => !b.Contains(c)).ToArray());
        string freeB = new(b.Where(c => !a.Contains(c)).ToArray());

        int Prod(string s) => s.Aggregate(1, (p, c) => p * sizes[c]);
        var ta = ExpandTo(ts[0], a, batch + freeA + contract, sizes).Reshape(Prod(batch), Prod(freeA), Prod(contract));
        var tb = ExpandTo(ts[1], b, batch + contract + freeB, sizes).Reshape(Prod(batch), Prod(contract), Prod(freeB));
        var r = ta.Bmm(tb);
        string rs = batch + freeA + freeB;
        r = r.Reshape(rs.Select(c => sizes[c]).ToArray());
        return r.Permute(output.Select(c => rs.IndexOf(c)).ToArray());
    }

    private static Tensor ExpandTo(Tensor t, string have, string want, Dictionary<char, int> sizes)
    {
        var p = t.Permute(want.Select(c => have.IndexOf(c)).ToArray());
        return p.Expand(want.Select(c => sizes[c]).ToArray());
    }

    private static (Tensor, string) TakeDiagonals(Tensor t, string s)
    {
        while (true)
        {
            int d1 = -1, d2 = -1;
            for (int i = 0; i < s.Length && d1 < 0; i++)
                for (int j = i + 1; j < s.Length; j++)
                    if (s[i] == s[j]) { d1 = i; d2 = j; break; }
            if (d1 < 0) return (t, s);
            if (t.Shape[d1] != t.Shape[d2])
                throw new ArgumentException($"Einsum: subscript '{s[d1]}' is repeated for operand of shape {t.Shape} but the sizes don't match, {t.Shape[d1]} != {t.Shape[d2]}.");
            t = t.Diagonal(0, d1, d2);
            s = new string(s.Where((_, k) => k != d1 && k != d2).ToArray()) + s[d1];
        }
    }
}
