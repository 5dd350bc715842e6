using Bulwark.Data;
using Bulwark.Engine;

namespace Bulwark.Cli;

/// <summary>
/// What <c>--data</c> of the attack commands names: a .npz with x and y, a folder of IDX files
/// (its test part), or a built-in image dataset (its test part).
/// </summary>
internal static class AttackData
{
    public static Dataset Load(string source)
    {
        if (Directory.Exists(source))
        {
            if (!IdxDatasetLoader.IsIdxFolder(source))
                throw new BulwarkInputException($"{source}: the folder holds no IDX train/test files; give a .npz with x and y");
            return IdxDatasetLoader.LoadFolder(source).Test;
        }
        if (File.Exists(source))
            return NpzDatasetLoader.Load(source);
        if (BuiltInDatasets.Contains(source))
        {
            var test = BuiltInDatasets.Load(source).Test;
            if (test.Info.Kind == FeatureKind.Text)
                throw new BulwarkInputException($"'{source}' is a text dataset; image and tabular attacks need numeric features (use the good-word attack for text)");
            return test;
        }
        throw new BulwarkInputException($"--data '{source}' is neither a file, an IDX folder nor a built-in dataset ({string.Join(", ", BuiltInDatasets.Names)})");
    }
}
