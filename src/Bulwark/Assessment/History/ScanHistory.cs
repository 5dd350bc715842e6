using System.Globalization;
using Bulwark.Engine;
using Microsoft.Data.Sqlite;

namespace Bulwark.Assessment.History;

/// <summary>
/// The scans of a machine, kept in one SQLite file, so that a scan can be compared with the one
/// before it. Every call opens its own short-lived connection (nothing to dispose); the file is in
/// WAL mode with a busy timeout, a recording is one write transaction, and a transaction that
/// still meets a lock is retried with bounded backoff, so that several threads and processes can
/// record into one file at once. Recording a scan id twice is an error: the id is derived from
/// the scan's start time, settings and models, so a second recording is a mistake, never a new scan.
/// Every failure the user can act on (missing, damaged or foreign file, unknown or ambiguous scan,
/// a lock that does not clear) is a <see cref="BulwarkInputException"/> naming the file.
/// </summary>
public sealed class ScanHistory
{
    /// <summary>Characters of a scan id that may stand for it.</summary>
    public const int MinimumIdPrefix = 6;

    private readonly TimeSpan lockWait;
    private readonly int attempts;

    private ScanHistory(string path, TimeSpan lockWait, int attempts)
    {
        Path = path;
        this.lockWait = lockWait;
        this.attempts = attempts;
    }

    private ScanHistory(string path)
        : this(path, TimeSpan.FromSeconds(10), 4)
    {
    }

    /// <summary>The database file (full path).</summary>
    public string Path { get; }

    /// <summary>
    /// Where the history lives unless told otherwise: <c>$BULWARK_HOME/history.db</c> when the
    /// variable is set, else <c>bulwark/history.db</c> under the user's local application data folder.
    /// </summary>
    public static string DefaultPath => System.IO.Path.Combine(BulwarkHome.Directory, "history.db");

    internal static string PathFor(string? bulwarkHome, string localApplicationData) =>
        System.IO.Path.Combine(BulwarkHome.For(bulwarkHome, localApplicationData), "history.db");

    /// <summary>Opens the history at <paramref name="path"/>, creating the file, its folders and tables when missing.</summary>
    public static ScanHistory Open(string path)
    {
        var history = new ScanHistory(FullPath(path));
        try
        {
            var folder = System.IO.Path.GetDirectoryName(history.Path);
            if (!string.IsNullOrEmpty(folder))
                Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BulwarkInputException($"scan history {history.Path}: cannot create its folder ({e.Message})", e);
        }
        history.Run(c => HistorySchema.Ensure(c, history.Path), create: true);
        return history;
    }

    /// <summary>Opens the history at <paramref name="path"/>, which must exist.</summary>
    public static ScanHistory OpenExisting(string path)
    {
        var full = FullPath(path);
        if (!File.Exists(full))
            throw new BulwarkInputException($"scan history {full}: no such file (nothing has been recorded there yet; --db names another history)");
        var history = new ScanHistory(full);
        history.Run(c => HistorySchema.Ensure(c, full));
        return history;
    }

    /// <summary>
    /// The same history with another patience: each statement waits up to <paramref name="wait"/>
    /// for another writer's lock, and an operation that still meets one is tried
    /// <paramref name="tries"/> times in all. The default is 10 s and 4 tries.
    /// </summary>
    internal ScanHistory WithLockWait(TimeSpan wait, int tries) => new(Path, wait, tries);

    /// <summary>Records <paramref name="report"/> (and its full JSON, when given) and returns its sequence number.</summary>
    /// <exception cref="BulwarkInputException">The scan id is already recorded, or the file cannot be written.</exception>
    public long Record(ScanReport report, string? reportJson = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        string id = report.Id;
        return Run(c =>
        {
            using var transaction = c.BeginTransaction(deferred: false);
            using var existing = HistoryRows.Command(c, "SELECT seq FROM scans WHERE id = $p0", id);
            existing.Transaction = transaction;
            if (existing.ExecuteScalar() is long seq)
                throw new BulwarkInputException($"scan history {Path}: scan {id} is already recorded, as #{seq}");
            long added = HistoryRows.Insert(c, transaction, report, reportJson);
            transaction.Commit();
            return added;
        });
    }

