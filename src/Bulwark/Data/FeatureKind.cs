namespace Bulwark.Data;

/// <summary>What the features of a dataset are, which decides the attacks and defences that fit.</summary>
public enum FeatureKind
{
    /// <summary>Images, [N, C, H, W] (or [N, H·W] flattened), usually in [0, 1].</summary>
    Image,

    /// <summary>A table of numeric columns, [N, D].</summary>
    Tabular,

    /// <summary>Documents turned into vectors by a vectoriser, [N, D].</summary>
    Text,
}
