namespace Bulwark.Models;

/// <summary>
/// A remote model endpoint failed in a way that is not the caller's input: it timed out, kept
/// answering with server errors after the retries, could not be reached, or sent a response
/// that is not a well-formed inference response. Input faults the server reports (an unknown
/// model, a rejected request) are <see cref="Bulwark.Engine.BulwarkInputException"/>s instead.
/// </summary>
public sealed class ModelEndpointException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public ModelEndpointException() : base("the model endpoint failed") { }

    /// <summary>Creates the exception with a message that names the endpoint and what failed.</summary>
    public ModelEndpointException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the lower-level cause.</summary>
    public ModelEndpointException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception for a request to <paramref name="endpoint"/>.</summary>
    public ModelEndpointException(string message, Uri endpoint, int? statusCode = null, Exception? inner = null) : base(message, inner)
    {
        Endpoint = endpoint;
        StatusCode = statusCode;
    }

    /// <summary>The URL of the failed request, when known.</summary>
    public Uri? Endpoint { get; }

    /// <summary>The HTTP status of the last answer, when there was one.</summary>
    public int? StatusCode { get; }
}
