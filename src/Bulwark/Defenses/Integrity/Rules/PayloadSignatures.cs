using System.Text;
using System.Text.RegularExpressions;

namespace Bulwark.Defenses.Integrity.Rules;

/// <summary>
/// Recognises executable payloads hidden in text: pickle streams (which run code when unpickled),
/// Python, shell and script snippets, executable headers (ELF, PE, Mach-O), and base64 blobs that
/// decode to any of these. Signatures, not proof: a hit means the text deserves a human look before a
/// loader that might act on it sees it.
/// </summary>
internal static partial class PayloadSignatures
{
    private const int MaxDecodedBytes = 1 << 20;

    private static readonly (Regex Pattern, string What)[] Code =
    [
        (PickleGlobal(), "a pickle GLOBAL opcode importing a dangerous module"),
        (PickleShortGlobal(), "a binary pickle reference to a dangerous module"),
        (DunderHooks(), "a Python deserialisation or import hook"),
        (PythonImport(), "a Python import of a process, socket or native-code module"),
        (PythonCall(), "a Python eval/exec/os.system-style call"),
        (ScriptTag(), "an HTML script tag or javascript: URL"),
        (Shell(), "a shell command"),
    ];

    /// <summary>What payload the text carries, quoting it briefly, or null when it carries none.</summary>
    public static string? Find(string text)
    {
        if (Describe(Encoding.Latin1.GetBytes(text), text) is { } direct)
        {
            return direct;
        }
        foreach (Match match in Base64Run().Matches(text))
        {
            string run = match.Value.TrimEnd('=').Replace('-', '+').Replace('_', '/');
            run = run[..Math.Min(run.Length - (run.Length % 4), MaxDecodedBytes / 3 * 4)];
            var decoded = new byte[run.Length / 4 * 3];
            if (Convert.TryFromBase64String(run, decoded, out int written)
                && Describe(decoded.AsSpan(0, written), Encoding.Latin1.GetString(decoded, 0, written)) is { } hidden)
            {
                return $"base64 that decodes to {hidden}";
            }
        }
        return null;
    }

    private static string? Describe(ReadOnlySpan<byte> bytes, string text)
    {
        if (Binary(bytes) is { } binary)
        {
            return binary;
        }
        foreach (var (pattern, what) in Code)
        {
            if (pattern.Match(text) is { Success: true } hit)
            {
                return $"{what} ('{Quote(hit.Value)}')";
            }
        }
        return null;
    }

    private static string? Binary(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOf("\u007fELF"u8) >= 0)
        {
            return "an ELF executable header";
        }
        if (bytes.IndexOf("This program cannot be run in DOS mode"u8) >= 0
            || (bytes.StartsWith("MZ"u8) && (bytes.IndexOf("PE\0\0"u8) >= 0 || bytes.StartsWith(new byte[] { 0x4D, 0x5A, 0x90, 0x00 }))))
        {
            return "a Windows PE (MZ) executable header";
        }
        if (bytes.Length >= 4 && (bytes[..4].SequenceEqual(new byte[] { 0xFE, 0xED, 0xFA, 0xCE }) || bytes[..4].SequenceEqual(new byte[] { 0xFE, 0xED, 0xFA, 0xCF })
            || bytes[..4].SequenceEqual(new byte[] { 0xCE, 0xFA, 0xED, 0xFE }) || bytes[..4].SequenceEqual(new byte[] { 0xCF, 0xFA, 0xED, 0xFE })))
        {
            return "a Mach-O executable header";
        }
        if (bytes.Length >= 3 && bytes[0] == 0x80 && bytes[1] is >= 2 and <= 5 && bytes[^1] == (byte)'.'
            && (bytes.IndexOf((byte)'R') >= 0 || bytes.IndexOf((byte)0x93) >= 0))
        {
            return $"a binary pickle stream (protocol {bytes[1]}) that calls a function";
        }
        return null;
    }

    private static string Quote(string value)
    {
        var clipped = value.Length <= 40 ? value : value[..37] + "...";
        var sb = new StringBuilder(clipped.Length);
        foreach (char c in clipped)
        {
            sb.Append(c is >= ' ' and < '\u007f' ? c : '?');
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"c(?:os|posix|nt|builtins|__builtin__|subprocess|runpy|socket|shutil|pty|ctypes|webbrowser|importlib)\n[A-Za-z_]\w*\n")]
    private static partial Regex PickleGlobal();

    [GeneratedRegex(@"\u008c.(?:os|posix|nt|builtins|subprocess|runpy|socket|shutil|pty|ctypes)\u0094")]
    private static partial Regex PickleShortGlobal();

    [GeneratedRegex(@"__reduce(?:_ex)?__|__builtins__|__import__\s*\(|__subclasses__")]
    private static partial Regex DunderHooks();

    [GeneratedRegex(@"\bimport\s+(?:os|subprocess|socket|ctypes|pty|shutil|sys|builtins)\b|\bfrom\s+(?:os|subprocess|socket|ctypes|pty|builtins)\s+import\b")]
    private static partial Regex PythonImport();

    [GeneratedRegex(@"\b(?:eval|exec|execfile)\s*\(|\bos\.(?:system|popen|exec[lv]p?e?|spawn\w*|fork)\s*\(|\bsubprocess\.(?:run|call|Popen|check_output|check_call)\b")]
    private static partial Regex PythonCall();

    [GeneratedRegex(@"<script\b|javascript:", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"/bin/(?:ba|z|da|k)?sh\b|\b(?:curl|wget)\s+\S*https?://|\bpowershell(?:\.exe)?\s+-|\bcmd(?:\.exe)?\s+/c\b", RegexOptions.IgnoreCase)]
    private static partial Regex Shell();

    [GeneratedRegex(@"[A-Za-z0-9+/\-_]{12,}={0,2}")]
    private static partial Regex Base64Run();
}
