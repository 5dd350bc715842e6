using System.Text.Json;
using Bulwark.Cli;

namespace Bulwark.Cli.Tests;

public class ThreatsCommandTests
{
    [Fact]
    public void Json_lists_the_fifteen_threats_with_their_ids()
    {
        var (exit, stdout, stderr) = CliRunner.Run("threats", "--json");
        Assert.True(exit == CliApp.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        var threats = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(15, threats.Length);
        Assert.Equal(Enumerable.Range(1, 15).Select(i => $"T{i}"), threats.Select(t => t.GetProperty("id").GetString()));
        foreach (var t in threats)
        {
            Assert.NotEmpty(t.GetProperty("owasp").EnumerateArray());
            Assert.All(t.GetProperty("atlas").EnumerateArray(), a => Assert.StartsWith("AML.T", a.GetProperty("id").GetString(), StringComparison.Ordinal));
            Assert.False(string.IsNullOrEmpty(t.GetProperty("assessed_by").GetString()));
        }
        var assessable = threats.Where(t => t.GetProperty("assessable").GetBoolean()).Select(t => t.GetProperty("id").GetString());
        Assert.Equal(["T6", "T7", "T8"], assessable);
        var t7 = threats[6];
        Assert.Equal(["exploratory"], t7.GetProperty("influence").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("ML01", t7.GetProperty("owasp")[0].GetProperty("id").GetString());
        Assert.Equal("Input Manipulation Attack", t7.GetProperty("owasp")[0].GetProperty("title").GetString());
    }

    [Fact]
    public void Human_output_is_a_table_on_stderr()
    {
        var (exit, stdout, stderr) = CliRunner.Run("threats");
        Assert.Equal(CliApp.Ok, exit);
        Assert.Empty(stdout);
        Assert.Contains("T15", stderr, StringComparison.Ordinal);
        // Ids are never broken across lines, even at 80 columns.
        Assert.Contains("AML.T0043.000", stderr, StringComparison.Ordinal);
        Assert.Contains("AML.T0024.002", stderr, StringComparison.Ordinal);
        Assert.Contains("ML10", stderr, StringComparison.Ordinal);
        Assert.Contains("confidentiality", stderr, StringComparison.Ordinal);
        Assert.All(stderr.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 100, line));
        Assert.Contains("3 of 15 threats assessable", stderr, StringComparison.Ordinal);
    }
}
