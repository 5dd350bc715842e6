using System.Security.Cryptography;

namespace Bulwark;

/// <summary>The SHA-256 of a file, as Bulwark reports it everywhere (lowercase hex).</summary>
internal static class FileHash
{
    /// <summary>Reads the file at <paramref name="path"/> once and returns its SHA-256 in lowercase hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
