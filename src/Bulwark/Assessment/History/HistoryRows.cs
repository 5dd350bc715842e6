using System.Globalization;
using Bulwark.Data;
using Bulwark.Threats;
using Microsoft.Data.Sqlite;

namespace Bulwark.Assessment.History;

/// <summary>
/// A scan report as rows of the history's tables, and back. Enumerations are stored by name,
/// times as ISO 8601 UTC text (which sorts in time order), the seed as decimal text (it may
/// exceed SQLite's signed 64 bits). Evidence and defences are not rows; the full report JSON,
/// when given, keeps them.
/// </summary>
internal static class HistoryRows
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>A time as the history stores it.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="report"/> inside <paramref name="transaction"/> and returns its sequence number.</summary>
    public static long Insert(SqliteConnection connection, SqliteTransaction transaction, ScanReport report, string? reportJson)
    {
        using var scans = Inserter(connection, transaction, "scans", "id, started_utc, duration_s, budget, seed, tool_version, threats, recorded_utc, report_json");
        Execute(scans, report.Id, Time(report.StartedUtc), report.Duration.TotalSeconds, report.Budget, report.Seed.ToString(CultureInfo.InvariantCulture),
            report.ToolVersion, string.Join(',', report.RequestedThreats), Time(DateTimeOffset.UtcNow), reportJson);
        using var last = Command(connection, "SELECT last_insert_rowid()");
        last.Transaction = transaction;
        long seq = (long)last.ExecuteScalar()!;

        using var targets = Inserter(connection, transaction, "targets",
            "scan, position, name, model_key, model_sha256, model_path, endpoint, access, modality, data_name, samples, class_count, input_shape");
        using var findings = Inserter(connection, transaction, "findings",
            "scan, target, position, threat, scenario, status, severity, title, severity_rule, reason, duration_s");
        using var metrics = Inserter(connection, transaction, "metrics", "scan, target, finding, position, key, label, value, unit, direction");
        for (int t = 0; t < report.Targets.Count; t++)
        {
            var target = report.Targets[t];
            Execute(targets, seq, t, target.Name, target.ModelKey, target.ModelSha256, target.ModelPath, target.Endpoint, target.Access.ToString(),
                target.Modality.ToString(), target.DataName, target.Samples, target.ClassCount, string.Join(',', target.InputShape));
            for (int f = 0; f < target.Findings.Count; f++)
            {
                var finding = target.Findings[f];
                Execute(findings, seq, t, f, finding.Threat.Id.ToString(), finding.Scenario, finding.Status.ToString(), finding.Severity?.ToString(),
                    finding.Title, finding.SeverityRule, finding.Reason, finding.Duration.TotalSeconds);
                for (int m = 0; m < finding.Metrics.Count; m++)
                {
                    var metric = finding.Metrics[m];
                    Execute(metrics, seq, t, f, m, metric.Key, metric.Label, metric.Value, metric.Unit, metric.Direction.ToString());
                }
            }
        }
        return seq;
    }

    /// <summary>Reads scan <paramref name="seq"/> back as a report (without evidence and defences), or null when there is none.</summary>
    public static ScanReport? Load(SqliteConnection connection, long seq)
    {
        var metrics = new Dictionary<(long Target, long Finding), List<Metric>>();
        using (var command = Command(connection, "SELECT target, finding, key, label, value, unit, direction FROM metrics WHERE scan = $p0 ORDER BY target, finding, position", seq))
        using (var r = command.ExecuteReader())
        {
            while (r.Read())
            {
                Bucket(metrics, (r.GetInt64(0), r.GetInt64(1))).Add(
                    new Metric(r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetDouble(4), r.GetString(5), Enum.Parse<MetricDirection>(r.GetString(6))));
            }
        }

        var findings = new Dictionary<long, List<Finding>>();
        using (var command = Command(connection,
            "SELECT target, position, threat, scenario, status, severity, title, severity_rule, reason, duration_s FROM findings WHERE scan = $p0 ORDER BY target, position", seq))
        using (var r = command.ExecuteReader())
        {
            while (r.Read())
            {
                long target = r.GetInt64(0), position = r.GetInt64(1);
                Bucket(findings, target).Add(new Finding
                {
                    Threat = ThreatCatalog.Get(Enum.Parse<ThreatId>(r.GetString(2))),
                    Scenario = Text(r, 3),
                    Status = Enum.Parse<FindingStatus>(r.GetString(4)),
                    Severity = Text(r, 5) is { } severity ? Enum.Parse<Severity>(severity) : null,
                    Title = r.GetString(6),
                    SeverityRule = Text(r, 7),
                    Reason = Text(r, 8),
                    Duration = TimeSpan.FromSeconds(r.GetDouble(9)),
                    Metrics = metrics.GetValueOrDefault((target, position)) ?? [],
                });
            }
        }

        var targets = new List<TargetReport>();
        using (var command = Command(connection,
            "SELECT position, name, model_sha256, model_path, endpoint, access, modality, data_name, samples, class_count, input_shape FROM targets WHERE scan = $p0 ORDER BY position", seq))
        using (var r = command.ExecuteReader())
        {
            while (r.Read())
            {
                targets.Add(new TargetReport
                {
                    Name = r.GetString(1),
                    ModelSha256 = Text(r, 2),
                    ModelPath = Text(r, 3),
                    Endpoint = Text(r, 4),
                    Access = Enum.Parse<ModelAccess>(r.GetString(5)),
                    Modality = Enum.Parse<FeatureKind>(r.GetString(6)),
                    DataName = r.GetString(7),
                    Samples = r.GetInt32(8),
                    ClassCount = r.GetInt32(9),
                    InputShape = r.GetString(10).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray(),
                    Findings = findings.GetValueOrDefault(r.GetInt64(0)) ?? [],
                });
            }
        }

        using (var command = Command(connection, "SELECT started_utc, duration_s, budget, seed, tool_version, threats FROM scans WHERE seq = $p0", seq))
        using (var r = command.ExecuteReader())
        {
            if (!r.Read())
                return null;
            return new ScanReport
            {
                StartedUtc = DateTimeOffset.ParseExact(r.GetString(0), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                Duration = TimeSpan.FromSeconds(r.GetDouble(1)),
                Budget = r.GetString(2),
                Seed = ulong.Parse(r.GetString(3), CultureInfo.InvariantCulture),
                ToolVersion = r.GetString(4),
                RequestedThreats = r.GetString(5).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<ThreatId>).ToArray(),
                Targets = targets,
            };
        }
    }

    /// <summary>A command on <paramref name="connection"/> whose parameters <c>$p0</c>, <c>$p1</c>, … are <paramref name="values"/>.</summary>
    public static SqliteCommand Command(SqliteConnection connection, string sql, params object?[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (int i = 0; i < values.Length; i++)
            command.Parameters.AddWithValue("$p" + i.ToString(CultureInfo.InvariantCulture), values[i] ?? DBNull.Value);
        return command;
    }

    private static SqliteCommand Inserter(SqliteConnection connection, SqliteTransaction transaction, string table, string columns)
    {
        int count = columns.Split(',').Length;
        var command = Command(connection,
            $"INSERT INTO {table} ({columns}) VALUES ({string.Join(", ", Enumerable.Range(0, count).Select(i => "$p" + i.ToString(CultureInfo.InvariantCulture)))})",
            new object?[count]);
        command.Transaction = transaction;
        return command;
    }

    private static void Execute(SqliteCommand insert, params object?[] values)
    {
        for (int i = 0; i < values.Length; i++)
            insert.Parameters[i].Value = values[i] ?? DBNull.Value;
        insert.ExecuteNonQuery();
    }

    private static List<T> Bucket<TKey, T>(Dictionary<TKey, List<T>> buckets, TKey key)
        where TKey : notnull
    {
        if (!buckets.TryGetValue(key, out var list))
            buckets[key] = list = [];
        return list;
    }

    private static string? Text(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
}
