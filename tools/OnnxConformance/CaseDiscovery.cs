namespace Bulwark.Tools.OnnxConformance;

/// <summary>
/// Finds backend test cases: a folder holding <c>model.onnx</c> with <c>test_data_set_*</c>
/// folders is a case; a <c>light</c> folder holds whole networks as <c>light_*.onnx</c> with
/// <c>light_*_output_0.pb</c> beside them. Given the root of the test data, every suite below it.
/// </summary>
public static class CaseDiscovery
{
    /// <summary>Every case under <paramref name="root"/> (a suites folder, one suite, or one case), sorted.</summary>
    public static IReadOnlyList<ConformanceCase> Find(string root)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"no such folder: {root}");
        var cases = new List<ConformanceCase>();
        if (File.Exists(Path.Combine(root, "model.onnx")))
        {
            cases.Add(Case(Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(root))!) ?? "", root));
            return cases;
        }
        if (Directory.EnumerateFiles(root, "light_*.onnx").Any())
        {
            cases.AddRange(Light(root));
            return cases;
        }
        bool isSuite = Directory.EnumerateDirectories(root).Any(d => File.Exists(Path.Combine(d, "model.onnx")));
        var suites = isSuite ? [root] : Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal).ToArray();
        foreach (var suiteDir in suites)
        {
            string suite = Path.GetFileName(suiteDir.TrimEnd(Path.DirectorySeparatorChar));
            if (Directory.EnumerateFiles(suiteDir, "light_*.onnx").Any())
            {
                cases.AddRange(Light(suiteDir));
                continue;
            }
            foreach (var dir in Directory.EnumerateDirectories(suiteDir).Order(StringComparer.Ordinal))
                if (File.Exists(Path.Combine(dir, "model.onnx")))
                    cases.Add(Case(suite, dir));
        }
        return cases;
    }

    private static ConformanceCase Case(string suite, string dir)
    {
        var sets = Directory.EnumerateDirectories(dir, "test_data_set_*")
            .Order(StringComparer.Ordinal)
            .Select(d => new ConformanceDataSet(Numbered(d, "input_"), Numbered(d, "output_"), false))
            .ToArray();
        return new ConformanceCase(suite, Path.GetFileName(dir), Path.Combine(dir, "model.onnx"), sets);
    }

    private static IEnumerable<ConformanceCase> Light(string dir)
    {
        string suite = Path.GetFileName(dir.TrimEnd(Path.DirectorySeparatorChar));
        foreach (var model in Directory.EnumerateFiles(dir, "light_*.onnx").Order(StringComparer.Ordinal))
        {
            string stem = Path.Combine(dir, Path.GetFileNameWithoutExtension(model));
            var outputs = new List<string>();
            for (int i = 0; File.Exists($"{stem}_output_{i}.pb"); i++)
                outputs.Add($"{stem}_output_{i}.pb");
            yield return new ConformanceCase(suite, Path.GetFileNameWithoutExtension(model), model, [new ConformanceDataSet([], outputs, true)]);
        }
    }

    private static string[] Numbered(string dir, string prefix)
    {
        var files = new List<string>();
        for (int i = 0; File.Exists(Path.Combine(dir, $"{prefix}{i}.pb")); i++)
            files.Add(Path.Combine(dir, $"{prefix}{i}.pb"));
        return [.. files];
    }
}
