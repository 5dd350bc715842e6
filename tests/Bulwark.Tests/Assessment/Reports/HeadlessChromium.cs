using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bulwark.Tests.Assessment.Reports;

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol: one browser process with a
/// throw-away profile, one WebSocket, commands answered by id and events recorded in order.
/// Disposing kills the browser and deletes the profile.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private const string ListeningPrefix = "DevTools listening on ";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _replies = new();
    private readonly List<(string Method, TaskCompletionSource<JsonElement> Arrived)> _waiting = [];
    private readonly ConcurrentQueue<(string Method, JsonElement Params)> _events = new();
    private readonly List<Task> _drains = [];
    private Task _receiving = Task.CompletedTask;
    private int _lastId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
        _drains.Add(process.StandardOutput.ReadToEndAsync());
    }

    /// <summary>Every event received so far, oldest first.</summary>
    public IReadOnlyList<(string Method, JsonElement Params)> Events => [.. _events];

    /// <summary>Starts the browser and connects to it.</summary>
    public static async Task<HeadlessChromium> StartAsync(CancellationToken ct)
    {
        string profile = Directory.CreateTempSubdirectory("bulwark-chromium-").FullName;
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless=new", "--remote-debugging-port=0", $"--user-data-dir={profile}", "--no-sandbox", "--disable-gpu",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-breakpad", "--disable-dev-shm-usage", "--window-size=1280,900", "about:blank",
        })
        {
            start.ArgumentList.Add(arg);
        }
        var browser = new HeadlessChromium(Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}"), profile);
        try
        {
            await browser.ConnectAsync(ct);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a blank tab and returns the DevTools session that talks to it.</summary>
    public async Task<string> OpenPageAsync(CancellationToken ct)
    {
        var target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, null, ct);
        var attached = await SendAsync("Target.attachToTarget",
            new JsonObject { ["targetId"] = target.GetProperty("targetId").GetString(), ["flatten"] = true }, null, ct);
        return attached.GetProperty("sessionId").GetString()!;
    }

    /// <summary>Sends a command and returns its result; a protocol error throws.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters, string? session, CancellationToken ct)
    {
        int id = Interlocked.Increment(ref _lastId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _replies[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (session is not null)
            message["sessionId"] = session;
        await _sending.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            _sending.Release();
        }
        return await reply.Task.WaitAsync(ct);
    }

    /// <summary>The next event called <paramref name="method"/>; ask before the command that causes it.</summary>
    public Task<JsonElement> NextEventAsync(string method, CancellationToken ct)
    {
        var arrived = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiting)
            _waiting.Add((method, arrived));
        return arrived.Task.WaitAsync(ct);
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value; a thrown exception fails.</summary>
    public async Task<JsonElement> EvaluateAsync(string session, string expression, CancellationToken ct)
    {
        var result = await SendAsync("Runtime.evaluate",
            new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true }, session, ct);
        if (result.TryGetProperty("exceptionDetails", out var exception))
            throw new InvalidOperationException($"the page threw while evaluating {expression}: {exception}");
        return result.GetProperty("result").GetProperty("value");
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        await _receiving;
        await Task.WhenAll(_drains);
        _process.Dispose();
        _sending.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A helper process that outlived the kill may still hold a file; the profile is in the temp folder.
        }
    }

    private async Task ConnectAsync(CancellationToken ct)
    {
        var stderr = new StringBuilder();
        string? endpoint = null;
        while (endpoint is null)
        {
            string? line = await _process.StandardError.ReadLineAsync(ct)
                ?? throw new InvalidOperationException($"{Executable} exited before it listened for DevTools:\n{stderr}");
            stderr.AppendLine(line);
            int at = line.IndexOf(ListeningPrefix, StringComparison.Ordinal);
            if (at >= 0)
                endpoint = line[(at + ListeningPrefix.Length)..].Trim();
        }
        _drains.Add(_process.StandardError.ReadToEndAsync(CancellationToken.None));
        await _socket.ConnectAsync(new Uri(endpoint), ct);
        _receiving = ReceiveAsync();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                    continue;
                Dispatch(JsonDocument.Parse(message.GetBuffer().AsMemory(0, (int)message.Length)).RootElement.Clone());
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Disposing aborts the socket; whatever was still awaited fails below.
        }
        finally
        {
            var closed = new InvalidOperationException("the DevTools connection closed");
            foreach (var reply in _replies.Values)
                reply.TrySetException(closed);
            lock (_waiting)
            {
                foreach (var (_, arrived) in _waiting)
                    arrived.TrySetException(closed);
            }
        }
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("id", out var id))
        {
            if (_replies.TryRemove(id.GetInt32(), out var reply))
            {
                if (message.TryGetProperty("error", out var error))
                    reply.TrySetException(new InvalidOperationException($"DevTools error: {error}"));
                else
                    reply.TrySetResult(message.GetProperty("result"));
            }
            return;
        }
        string method = message.GetProperty("method").GetString()!;
        var parameters = message.TryGetProperty("params", out var p) ? p : default;
        _events.Enqueue((method, parameters));
        lock (_waiting)
        {
            foreach (var waiter in _waiting.Where(w => w.Method == method).ToArray())
            {
                waiter.Arrived.TrySetResult(parameters);
                _waiting.Remove(waiter);
            }
        }
    }
}
