using System.Text;
using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// Splits CSV text into records (RFC 4180): fields separated by a delimiter, optionally in
/// double quotes, a quote inside quotes written twice, and line breaks allowed inside quotes.
/// Remembers the line each record starts on, for messages.
/// </summary>
internal sealed class CsvRecordReader(TextLineReader lines, char delimiter)
{
    private readonly StringBuilder field = new();

    /// <summary>The 1-based line the last record returned starts on.</summary>
    public int Line { get; private set; }

    /// <summary>The next record's fields, or null at the end; blank lines are skipped.</summary>
    public List<string>? Read()
    {
        string? line;
        do
        {
            line = lines.ReadLine();
            if (line is null)
            {
                return null;
            }
        }
        while (line.Length == 0);
        Line = lines.LineNumber;
        var fields = new List<string>();
        field.Clear();
        bool quoted = false, wasQuoted = false;
        int i = 0;
        while (true)
        {
            if (i == line.Length)
            {
                if (!quoted)
                {
                    fields.Add(field.ToString());
                    return fields;
                }
                line = lines.ReadLine() ?? throw new BulwarkInputException($"{lines.Path}: line {Line}, column {fields.Count + 1}: a quoted field is never closed.");
                field.Append('\n');
                i = 0;
                continue;
            }
            char c = line[i++];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i < line.Length && line[i] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                wasQuoted = false;
            }
            else if (c == '"' && field.Length == 0 && !wasQuoted)
            {
                quoted = wasQuoted = true;
            }
            else if (c == '"' || wasQuoted)
            {
                throw new BulwarkInputException($"{lines.Path}: line {lines.LineNumber}, column {fields.Count + 1}: a stray quote; quote the whole field and write a quote inside it as \"\".");
            }
            else
            {
                field.Append(c);
            }
        }
    }
}
