using System.Globalization;
using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// Turns the label cells of a table or a JSONL file into class indices. When every label is a
/// whole number the numbers are the indices (class count: the largest plus one, or the one
/// given); otherwise each distinct label is a class, indexed in ordinal sorted order, and the
/// labels become the class names.
/// </summary>
internal static class ClassLabels
{
    /// <summary>The encoded labels, the class count and the class names (empty for integer labels).</summary>
    public static (long[] Labels, int ClassCount, string[] ClassNames) Encode(
        IReadOnlyList<string> raw, IReadOnlyList<string> places, string path, int? classCount)
    {
        var numbers = new long[raw.Count];
        bool integers = true;
        for (int i = 0; i < raw.Count && integers; i++)
        {
            integers = long.TryParse(raw[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numbers[i]);
        }
        if (integers)
        {
            long max = -1;
            for (int i = 0; i < numbers.Length; i++)
            {
                if (numbers[i] < 0 || (classCount is int c && numbers[i] >= c))
                {
                    throw new BulwarkInputException($"{path}: {places[i]}: label {numbers[i]} is outside [0, {(classCount is int k ? DataLimits.Num(k) : "∞")}).");
                }
                max = Math.Max(max, numbers[i]);
            }
            if (classCount is null && max >= int.MaxValue)
            {
                throw new BulwarkInputException($"{path}: label {max} is too large to be a class index.");
            }
            return (numbers, classCount ?? (int)(max + 1), []);
        }
        if (classCount is not null)
        {
            throw new BulwarkInputException($"{path}: the labels are not all whole numbers, so a class count cannot be given; names are indexed in sorted order.");
        }
        var names = raw.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            index[names[i]] = i;
        }
        var labels = new long[raw.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = index[raw[i]];
        }
        return (labels, names.Length, names);
    }
}
