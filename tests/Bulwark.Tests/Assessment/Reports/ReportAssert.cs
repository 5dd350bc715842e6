using System.Globalization;
using System.Text;
using Bulwark.Tests.Attacks;

namespace Bulwark.Tests.Assessment.Reports;

/// <summary>
/// What every report writer's tests check: output equal to a committed snapshot byte for byte,
/// and the same bytes on a second run and under a culture with a decimal comma.
/// </summary>
internal static class ReportAssert
{
    /// <summary>Set to 1 to rewrite the snapshots in the source tree instead of comparing.</summary>
    public const string UpdateVariable = "BULWARK_UPDATE_SNAPSHOTS";

    private const string SnapshotFolder = "Assessment/Reports/Snapshots";

    /// <summary>The repository root (the folder holding Bulwark.slnx).</summary>
    public static string RepoRoot() => Path.GetDirectoryName(TrainedModels.RepoData())!;

    /// <summary>
    /// Compares <paramref name="actual"/> with the snapshot <paramref name="name"/> copied beside the
    /// tests, or rewrites the snapshot in tests/Bulwark.Tests/… when <see cref="UpdateVariable"/> is 1.
    /// </summary>
    public static void MatchesSnapshot(string name, byte[] actual)
    {
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            string source = Path.Combine(RepoRoot(), "tests", "Bulwark.Tests", SnapshotFolder, name);
            File.WriteAllBytes(source, actual);
            return;
        }
        string path = Path.Combine(AppContext.BaseDirectory, SnapshotFolder, name);
        Assert.True(File.Exists(path), $"snapshot {name} is missing; create it with {UpdateVariable}=1");
        byte[] expected = File.ReadAllBytes(path);
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            // Equal strings would say "line ends or encoding"; unequal ones show where they part.
            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
            Assert.Fail($"snapshot {name}: same text, different bytes (line ends or encoding?)");
        }
    }

    /// <summary>Renders twice, and once under de-DE, and asserts the three outputs are the same bytes.</summary>
    public static byte[] Deterministic(Func<byte[]> render)
    {
        byte[] first = render();
        Assert.Equal(first, render());
        Assert.Equal(first, InCulture("de-DE", () =>
        {
            Assert.Equal(",", CultureInfo.CurrentCulture.NumberFormat.NumberDecimalSeparator);
            return render();
        }));
        return first;
    }

    /// <summary>Runs <paramref name="action"/> with both current cultures set to <paramref name="culture"/>, then restores them.</summary>
    public static T InCulture<T>(string culture, Func<T> action)
    {
        var (saved, savedUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = savedUi;
        }
    }
}