    /// <summary>
    /// The latest <paramref name="limit"/> scans, newest first (by start time, then sequence), of
    /// every model or only of <paramref name="model"/> (a model key such as <c>sha256:…</c>, or a target name).
    /// </summary>
    public IReadOnlyList<ScanSummary> List(int limit = 50, string? model = null)
    {
        if (limit < 1)
            throw new BulwarkInputException($"scan history: the limit must be at least 1, not {limit}");
        return Run(c =>
        {
            using var command = HistoryRows.Command(c, """
                SELECT seq FROM scans s
                WHERE $p0 IS NULL OR EXISTS (SELECT 1 FROM targets t WHERE t.scan = s.seq AND (t.model_key = $p0 OR t.name = $p0))
                ORDER BY started_utc DESC, seq DESC LIMIT $p1
                """, model, limit);
            return Sequences(command).Select(seq => Load(c, seq).Summary).ToArray();
        });
    }

    /// <summary>
    /// Compares scan <paramref name="before"/> with scan <paramref name="after"/>. Each is a
    /// sequence number (<c>12</c> or <c>#12</c>), a scan id, or at least <see cref="MinimumIdPrefix"/>
    /// leading hex digits of one that no other id shares.
    /// </summary>
    public ScanComparison Diff(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return Run(c => Compare(c, Resolve(c, before), Resolve(c, after)));
    }

    /// <summary>
    /// Compares the newest scan with the one before it of the same model, or null when there are
    /// not two such scans. With <paramref name="model"/> (a model key or a target name), the two
    /// newest scans of that model; without, the newest scan of all and the newest earlier scan that
    /// shares a model key with it, else a target name (a retrained model keeps its name, not its hash).
    /// </summary>
    public ScanComparison? DiffLatest(string? model = null) => Run(c =>
    {
        // $p0 is the newest scan once found, $p1 the model asked for.
        const string OfModel = "(t.model_key = $p1 OR t.name = $p1)";
        const string SharesKey = "t.model_key IN (SELECT model_key FROM targets WHERE scan = $p0)";
        const string SharesName = "t.name IN (SELECT name FROM targets WHERE scan = $p0)";
        const string Before = "(s.started_utc, s.seq) < (SELECT started_utc, seq FROM scans WHERE seq = $p0)";
        long latest = Newest(c, model is null ? "1" : Having(OfModel), 0, model);
        if (latest == 0)
            return null;
        string[] candidates = model is null ? [SharesKey, SharesName] : [OfModel];
        foreach (var condition in candidates)
        {
            long earlier = Newest(c, $"{Before} AND {Having(condition)}", latest, model);
            if (earlier != 0)
                return Compare(c, earlier, latest);
        }
        return null;
    });

    private static string Having(string targetCondition) => $"EXISTS (SELECT 1 FROM targets t WHERE t.scan = s.seq AND {targetCondition})";

    /// <summary>The newest scan (by start, then number) that meets <paramref name="condition"/>, or 0.</summary>
    private static long Newest(SqliteConnection c, string condition, long p0, string? p1)
    {
        using var command = HistoryRows.Command(c, $"SELECT s.seq FROM scans s WHERE {condition} ORDER BY s.started_utc DESC, s.seq DESC LIMIT 1", p0, p1);
        return Sequences(command).FirstOrDefault();
    }

    private ScanComparison Compare(SqliteConnection c, long before, long after)
    {
        var (b, a) = (Load(c, before), Load(c, after));
        return new ScanComparison(b.Summary, a.Summary, ScanComparer.Compare(b.Report, a.Report));
    }

    /// <summary>Scan <paramref name="seq"/> read back, and its summary under the id it was recorded with.</summary>
    private (ScanReport Report, ScanSummary Summary) Load(SqliteConnection c, long seq)
    {
        ScanReport report;
        try
        {
            report = HistoryRows.Load(c, seq) ?? throw new BulwarkInputException($"scan history {Path}: no scan #{seq}");
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidCastException or OverflowException)
        {
            throw new BulwarkInputException($"scan history {Path}: scan #{seq} has a malformed row ({e.Message})", e);
        }
        using var id = HistoryRows.Command(c, "SELECT id FROM scans WHERE seq = $p0", seq);
        return (report, ScanSummary.Of(seq, report) with { Id = (string)id.ExecuteScalar()! });
    }

