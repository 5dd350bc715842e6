using System.Text.RegularExpressions;
using Bulwark.Tests.Data;
using Bulwark.Threats;

namespace Bulwark.Tests.Threats;

public partial class ThreatCatalogTests
{
    [GeneratedRegex(@"^AML\.T\d{4}(\.\d{3})?$")]
    private static partial Regex AtlasId();

    [GeneratedRegex(@"^ML(0[1-9]|10)$")]
    private static partial Regex OwaspId();

    [Fact]
    public void Holds_fifteen_threats_in_id_order_with_unique_ids()
    {
        Assert.Equal(15, ThreatCatalog.All.Count);
        Assert.Equal(Enum.GetValues<ThreatId>(), ThreatCatalog.All.Select(t => t.Id));
        Assert.Equal(15, ThreatCatalog.All.Select(t => t.Id).Distinct().Count());
        Assert.Equal(15, ThreatCatalog.All.Select(t => t.Name).Distinct().Count());
    }

    [Fact]
    public void Every_threat_has_an_owasp_id_and_well_formed_known_ids()
    {
        foreach (var t in ThreatCatalog.All)
        {
            Assert.NotEmpty(t.OwaspMlTop10);
            Assert.All(t.OwaspMlTop10, o => Assert.Matches(OwaspId(), o));
            Assert.All(t.OwaspMlTop10, o => Assert.True(OwaspMlTop10.Titles.ContainsKey(o), $"{t.Id}: {o} has no title"));
            Assert.All(t.AtlasTechniques, a => Assert.Matches(AtlasId(), a));
            Assert.All(t.AtlasTechniques, a => Assert.True(AtlasTechniques.Names.ContainsKey(a), $"{t.Id}: {a} has no name"));
            Assert.Equal(t.OwaspMlTop10.Count, t.OwaspMlTop10.Distinct().Count());
            Assert.Equal(t.AtlasTechniques.Count, t.AtlasTechniques.Distinct().Count());
        }
        Assert.Equal(10, OwaspMlTop10.Titles.Count);
        Assert.All(AtlasTechniques.Names.Keys, a => Assert.Matches(AtlasId(), a));
    }

    [Fact]
    public void Every_threat_has_text_defences_and_an_assessment()
    {
        foreach (var t in ThreatCatalog.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(t.Name));
            Assert.False(string.IsNullOrWhiteSpace(t.Summary));
            Assert.False(string.IsNullOrWhiteSpace(t.WhenItStrikes));
            Assert.NotEmpty(t.Defences);
            Assert.False(string.IsNullOrWhiteSpace(t.AssessedBy.Description));
        }
    }

    [Fact]
    public void Model_scan_and_evasion_threats_are_assessable_and_the_others_say_why_not()
    {
        var assessable = ThreatCatalog.All.Where(t => t.AssessedBy.Assessable).Select(t => t.Id).ToArray();
        Assert.Equal([ThreatId.T6, ThreatId.T7, ThreatId.T8], assessable);
        Assert.All(ThreatCatalog.All.Where(t => !t.AssessedBy.Assessable), t => Assert.StartsWith("not assessed yet", t.AssessedBy.Description, StringComparison.Ordinal));
    }

    [Fact]
    public void Taxonomy_follows_the_design_table()
    {
        Assert.Equal(new ThreatTaxonomy(Influence.Exploratory, Specificity.Both, Violation.Integrity), ThreatCatalog.Get(ThreatId.T7).Taxonomy);
        Assert.Equal(new ThreatTaxonomy(Influence.Exploratory, Specificity.Indiscriminate, Violation.Confidentiality), ThreatCatalog.Get(ThreatId.T11).Taxonomy);
        Assert.Equal(Influence.Causative | Influence.Exploratory, ThreatCatalog.Get(ThreatId.T15).Taxonomy.Influence);
        Assert.Equal("exploratory, both, integrity", ThreatCatalog.Get(ThreatId.T7).Taxonomy.ToString());
        Assert.Equal("causative, both, integrity/availability", ThreatCatalog.Get(ThreatId.T2).Taxonomy.ToString());
        Assert.All(ThreatCatalog.All.Where(t => t.Taxonomy.Violation.HasFlag(Violation.Confidentiality) && t.Id != ThreatId.T15),
            t => Assert.Equal(Influence.Exploratory, t.Taxonomy.Influence));
    }

    [Theory]
    [InlineData("T1", ThreatId.T1)]
    [InlineData("t7", ThreatId.T7)]
    [InlineData(" T15 ", ThreatId.T15)]
    public void Find_accepts_ids_in_either_case(string text, ThreatId expected) =>
        Assert.Equal(expected, ThreatCatalog.Find(text)?.Id);

    [Theory]
    [InlineData("")]
    [InlineData("T0")]
    [InlineData("T16")]
    [InlineData("T+1")]
    [InlineData("7")]
    [InlineData("ML01")]
    public void Find_returns_null_for_unknown_ids(string text) => Assert.Null(ThreatCatalog.Find(text));

    [Fact]
    public void Every_threat_has_its_doc_page_naming_its_ids()
    {
        string root = DataFiles.RepoRoot();
        Assert.True(File.Exists(Path.Combine(root, "docs", "threats", "README.md")));
        foreach (var t in ThreatCatalog.All)
        {
            string path = Path.Combine(root, t.DocPath);
            Assert.True(File.Exists(path), $"{t.Id}: {path} is missing");
            string text = File.ReadAllText(path);
            Assert.StartsWith($"# {t.Id}", text, StringComparison.Ordinal);
            Assert.All(t.OwaspMlTop10, o => Assert.Contains(o, text, StringComparison.Ordinal));
            Assert.All(t.AtlasTechniques, a => Assert.Contains(a, text, StringComparison.Ordinal));
        }
    }
}
