using System.CommandLine;
using Bulwark.Engine;
using Spectre.Console;

namespace Bulwark.Cli;

/// <summary>
/// The <c>bulwark</c> command: parsing, dispatch and the exit-code contract
/// (0 ok, 1 findings at or above --fail-on, 2 usage error, 3 input error).
/// </summary>
public static class CliApp
{
    /// <summary>Exit code for success.</summary>
    public const int Ok = 0;

    /// <summary>Exit code for findings at or above the --fail-on threshold.</summary>
    public const int Findings = 1;

    /// <summary>Exit code for a command line that does not parse.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for input that is at fault (missing, malformed or inconsistent files and values).</summary>
    public const int InputError = 3;

    /// <summary>Exit code for a failure inside Bulwark itself.</summary>
    public const int InternalError = 70;

    /// <summary>Runs one command line with the given output streams and returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var io = new CliIO(stdout, stderr);
        var root = new RootCommand("Bulwark: assess, harden and monitor machine-learning models.");
        root.Subcommands.Add(TrainCommand.Create(io));
        root.Subcommands.Add(ModelCommand.Create(io));
        root.Subcommands.Add(DataCommand.Create(io));
        root.Subcommands.Add(AttackCommand.Create(io));
        root.Subcommands.Add(RobustnessCommand.Create(io));
        root.Subcommands.Add(CertifyCommand.Create(io));
        root.Subcommands.Add(ThreatsCommand.Create(io));
        root.Subcommands.Add(ScanCommand.Create(io));
        root.Subcommands.Add(HistoryCommand.Create(io));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"error: {error.Message}");
            }
            stderr.WriteLine("Run 'bulwark --help' for usage.");
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (BulwarkInputException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return InputError;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or Models.ModelEndpointException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return InputError;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("cancelled");
            return InternalError;
        }
#pragma warning disable CA1031 // The CLI's last line of defence: report, never crash with a trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"internal error ({e.GetType().Name}): {e.Message}");
            if (Environment.GetEnvironmentVariable("BULWARK_DEBUG") == "1")
            {
                stderr.WriteLine(e.ToString());
            }
            else
            {
                stderr.WriteLine("Set BULWARK_DEBUG=1 for the stack trace, and please report it.");
            }
            return InternalError;
        }
    }
}

/// <summary>The streams a command writes to: results on stdout, humans' output and progress on stderr.</summary>
public sealed class CliIO
{
    /// <summary>Creates the streams.</summary>
    public CliIO(TextWriter stdout, TextWriter stderr)
    {
        Out = stdout;
        Err = stderr;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stderr),
            Interactive = ReferenceEquals(stderr, System.Console.Error) && !System.Console.IsErrorRedirected ? InteractionSupport.Detect : InteractionSupport.No,
            Ansi = ReferenceEquals(stderr, System.Console.Error) ? AnsiSupport.Detect : AnsiSupport.No,
        });
    }

    /// <summary>Machine-readable results.</summary>
    public TextWriter Out { get; }

    /// <summary>Human-readable messages.</summary>
    public TextWriter Err { get; }

    /// <summary>Spectre console on stderr for tables and progress bars.</summary>
    public IAnsiConsole Console { get; }
}