    /// <summary>The sequence number that <paramref name="reference"/> stands for; see <see cref="Diff"/>.</summary>
    private long Resolve(SqliteConnection c, string reference)
    {
        string r = reference.Trim();
        string digits = r.StartsWith('#') ? r[1..] : r;
        bool numeric = digits.Length > 0 && digits.All(char.IsAsciiDigit);
        if (r.StartsWith('#') || r.Length < MinimumIdPrefix)
            return numeric && Numbered(c, digits) is { } seq ? seq : throw Unknown(r);
        if (!r.All(char.IsAsciiHexDigit))
            throw Unknown(r);
        using var command = HistoryRows.Command(c, "SELECT seq, id FROM scans WHERE id LIKE $p0 || '%' ORDER BY seq LIMIT 6", r.ToLowerInvariant());
        var matches = new List<(long Seq, string Id)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                matches.Add((reader.GetInt64(0), reader.GetString(1)));
        }
        return matches.Count switch
        {
            1 => matches[0].Seq,
            > 1 => throw new BulwarkInputException(
                $"scan history {Path}: '{r}' is the start of {(matches.Count > 5 ? "more than 5" : matches.Count.ToString(CultureInfo.InvariantCulture))} scan ids " +
                $"({string.Join(", ", matches.Take(5).Select(m => $"#{m.Seq} {m.Id}"))}); give more of the id"),
            _ => numeric && Numbered(c, digits) is { } seq ? seq : throw Unknown(r),
        };
    }

    private static long? Numbered(SqliteConnection c, string digits)
    {
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long seq))
            return null;
        using var command = HistoryRows.Command(c, "SELECT seq FROM scans WHERE seq = $p0", seq);
        return command.ExecuteScalar() as long?;
    }

    private BulwarkInputException Unknown(string reference) => new(
        $"scan history {Path}: no scan '{reference}' (give a number from 'bulwark history' or at least {MinimumIdPrefix} hex digits of a scan id)");

    private static List<long> Sequences(SqliteCommand command)
    {
        var list = new List<long>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
            list.Add(reader.GetInt64(0));
        return list;
    }

    private static string FullPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new BulwarkInputException("scan history: the database path is empty");
        return System.IO.Path.GetFullPath(path);
    }

    private void Run(Action<SqliteConnection> work, bool create = false) => Run(c => { work(c); return 0; }, create);

    /// <summary>
    /// Runs <paramref name="work"/> on a fresh connection; when the file stays locked past the
    /// busy timeout, runs it again after a growing, jittered pause, a bounded number of times.
    /// </summary>
    private T Run<T>(Func<SqliteConnection, T> work, bool create = false)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
                {
                    DataSource = Path,
                    Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
                    Pooling = false,
                    DefaultTimeout = Math.Max(1, (int)lockWait.TotalSeconds),
                }.ToString());
                connection.Open();
                using (var setup = HistoryRows.Command(connection, Invariant($"PRAGMA busy_timeout = {(long)lockWait.TotalMilliseconds}; PRAGMA foreign_keys = ON;")))
                    setup.ExecuteNonQuery();
                return work(connection);
            }
            catch (SqliteException e) when (IsBusy(e) && attempt < attempts)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(1000, 25 << attempt) * (0.5 + Random.Shared.NextDouble())));
            }
            catch (SqliteException e) when (IsBusy(e))
            {
                throw new BulwarkInputException(Invariant($"scan history {Path}: still locked by another writer after {attempts} tries of {lockWait.TotalSeconds:0.#} s; try again"), e);
            }
            catch (SqliteException e) when (Translate(e) is { } error)
            {
                throw error;
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static bool IsBusy(SqliteException e) => e.SqliteErrorCode is 5 or 6; // SQLITE_BUSY, SQLITE_LOCKED

    /// <summary>The user's side of SQLite's errors: a file that is not a database, damaged, unreadable or read-only.</summary>
    private BulwarkInputException? Translate(SqliteException e) => e.SqliteErrorCode switch
    {
        26 => new($"scan history {Path}: not a database (file is not a SQLite file, or its header is damaged)", e),
        11 => new($"scan history {Path}: the database is damaged ({e.Message})", e),
        14 => new($"scan history {Path}: cannot open the file ({e.Message})", e),
        8 => new($"scan history {Path}: the file is read-only", e),
        3 or 10 or 13 or 23 => new($"scan history {Path}: {e.Message}", e),
        _ => null,
    };
}
