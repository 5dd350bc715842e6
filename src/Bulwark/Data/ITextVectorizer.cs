using Bulwark.Models;

namespace Bulwark.Data;

/// <summary>
/// Turns documents into fixed-width feature rows. Fitted once, it transforms any later text the
/// same way, so an attack can edit a document (add words, say) and re-vectorise it.
/// </summary>
public interface ITextVectorizer
{
    /// <summary>The width D of a feature row.</summary>
    int FeatureCount { get; }

    /// <summary>The box every feature value lies in.</summary>
    InputBounds Bounds { get; }

    /// <summary>Writes the feature row of <paramref name="text"/> into <paramref name="row"/> (length <see cref="FeatureCount"/>).</summary>
    void Transform(string text, Span<float> row);
}
