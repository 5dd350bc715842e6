namespace Bulwark.Tests.Assessment.History;

/// <summary>
/// The test assembly's entry point, in place of the one the test SDK would generate. Run as
/// <c>dotnet Bulwark.Tests.dll history-writer DB WRITER COUNT</c> it is one of the separate
/// processes of <see cref="ScanHistoryConcurrencyTests"/>: it says "ready", waits for a line on
/// stdin so that every writer starts together, then records COUNT scans. A failure ends it with
/// the exception on stderr and a non-zero exit code.
/// </summary>
internal static class HistoryWriterProgram
{
    public static int Main(string[] args)
    {
        if (args is not ["history-writer", var db, var writer, var count])
        {
            Console.Error.WriteLine("usage: Bulwark.Tests history-writer DB WRITER COUNT");
            return 2;
        }
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        Console.In.ReadLine();
        ScanHistoryConcurrencyTests.Write(db, int.Parse(writer, System.Globalization.CultureInfo.InvariantCulture), int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    }
}
