using System.Globalization;
using Bulwark.Assessment;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// Metadata or documentation strings longer than <see cref="ModelScanOptions.MaxStringLength"/>: room
/// for an encoded payload the signatures do not know, or for data that does not belong in a model.
/// </summary>
internal sealed class LongStringRule : IModelScanRule
{
    public string Id => "metadata-long-string";

    public IEnumerable<ModelScanFinding> Check(ModelScanContext context)
    {
        foreach (var (text, where) in context.Strings())
        {
            if (text.Length > context.Options.MaxStringLength)
            {
                yield return new ModelScanFinding(Severity.Low, Id, string.Create(CultureInfo.InvariantCulture, $"a {text.Length:N0}-character string, above the limit of {context.Options.MaxStringLength:N0}."), where);
            }
        }
    }
}
