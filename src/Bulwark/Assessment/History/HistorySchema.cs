using System.Globalization;
using Bulwark.Engine;
using Microsoft.Data.Sqlite;

namespace Bulwark.Assessment.History;

/// <summary>
/// The tables of a scan history and their version. The file says what it is with
/// <c>PRAGMA application_id</c> and which schema it has with <c>PRAGMA user_version</c>; creating
/// or upgrading happens inside one write transaction, so that processes opening a new file at
/// the same moment create it once.
/// </summary>
internal static class HistorySchema
{
    /// <summary>"BWKH" as a big-endian integer: marks the file as a Bulwark scan history.</summary>
    public const int ApplicationId = 0x42574B48;

    /// <summary>The schema this version writes and reads.</summary>
    public const int Version = 1;

    private const string Tables = """
        CREATE TABLE IF NOT EXISTS scans (
            seq          INTEGER PRIMARY KEY AUTOINCREMENT,
            id           TEXT NOT NULL UNIQUE,
            started_utc  TEXT NOT NULL,
            duration_s   REAL NOT NULL,
            budget       TEXT NOT NULL,
            seed         TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            threats      TEXT NOT NULL,
            recorded_utc TEXT NOT NULL,
            report_json  TEXT
        );
        CREATE INDEX IF NOT EXISTS scans_by_start ON scans (started_utc, seq);
        CREATE TABLE IF NOT EXISTS targets (
            scan         INTEGER NOT NULL REFERENCES scans (seq) ON DELETE CASCADE,
            position     INTEGER NOT NULL,
            name         TEXT NOT NULL,
            model_key    TEXT NOT NULL,
            model_sha256 TEXT,
            model_path   TEXT,
            endpoint     TEXT,
            access       TEXT NOT NULL,
            modality     TEXT NOT NULL,
            data_name    TEXT NOT NULL,
            samples      INTEGER NOT NULL,
            class_count  INTEGER NOT NULL,
            input_shape  TEXT NOT NULL,
            PRIMARY KEY (scan, position)
        );
        CREATE INDEX IF NOT EXISTS targets_by_model ON targets (model_key);
        CREATE INDEX IF NOT EXISTS targets_by_name ON targets (name);
        CREATE TABLE IF NOT EXISTS findings (
            scan          INTEGER NOT NULL,
            target        INTEGER NOT NULL,
            position      INTEGER NOT NULL,
            threat        TEXT NOT NULL,
            scenario      TEXT,
            status        TEXT NOT NULL,
            severity      TEXT,
            title         TEXT NOT NULL,
            severity_rule TEXT,
            reason        TEXT,
            duration_s    REAL NOT NULL,
            PRIMARY KEY (scan, target, position),
            FOREIGN KEY (scan, target) REFERENCES targets (scan, position) ON DELETE CASCADE
        );
        CREATE TABLE IF NOT EXISTS metrics (
            scan      INTEGER NOT NULL,
            target    INTEGER NOT NULL,
            finding   INTEGER NOT NULL,
            position  INTEGER NOT NULL,
            key       TEXT NOT NULL,
            label     TEXT NOT NULL,
            value     REAL,
            unit      TEXT NOT NULL,
            direction TEXT NOT NULL,
            PRIMARY KEY (scan, target, finding, position),
            FOREIGN KEY (scan, target, finding) REFERENCES findings (scan, target, position) ON DELETE CASCADE
        );
        """;

    /// <summary>Puts the file in WAL mode and creates the tables unless they are there; refuses a file that is something else.</summary>
    public static void Ensure(SqliteConnection connection, string path)
    {
        // WAL lets readers go on while one process writes; the mode is stored in the file, so it is set once.
        if (!string.Equals(Scalar(connection, "PRAGMA journal_mode") as string, "wal", StringComparison.OrdinalIgnoreCase))
            Scalar(connection, "PRAGMA journal_mode = WAL");
        if (Current(connection, path))
            return;
        using var transaction = connection.BeginTransaction(deferred: false);
        if (Current(connection, path, transaction))
            return;
        if (Integer(connection, "SELECT count(*) FROM sqlite_master", transaction) > 0)
            throw new BulwarkInputException($"scan history {path}: a SQLite database of something else (it has tables but no Bulwark mark); give another --db");
        using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = Tables + $"PRAGMA application_id = {ApplicationId}; PRAGMA user_version = {Version};";
            create.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <summary>True when the file already has this schema; false when it is a new, empty file. Throws for anything else.</summary>
    private static bool Current(SqliteConnection connection, string path, SqliteTransaction? transaction = null)
    {
        long application = Integer(connection, "PRAGMA application_id", transaction);
        long version = Integer(connection, "PRAGMA user_version", transaction);
        if (application == ApplicationId && version == Version)
            return true;
        if (application != 0 && application != ApplicationId)
            throw new BulwarkInputException($"scan history {path}: a SQLite database of another application (application_id {application:X8}); give another --db");
        if (version > Version)
            throw new BulwarkInputException($"scan history {path}: written by a newer Bulwark (schema {version}; this version reads {Version})");
        return false;
    }

    private static long Integer(SqliteConnection connection, string sql, SqliteTransaction? transaction) =>
        Convert.ToInt64(Scalar(connection, sql, transaction), CultureInfo.InvariantCulture);

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
