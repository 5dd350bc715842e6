using System.IO.Compression;
using System.Text;
using Bulwark.Engine;

namespace Bulwark.Tests.Data;

/// <summary>A fresh folder for one test's files, deleted afterwards; also finds the repository's data and the shared datasets.</summary>
internal sealed class DataFiles : IDisposable
{
    public DataFiles()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bulwark-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Writes <paramref name="text"/> gzipped.</summary>
    public string WriteGzip(string name, string text) => Write(name, Gzip(Encoding.UTF8.GetBytes(text)));

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

    public static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(raw);
        }
        return ms.ToArray();
    }

    public static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(System.IO.File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
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

    /// <summary>The repository's bundled data folder.</summary>
    public static string Bundled(params string[] parts) => System.IO.Path.Combine([RepoRoot(), "data", .. parts]);

    /// <summary>The shared datasets, a sibling of the repository root.</summary>
    public static string Shared(params string[] parts) =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine([RepoRoot(), "..", "shared", "datasets", .. parts]));

    /// <summary>Asserts that <paramref name="load"/> fails with an input error whose message contains every fragment.</summary>
    public static BulwarkInputException Refused(Action load, params string[] fragments)
    {
        var ex = Assert.Throws<BulwarkInputException>(load);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        }
        return ex;
    }
}
