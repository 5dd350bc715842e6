using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Attacks.Evasion;

/// <summary>
/// What a black-box attack may ask of the model for one chunk of samples: probabilities of
/// many candidate rows in one call (rows of different samples mixed, since each call to a remote
/// endpoint is slow), each row charged to the sample it belongs to against a per-sample budget,
/// and the verdict on each row by the run's criterion. One query per sample is kept back for the
/// final check <see cref="EvasionAttack"/> makes, so the model sees at most MaxQueries
/// evaluations per sample in all.
/// </summary>
internal sealed class BlackBoxOracle
{
    /// <summary>Rows × elements per call at most, so a large batch of candidates stays a few tens of MB.</summary>
    private const int ElementsPerCall = 1 << 22;

    private readonly AttackContext context;
    private readonly int[] sampleShape;
    private readonly long[] labels;
    private readonly long[] used;

    public BlackBoxOracle(AttackContext context, Tensor x, Criterion criterion, int maxQueries, string attack)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(criterion);
        if (maxQueries < 2)
            throw new BulwarkInputException($"{attack}: the query budget must be at least 2 per sample (one is the final check), got {maxQueries}");
        this.context = context;
        Samples = x.Shape[0];
        Dimension = Samples == 0 ? 0 : x.Size / Samples;
        sampleShape = x.Shape[1..].ToArray();
        labels = criterion.Labels.Data;
        Targeted = criterion.Targeted;
        Limit = maxQueries - 1;
        used = new long[Samples];
        Original = x.ToArray();
    }

    /// <summary>Samples in the chunk.</summary>
    public int Samples { get; }

    /// <summary>Elements per sample.</summary>
    public int Dimension { get; }

    /// <summary>The shape of one sample.</summary>
    public ReadOnlySpan<int> SampleShape => sampleShape;

    /// <summary>The chunk's inputs, row-major [Samples × Dimension]; never modified.</summary>
    public float[] Original { get; }

    /// <summary>The input box.</summary>
    public InputBounds Bounds => context.Bounds;

    /// <summary>Whether the attack aims at target classes.</summary>
    public bool Targeted { get; }

    /// <summary>Queries each sample may spend inside the attack.</summary>
    public long Limit { get; }

    /// <summary>The largest number of rows worth sending in one call.</summary>
    public int RowsPerCall => Math.Max(1, ElementsPerCall / Math.Max(1, Dimension));

    /// <summary>Queries sample <paramref name="sample"/> has left.</summary>
    public long Left(int sample) => Limit - used[sample];

    /// <summary>One sample's original input.</summary>
    public ReadOnlySpan<float> OriginalRow(int sample) => Original.AsSpan(sample * Dimension, Dimension);

    /// <summary>
    /// Probabilities [rows × classes] of <paramref name="rows"/> (row r belongs to sample
    /// owners[r]) in one model call; each row costs its owner one query.
    /// </summary>
    public float[] Probabilities(float[] rows, IReadOnlyList<int> owners)
    {
        int m = owners.Count;
        foreach (int owner in owners)
        {
            if (used[owner] >= Limit)
                throw new InvalidOperationException($"sample {owner} is out of queries; the attack must check Left first");
            used[owner]++;
        }
        if (m == 0)
            return [];
        var shape = new int[sampleShape.Length + 1];
        shape[0] = m;
        sampleShape.CopyTo(shape, 1);
        var batch = rows.Length == m * Dimension ? rows : rows[..(m * Dimension)];
        return context.Probabilities(Tensor.FromArray(batch, shape)).ToArray();
    }

    /// <summary>Whether each row is adversarial for its owner (decision-based attacks see only this).</summary>
    public bool[] Decide(float[] rows, IReadOnlyList<int> owners)
    {
        var p = Probabilities(rows, owners);
        int classes = owners.Count == 0 ? 0 : p.Length / owners.Count;
        var r = new bool[owners.Count];
        for (int i = 0; i < r.Length; i++)
            r[i] = IsAdversarial(p.AsSpan(i * classes, classes), owners[i]);
        return r;
    }

    /// <summary>
    /// Queries every sample's row of <paramref name="points"/> once; returns <paramref name="score"/>
    /// of each answer, whether each is adversarial, and the class count.
    /// </summary>
    public (float[] Score, bool[] Adversarial, int Classes) EvaluateAll(float[] points, RowScore score)
    {
        var p = Probabilities(points, Enumerable.Range(0, Samples).ToArray());
        int classes = Samples == 0 ? 0 : p.Length / Samples;
        var s = new float[Samples];
        var adversarial = new bool[Samples];
        for (int i = 0; i < Samples; i++)
        {
            s[i] = score(p.AsSpan(i * classes, classes), i);
            adversarial[i] = IsAdversarial(p.AsSpan(i * classes, classes), i);
        }
        return (s, adversarial, classes);
    }

    /// <summary>Whether a probability row is adversarial for the sample: its top class (first on ties) against the label or target.</summary>
    public bool IsAdversarial(ReadOnlySpan<float> p, int sample)
    {
        int top = 0;
        for (int c = 1; c < p.Length; c++)
            if (p[c] > p[top])
                top = c;
        return Targeted ? top == labels[sample] : top != labels[sample];
    }

    /// <summary>
    /// The margin loss on log-probabilities (equal to the logit margin): log p_y − max_{k≠y} log p_k,
    /// or max_{k≠t} log p_k − log p_t when targeted; it falls below zero where the row turns adversarial.
    /// </summary>
    public float Margin(ReadOnlySpan<float> p, int sample)
    {
        int label = (int)labels[sample];
        float other = 0f;
        for (int c = 0; c < p.Length; c++)
            if (c != label)
                other = Math.Max(other, p[c]);
        float own = MathF.Log(Math.Max(p[label], 1e-30f));
        float rest = MathF.Log(Math.Max(other, 1e-30f));
        return Targeted ? rest - own : own - rest;
    }

    /// <summary>The probability of the sample's label (its true class, or its target when targeted).</summary>
    public float LabelProbability(ReadOnlySpan<float> p, int sample) => p[(int)labels[sample]];

    /// <summary>Hands the per-sample counts to the run's result.</summary>
    public void Record() => context.RecordSampleQueries((long[])used.Clone());

    /// <summary>Wraps per-sample rows [Samples × Dimension] as a tensor of the chunk's shape.</summary>
    public Tensor ToTensor(float[] rows)
    {
        var shape = new int[sampleShape.Length + 1];
        shape[0] = Samples;
        sampleShape.CopyTo(shape, 1);
        return Tensor.FromArray(rows, shape);
    }
}

/// <summary>A per-row quantity an attack lowers, from a probability row and the sample it belongs to.</summary>
internal delegate float RowScore(ReadOnlySpan<float> probabilities, int sample);
