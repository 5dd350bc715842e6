using Bulwark.Assessment;
using Bulwark.Assessment.History;
using Bulwark.Engine;
using Bulwark.Tests.Data;
using Microsoft.Data.Sqlite;

namespace Bulwark.Tests.Assessment.History;

public class ScanHistoryTests
{
    [Fact]
    public void Open_creates_folders_and_a_wal_database_once()
    {
        using var files = new DataFiles();
        string path = files.File(Path.Combine("a", "b", "history.db"));
        ScanHistory.Open(path);
        var history = ScanHistory.Open(path);
        Assert.Equal(path, history.Path);
        Assert.True(File.Exists(path));
        Assert.Equal("wal", Pragma(path, "journal_mode"));
        Assert.Equal(1L, Pragma(path, "user_version"));
        Assert.Empty(history.List());
    }

    [Fact]
    public void Record_then_list_gives_the_scans_newest_first_with_their_counts()
    {
        using var files = new DataFiles();
        var history = ScanHistory.Open(files.File("history.db"));
        var first = SampleReports.Full();
        var second = HistorySamples.Rescanned(first);
        Assert.Equal(1, history.Record(first));
        Assert.Equal(2, history.Record(second, "{\"json\": true}"));

        var list = history.List();
        Assert.Equal([2L, 1L], list.Select(s => s.Sequence));
        var older = list[1];
        Assert.Equal(first.Id, older.Id);
        Assert.Equal(first.StartedUtc, older.StartedUtc);
        Assert.Equal("standard", older.Budget);
        Assert.Equal("0.1.0", older.ToolVersion);
        Assert.Equal(TimeSpan.FromSeconds(42.5), older.Duration);
        Assert.Equal([new HistoryTarget("fmnist-cnn", "sha256:" + new string('a', 64)), new HistoryTarget("spam-filter", "name:spam-filter")], older.Targets);
        Assert.Equal(Severity.High, older.Highest);
        Assert.Equal(new FindingCounts(High: 1, Medium: 1, Low: 1, Info: 0, NotAssessed: 26, Errors: 1), older.Counts);
        Assert.Equal(new FindingCounts(High: 2, Medium: 0, Low: 1, Info: 0, NotAssessed: 26, Errors: 1), list[0].Counts);

        Assert.Equal([2L], history.List(limit: 1).Select(s => s.Sequence));
        Assert.Equal(2, history.List(model: "spam-filter").Count);
        Assert.Equal(2, history.List(model: "sha256:" + new string('a', 64)).Count);
        Assert.Empty(history.List(model: "name:other"));
        Assert.Throws<BulwarkInputException>(() => history.List(limit: 0));
        Assert.Equal("{\"json\": true}", Query(history.Path, "SELECT report_json FROM scans WHERE seq = 2"));
        Assert.Equal(DBNull.Value, Query(history.Path, "SELECT report_json FROM scans WHERE seq = 1"));
    }

    [Fact]
    public void A_scan_read_back_compares_unchanged_with_itself()
    {
        using var files = new DataFiles();
        var history = ScanHistory.Open(files.File("history.db"));
        history.Record(SampleReports.Full());
        var same = history.Diff("1", "#1");
        Assert.NotEmpty(same.Changes);
        Assert.All(same.Changes, c => Assert.Equal(ChangeKind.Unchanged, c.Kind));
        Assert.Contains(same.Changes, c => c.Subject == "median_linf" && c.Text.Contains("undefined in both", StringComparison.Ordinal));
    }

