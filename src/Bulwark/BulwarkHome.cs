namespace Bulwark;

/// <summary>
/// Bulwark's folder under the user's data folder (scan history, cached demo models):
/// <c>$BULWARK_HOME</c> when set, otherwise <c>bulwark/</c> under the local application-data folder
/// (<c>~/.local/share/bulwark</c> on Linux).
/// </summary>
public static class BulwarkHome
{
    /// <summary>The environment variable that moves the folder (tests and CI point it at a temporary folder).</summary>
    public const string Variable = "BULWARK_HOME";

    /// <summary>The folder; not created until something is written to it.</summary>
    public static string Directory => For(
        Environment.GetEnvironmentVariable(Variable),
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify));

    /// <summary>The folder for a given <c>$BULWARK_HOME</c> (null or blank when unset) and local application-data folder.</summary>
    internal static string For(string? home, string localApplicationData)
    {
        if (!string.IsNullOrWhiteSpace(home))
            return home;
        if (string.IsNullOrEmpty(localApplicationData))
            localApplicationData = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(localApplicationData, "bulwark");
    }
}
