namespace Bulwark.Tests.Onnx;

/// <summary>Finds the shared ONNX backend test data and holds a temporary folder for one test's files.</summary>
internal sealed class OnnxTestFiles : IDisposable
{
    public OnnxTestFiles()
    {
        Folder = Path.Combine(Path.GetTempPath(), "bulwark-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>Writes bytes to a file in the temporary folder and returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The ONNX backend test suites, in the shared folder beside the repository root.</summary>
    public static string BackendTests(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bulwark.slnx")))
            {
                return Path.GetFullPath(Path.Combine([dir.FullName, "..", "shared", "onnx-backend-tests", .. parts]));
            }
        }
        throw new InvalidOperationException("Bulwark.slnx not found above " + AppContext.BaseDirectory);
    }
}
