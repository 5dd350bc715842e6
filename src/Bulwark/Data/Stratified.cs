using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>A seeded split that keeps each class's share the same on both sides.</summary>
internal static class Stratified
{
    /// <summary>
    /// Sample indices for the training and the test part, each in ascending order: of every
    /// class, <paramref name="testFraction"/> of its samples (rounded, at least one when the class
    /// has two or more) go to the test part, chosen by one seeded permutation of all samples.
    /// </summary>
    public static (int[] Train, int[] Test) Split(IReadOnlyList<long> labels, int classCount, double testFraction, ulong seed, string name)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new BulwarkInputException($"dataset '{name}': test fraction {testFraction} is not in (0, 1).");
        }
        var perClass = new List<int>[classCount];
        for (int c = 0; c < classCount; c++)
        {
            perClass[c] = [];
        }
        foreach (int i in new Rng(seed).Permutation(labels.Count))
        {
            perClass[labels[i]].Add(i);
        }
        var train = new List<int>(labels.Count);
        var test = new List<int>(labels.Count);
        foreach (var members in perClass)
        {
            int k = (int)Math.Round(members.Count * testFraction, MidpointRounding.AwayFromZero);
            if (k == 0 && members.Count >= 2)
            {
                k = 1;
            }
            test.AddRange(members.Take(k));
            train.AddRange(members.Skip(k));
        }
        train.Sort();
        test.Sort();
        return (train.ToArray(), test.ToArray());
    }
}
