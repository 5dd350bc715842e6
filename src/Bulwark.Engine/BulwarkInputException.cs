namespace Bulwark.Engine;

/// <summary>
/// The one exception Bulwark throws for input that is at fault: wrong shapes, NaN/Inf where
/// forbidden, malformed or oversized files. The message says what was wrong and where; the CLI
/// prints it without a stack trace and exits with code 3.
/// </summary>
public sealed class BulwarkInputException : Exception
{
    /// <summary>Creates the exception with a message that names what was wrong and where.</summary>
    public BulwarkInputException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the lower-level cause.</summary>
    public BulwarkInputException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a generic message.</summary>
    public BulwarkInputException() : base("invalid input") { }
}
