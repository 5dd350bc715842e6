namespace Bulwark.Engine.Tests.IO;

/// <summary>A fresh folder for one test's files, deleted afterwards; also finds the repository's shared data.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bulwark-io-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The full path of a file in this folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes bytes to a file in this folder and returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The names of every file in the folder (temporary files included).</summary>
    public string[] Names() => [.. Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal)!];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The folder holding Bulwark.slnx, found by walking up from the test binaries.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "Bulwark.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Bulwark.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The shared data folder, a sibling of the repository root.</summary>
    public static string Shared(params string[] parts) =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine([RepoRoot(), "..", "shared", .. parts]));
}
