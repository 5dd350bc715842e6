namespace Bulwark.Assessment.Reports;

/// <summary>Where Bulwark lives on the web, for the links reports carry.</summary>
public static class ProjectSite
{
    /// <summary>The project's home page (a placeholder until the project is published).</summary>
    public const string Home = "https://github.com/bulwark-ml/bulwark";

    /// <summary>The web address of a documentation page given relative to the repository root, such as "docs/threats/T7.md".</summary>
    public static string Doc(string repoPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repoPath);
        return $"{Home}/blob/main/{repoPath.TrimStart('/')}";
    }
}
