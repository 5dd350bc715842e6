using System.CommandLine;
using System.Text.Json;
using Bulwark.Threats;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary><c>bulwark threats</c>: lists the threat catalogue (T1 to T15) with its taxonomy, OWASP and ATLAS ids.</summary>
internal static class ThreatsCommand
{
    public static Command Create(CliIO io)
    {
        var json = new Option<bool>("--json") { Description = "Print the whole catalogue as JSON on stdout." };
        var command = new Command("threats", "List the threat catalogue: id, name, Barreno axes, OWASP ML Top 10 and MITRE ATLAS ids, and whether Bulwark assesses it.")
        {
            json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(json))
            {
                WriteJson(io);
            }
            else
            {
                WriteHuman(io);
            }
            return CliApp.Ok;
        });
        return command;
    }

    private static void WriteJson(CliIO io)
    {
        io.Out.WriteLine(JsonSerializer.Serialize(ThreatCatalog.All.Select(t => new
        {
            id = t.Id.ToString(),
            name = t.Name,
            summary = t.Summary,
            when = t.WhenItStrikes,
            influence = Flags(t.Taxonomy.Influence, Influence.None),
            specificity = t.Taxonomy.Specificity.ToString().ToLowerInvariant(),
            violation = Flags(t.Taxonomy.Violation, Violation.None),
            owasp = t.OwaspMlTop10.Select(o => new { id = o, title = OwaspMlTop10.Titles[o] }),
            atlas = t.AtlasTechniques.Select(a => new { id = a, name = AtlasTechniques.Names[a] }),
            defences = t.Defences,
            assessable = t.AssessedBy.Assessable,
            assessed_by = t.AssessedBy.Description,
            doc = t.DocPath,
        })));
    }

    private static void WriteHuman(CliIO io)
    {
        // One id per line and the axes on words, so the table fits an 80-column terminal without breaking ids.
        var table = new Table()
            .AddColumn(new TableColumn("id").NoWrap())
            .AddColumn("threat")
            .AddColumn("Barreno axes")
            .AddColumn(new TableColumn("OWASP").NoWrap())
            .AddColumn(new TableColumn("ATLAS").NoWrap())
            .AddColumn("assessable");
        foreach (var t in ThreatCatalog.All)
        {
            var x = t.Taxonomy;
            string axes = string.Join("\n",
                Words(Flags(x.Influence, Influence.None)),
                x.Specificity.ToString().ToLowerInvariant(),
                Words(Flags(x.Violation, Violation.None)));
            table.AddRow(
                t.Id.ToString(),
                Markup.Escape(t.Name),
                Markup.Escape(axes),
                string.Join("\n", t.OwaspMlTop10),
                t.AtlasTechniques.Count == 0 ? "—" : string.Join("\n", t.AtlasTechniques),
                t.AssessedBy.Assessable ? "yes" : "not yet");
        }
        io.Console.Write(table);
        int assessable = ThreatCatalog.All.Count(t => t.AssessedBy.Assessable);
        io.Err.WriteLine($"{assessable} of {ThreatCatalog.All.Count} threats assessable now; details in docs/threats/ and with --json.");
    }

    private static string Words(string[] flags) => flags.Length == 0 ? "—" : string.Join(" + ", flags);

    private static string[] Flags<T>(T value, T none)
        where T : struct, Enum =>
        EqualityComparer<T>.Default.Equals(value, none)
            ? []
            : value.ToString().Split(", ").Select(w => w.ToLowerInvariant()).ToArray();
}
