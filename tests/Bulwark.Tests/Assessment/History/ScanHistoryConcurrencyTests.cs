using System.Diagnostics;
using Bulwark.Assessment.History;
using Bulwark.Tests.Data;

namespace Bulwark.Tests.Assessment.History;

/// <summary>
/// Many writers on one history file at the same moment: threads of this process, each with its
/// own <see cref="ScanHistory"/>, and separate processes (this test assembly run through
/// <see cref="HistoryWriterProgram"/>). Nobody creates the file beforehand, so the writers also
/// race to create it and switch it to WAL.
/// </summary>
public class ScanHistoryConcurrencyTests
{
    private const int Threads = 8;
    private const int Processes = 2;
    private const int ScansEach = 12;

    [Fact]
    public async Task Eight_threads_and_two_processes_record_into_one_file_at_once()
    {
        using var files = new DataFiles();
        string db = files.File(Path.Combine("shared", "history.db"));
        var processes = new List<(Process Process, Task<string> Err)>();
        try
        {
            for (int p = 0; p < Processes; p++)
            {
                var process = StartWriter(db, Threads + p);
                processes.Add((process, process.StandardError.ReadToEndAsync()));
                Assert.True(process.StandardOutput.ReadLine() == "ready", await Failure(processes[^1]));
            }

            using var start = new Barrier(Threads + 1);
            var writers = Enumerable.Range(0, Threads).Select(w => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    Write(db, w, ScansEach);
                },
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            start.SignalAndWait();
            foreach (var (process, _) in processes)
            {
                await process.StandardInput.WriteLineAsync("go");
                process.StandardInput.Close();
            }
            await Task.WhenAll(writers);
            foreach (var writer in processes)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await writer.Process.WaitForExitAsync(timeout.Token);
                Assert.True(writer.Process.ExitCode == 0, await Failure(writer));
            }
        }
        finally
        {
            foreach (var (process, _) in processes)
            {
                if (!process.HasExited)
                    process.Kill();
                process.Dispose();
            }
        }

        const int Scans = (Threads + Processes) * ScansEach;
        var history = ScanHistory.OpenExisting(db);
        var listed = history.List(limit: 1000);
        Assert.Equal(Scans, listed.Count);
        Assert.Equal(Scans, listed.Select(s => s.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, Scans).Select(i => (long)i), listed.Select(s => s.Sequence).Order());
        var sample = SampleReports.Full().AllFindings.Select(p => p.Finding).ToArray();
        Assert.Equal((long)Scans * sample.Length, ScanHistoryTests.Query(db, "SELECT count(*) FROM findings"));
        Assert.Equal((long)Scans * sample.Sum(f => f.Metrics.Count), ScanHistoryTests.Query(db, "SELECT count(*) FROM metrics"));
        Assert.Equal("ok", ScanHistoryTests.Query(db, "PRAGMA integrity_check"));
        Assert.Equal(0L, ScanHistoryTests.Query(db, "SELECT count(*) FROM pragma_foreign_key_check"));
    }

    /// <summary>What one writer does: opens the history itself and records <paramref name="count"/> scans with ids of its own.</summary>
    internal static void Write(string db, int writer, int count)
    {
        var history = ScanHistory.Open(db);
        var report = SampleReports.Full();
        for (int i = 0; i < count; i++)
            history.Record(HistorySamples.Variant(report, (writer * 1000) + i));
    }

    private static Process StartWriter(string db, int writer)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { typeof(HistoryWriterProgram).Assembly.Location, "history-writer", db, writer.ToString(System.Globalization.CultureInfo.InvariantCulture), ScansEach.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(arg);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start " + info.FileName);
    }

    /// <summary>The dotnet host running this test, else the one the SDK names, else the one on PATH.</summary>
    private static string DotnetHost()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
            return self;
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }

    private static async Task<string> Failure((Process Process, Task<string> Err) writer)
    {
        if (!writer.Process.HasExited)
            return "the writer process has not said ready";
        return $"writer process exited {writer.Process.ExitCode}: {await writer.Err}";
    }
}
