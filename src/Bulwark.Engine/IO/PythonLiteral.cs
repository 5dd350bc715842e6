using System.Globalization;
using System.Text;

namespace Bulwark.Engine.IO;

/// <summary>
/// Parses the small subset of Python literal syntax that .npy headers use: dicts with string keys,
/// tuples and lists, strings in either quote with escapes, integers (a Python 2 <c>L</c> suffix
/// allowed), <c>True</c>, <c>False</c> and <c>None</c>; trailing commas and any spacing are
/// accepted. Nothing is evaluated. Dicts become <see cref="Dictionary{TKey, TValue}"/>, tuples
/// <see cref="PyTuple"/>, lists <see cref="List{T}"/>, integers <see cref="long"/>.
/// </summary>
/// <remarks>Malformed text throws <see cref="FormatException"/>; callers turn it into an input error naming the file.</remarks>
internal sealed class PythonLiteral
{
    // Bounds recursion so a header of nested brackets cannot overflow the stack.
    private const int MaxDepth = 32;

    private readonly string text;
    private int pos;

    private PythonLiteral(string text) => this.text = text;

    /// <summary>A parsed tuple, kept apart from a list because .npy shapes must be tuples.</summary>
    internal sealed record PyTuple(IReadOnlyList<object?> Items);

    /// <summary>Parses one literal that must span the whole text (surrounding whitespace allowed).</summary>
    public static object? Parse(string text)
    {
        var parser = new PythonLiteral(text);
        var value = parser.Value(0);
        parser.SkipSpace();
        if (parser.pos != text.Length)
        {
            throw parser.Fail("unexpected text after the literal");
        }
        return value;
    }

    private object? Value(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Fail($"nested more than {MaxDepth} levels deep");
        }
        SkipSpace();
        if (pos >= text.Length)
        {
            throw Fail("unexpected end of text");
        }
        char c = text[pos];
        switch (c)
        {
            case '{':
                return Dict(depth);
            case '(':
                return Sequence(depth, ')');
            case '[':
                return Sequence(depth, ']');
            case '\'' or '"':
                return Str();
            case (>= '0' and <= '9') or '-' or '+':
                return Integer();
        }
        if ((c is 'u' or 'U') && pos + 1 < text.Length && text[pos + 1] is '\'' or '"')
        {
            pos++;
            return Str();
        }
        if (char.IsAsciiLetter(c) || c == '_')
        {
            int start = pos;
            while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] == '_'))
            {
                pos++;
            }
            string word = text[start..pos];
            return word switch
            {
                "True" => true,
                "False" => false,
                "None" => null,
                _ => throw Fail($"unsupported name '{word}'", start),
            };
        }
        throw Fail($"unexpected character '{c}'");
    }

    private Dictionary<string, object?> Dict(int depth)
    {
        pos++;
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (Peek() == '}')
            {
                pos++;
                return dict;
            }
            int keyAt = pos;
            if (Value(depth + 1) is not string key)
            {
                throw Fail("a dict key is not a string", keyAt);
            }
            SkipSpace();
            Expect(':');
            var value = Value(depth + 1);
            if (!dict.TryAdd(key, value))
            {
                throw Fail($"the key '{key}' appears twice", keyAt);
            }
            if (!Separator('}'))
            {
                throw Fail("expected ',' or '}'");
            }
        }
    }

    // "(x)" is just x in Python; a tuple needs a comma unless it is empty.
    private object? Sequence(int depth, char close)
    {
        pos++;
        var items = new List<object?>();
        bool comma = false;
        while (true)
        {
            SkipSpace();
            if (Peek() == close)
            {
                pos++;
                break;
            }
            items.Add(Value(depth + 1));
            if (Peek(skipSpace: true) == ',')
            {
                comma = true;
            }
            if (!Separator(close))
            {
                throw Fail($"expected ',' or '{close}'");
            }
        }
        if (close == ']')
        {
            return items;
        }
        return items.Count == 1 && !comma ? items[0] : new PyTuple(items);
    }

    // Consumes "," or the closing bracket; returns false when neither follows. The bracket itself is left for the loop.
    private bool Separator(char close)
    {
        SkipSpace();
        char c = Peek();
        if (c == ',')
        {
            pos++;
            return true;
        }
        return c == close;
    }

    private string Str()
    {
        char quote = text[pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (pos >= text.Length || text[pos] is '\n' or '\r')
            {
                throw Fail("unterminated string");
            }
            char c = text[pos++];
            if (c == quote)
            {
                return sb.ToString();
            }
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (pos >= text.Length)
            {
                throw Fail("unterminated string");
            }
            char e = text[pos++];
            switch (e)
            {
                case '\\' or '\'' or '"':
                    sb.Append(e);
                    break;
                case 'n':
                    sb.Append('\n');
                    break;
                case 't':
                    sb.Append('\t');
                    break;
                case 'r':
                    sb.Append('\r');
                    break;
                case '0':
                    sb.Append('\0');
                    break;
                case 'x':
                    sb.Append((char)Hex(2));
                    break;
                case 'u':
                    sb.Append((char)Hex(4));
                    break;
                default:
                    // Python keeps unknown escapes verbatim.
                    sb.Append('\\').Append(e);
                    break;
            }
        }
    }

    private int Hex(int digits)
    {
        if (pos + digits > text.Length
            || !int.TryParse(text.AsSpan(pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value))
        {
            throw Fail($"a \\x or \\u escape needs {digits} hex digits");
        }
        pos += digits;
        return value;
    }

    private long Integer()
    {
        int start = pos;
        if (text[pos] is '-' or '+')
        {
            pos++;
        }
        int digitsFrom = pos;
        while (pos < text.Length && char.IsAsciiDigit(text[pos]))
        {
            pos++;
        }
        if (pos == digitsFrom)
        {
            throw Fail("a sign is not followed by digits", start);
        }
        if (pos < text.Length && text[pos] is '.' or 'e' or 'E' or 'j' or 'J' or 'x' or 'X' or '_')
        {
            throw Fail("only plain integers are supported", start);
        }
        if (!long.TryParse(text.AsSpan(start, pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw Fail($"the integer {text[start..pos]} does not fit in 64 bits", start);
        }
        if (pos < text.Length && text[pos] is 'L' or 'l')
        {
            pos++;
        }
        return value;
    }

    private char Peek(bool skipSpace = false)
    {
        if (skipSpace)
        {
            SkipSpace();
        }
        return pos < text.Length ? text[pos] : '\0';
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Fail($"expected '{c}'");
        }
        pos++;
    }

    private void SkipSpace()
    {
        while (pos < text.Length && text[pos] is ' ' or '\t' or '\n' or '\r' or '\f' or '\v')
        {
            pos++;
        }
    }

    private FormatException Fail(string message, int? at = null) =>
        new($"{message} at character {(at ?? pos).ToString(CultureInfo.InvariantCulture)}");
}