    [Fact]
    public void Diff_says_what_got_better_and_what_got_worse()
    {
        using var files = new DataFiles();
        var history = HistorySamples.TwoScans(files.File("history.db"));

        var diff = history.Diff("1", "2");
        Assert.Equal(1, diff.Before.Sequence);
        Assert.Equal(2, diff.After.Sequence);
        Assert.Equal(1, diff.Count(ChangeKind.Better));
        Assert.Equal(2, diff.Count(ChangeKind.Worse));
        Assert.Equal(0, diff.Count(ChangeKind.New) + diff.Count(ChangeKind.Gone) + diff.Count(ChangeKind.Changed));

        var robust = Assert.Single(diff.Changes, c => c.Subject == "robust_accuracy");
        Assert.Equal(ChangeKind.Better, robust.Kind);
        Assert.Equal("fmnist-cnn", robust.Target);
        Assert.Equal(Bulwark.Threats.ThreatId.T7, robust.Threat);
        Assert.Equal(0.12, robust.Delta!.Value, 1e-12);
        Assert.Equal("fraction", robust.Unit);
        Assert.Equal("robust accuracy at ε = 0.1 (L∞) rose 12.0 points (0.05 → 0.17)", robust.Text);

        var success = Assert.Single(diff.Changes, c => c.Subject == "success_rate");
        Assert.Equal(ChangeKind.Worse, success.Kind);
        Assert.Contains("rose 8.0 points (0.62 → 0.7)", success.Text, StringComparison.Ordinal);

        var severity = Assert.Single(diff.Differences, c => c.Subject == "severity");
        Assert.Equal((ChangeKind.Worse, "spam-filter", "medium", "high"), (severity.Kind, severity.Target, severity.Before, severity.After));

        var back = history.Diff("2", "1");
        var dropped = Assert.Single(back.Changes, c => c.Subject == "robust_accuracy");
        Assert.Equal(ChangeKind.Worse, dropped.Kind);
        Assert.Contains("dropped 12.0 points", dropped.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_latest_takes_the_newest_scan_and_the_previous_of_the_same_model()
    {
        using var files = new DataFiles();
        var history = ScanHistory.Open(files.File("history.db"));
        Assert.Null(history.DiffLatest());
        var first = SampleReports.Full();
        history.Record(first);
        Assert.Null(history.DiffLatest());

        // Recorded last but started earliest: it is the oldest scan, not the newest.
        var other = first with { StartedUtc = first.StartedUtc.AddDays(-3), Targets = [first.Targets[1] with { Name = "other" }] };
        history.Record(HistorySamples.Rescanned(first));
        history.Record(other);

        var latest = history.DiffLatest();
        Assert.NotNull(latest);
        Assert.Equal((1L, 2L), (latest.Before.Sequence, latest.After.Sequence));
        Assert.Equal(1, latest.Count(ChangeKind.Better));

        var byName = history.DiffLatest("spam-filter");
        Assert.Equal((1L, 2L), (byName!.Before.Sequence, byName.After.Sequence));
        Assert.Null(history.DiffLatest("other"));
        Assert.Null(history.DiffLatest("no-such-model"));
    }

    [Fact]
    public void Scans_are_found_by_number_id_or_unique_id_prefix()
    {
        using var files = new DataFiles();
        var history = HistorySamples.TwoScans(files.File("history.db"));
        var a = SampleReports.Full();
        var b = HistorySamples.Rescanned(a);

        Assert.Equal(2, history.Diff(a.Id, b.Id).After.Sequence);
        Assert.Equal(2, history.Diff(a.Id[..6], b.Id[..7].ToUpperInvariant()).After.Sequence);
        Assert.Equal(1, history.Diff(" #2 ", "1").After.Sequence);

        var unknown = Assert.Throws<BulwarkInputException>(() => history.Diff("1", "ffffffffff"));
        Assert.Contains(history.Path, unknown.Message, StringComparison.Ordinal);
        Assert.Contains("'ffffffffff'", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => history.Diff("1", "3"));
        Assert.Throws<BulwarkInputException>(() => history.Diff("1", "abc"));
        Assert.Throws<BulwarkInputException>(() => history.Diff("1", "zzzzzzzz"));
        Assert.Throws<BulwarkInputException>(() => history.Diff("1", ""));

        // Two ids that share their first six digits: six are ambiguous, seven are not.
        Query(history.Path, "UPDATE scans SET id = 'abcdef' || substr(id, 7)");
        string second = (string)Query(history.Path, "SELECT id FROM scans WHERE seq = 2")!;
        var ambiguous = Assert.Throws<BulwarkInputException>(() => history.Diff("abcdef", "1"));
        Assert.Contains("#1 abcdef", ambiguous.Message, StringComparison.Ordinal);
        Assert.Contains("#2 abcdef", ambiguous.Message, StringComparison.Ordinal);
        Assert.Contains(history.Path, ambiguous.Message, StringComparison.Ordinal);
        if (second[6] != ((string)Query(history.Path, "SELECT id FROM scans WHERE seq = 1")!)[6])
            Assert.Equal(2, history.Diff("1", second[..7]).After.Sequence);
        Assert.Equal(second, history.Diff("1", second).After.Id);
    }

    [Fact]
    public void Recording_a_scan_twice_is_an_error_naming_the_first_recording()
    {
        using var files = new DataFiles();
        var history = ScanHistory.Open(files.File("history.db"));
        var report = SampleReports.Full();
        history.Record(report);
        var e = Assert.Throws<BulwarkInputException>(() => history.Record(report));
        Assert.Contains(report.Id, e.Message, StringComparison.Ordinal);
        Assert.Contains("#1", e.Message, StringComparison.Ordinal);
        Assert.Single(history.List());
    }

    [Fact]
    public async Task A_writer_waits_out_a_short_lock_and_gives_up_clearly_on_one_that_stays()
    {
        using var files = new DataFiles();
        var history = ScanHistory.Open(files.File("history.db")).WithLockWait(TimeSpan.FromSeconds(1), tries: 2);
        using var other = Connection(history.Path);
        using (other.BeginTransaction(deferred: false))
        {
            var e = Assert.Throws<BulwarkInputException>(() => history.Record(SampleReports.Full()));
            Assert.Contains(history.Path, e.Message, StringComparison.Ordinal);
            Assert.Contains("still locked by another writer after 2 tries", e.Message, StringComparison.Ordinal);
        }

        // A writer with a long lock wait, started while the lock is held and released without a
        // sleep: it records once the other transaction commits, however loaded the machine is.
        using var held = other.BeginTransaction(deferred: false);
        var patient = history.WithLockWait(TimeSpan.FromMinutes(1), tries: 1);
        var writer = Task.Run(() => patient.Record(SampleReports.Full()));
        held.Commit();
        Assert.Equal(1, await writer);
    }

    [Fact]
    public void Files_that_are_not_a_history_are_input_errors_naming_the_path()
    {
        using var files = new DataFiles();
        string garbage = files.Write("garbage.db", System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("this is not a database. ", 200))));
        var e = Assert.Throws<BulwarkInputException>(() => ScanHistory.Open(garbage));
        Assert.Contains(garbage, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a database", e.Message, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => ScanHistory.OpenExisting(garbage));

        string missing = files.File("missing.db");
        var none = Assert.Throws<BulwarkInputException>(() => ScanHistory.OpenExisting(missing));
        Assert.Contains(missing, none.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));

        string foreign = files.File("foreign.db");
        Query(foreign, "CREATE TABLE notes (text TEXT)", create: true);
        var other = Assert.Throws<BulwarkInputException>(() => ScanHistory.Open(foreign));
        Assert.Contains(foreign, other.Message, StringComparison.Ordinal);

        string newer = files.File("newer.db");
        ScanHistory.Open(newer);
        Query(newer, "PRAGMA user_version = 9");
        Assert.Contains("newer Bulwark", Assert.Throws<BulwarkInputException>(() => ScanHistory.OpenExisting(newer)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_path_follows_bulwark_home_else_the_local_data_folder()
    {
        string home = Path.Combine("x", "home");
        string local = Path.Combine("y", "local");
        Assert.Equal(Path.Combine(home, "history.db"), ScanHistory.PathFor(home, local));
        Assert.Equal(Path.Combine(local, "bulwark", "history.db"), ScanHistory.PathFor(null, local));
        Assert.Equal(Path.Combine(local, "bulwark", "history.db"), ScanHistory.PathFor(" ", local));
    }

    private static object? Pragma(string path, string name) => Query(path, "PRAGMA " + name);

    /// <summary>Runs one statement on the file directly, as another tool would.</summary>
    internal static object? Query(string path, string sql, bool create = false)
    {
        using var connection = Connection(path, create);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static SqliteConnection Connection(string path, bool create = false)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }
}
