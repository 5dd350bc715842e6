using System.Globalization;
using System.Text;
using static Bulwark.Assessment.Reports.Html;

namespace Bulwark.Assessment.Reports;

/// <summary>
/// Evidence as HTML: charts as inline SVG, image examples as a grid of inline PNGs, text examples
/// and tables as tables. Each piece is a <c>&lt;figure&gt;</c> with its title as the caption.
/// </summary>
internal static class HtmlEvidence
{
    /// <summary>Images are drawn at least this many CSS pixels on their longer side, in whole pixel multiples.</summary>
    private const int MinDrawnSize = 96;

    /// <summary>Added words shown per text example before the rest is counted.</summary>
    private const int WordsShown = 12;

    /// <summary>Appends <paramref name="evidence"/>; <paramref name="id"/> is unique on the page.</summary>
    public static void Write(StringBuilder html, Evidence evidence, string id)
    {
        switch (evidence)
        {
            case ChartEvidence chart:
                html.Append("<figure class=\"chart\">").Append(ChartSvg.Render(chart, id));
                break;
            case ImageExamplesEvidence images:
                html.Append("<figure class=\"images\">");
                WriteImages(html, images);
                break;
            case TextExamplesEvidence texts:
                html.Append("<figure class=\"texts\">");
                WriteTexts(html, texts);
                break;
            case TableEvidence table:
                html.Append("<figure class=\"table\">");
                WriteTable(html, table);
                break;
            default:
                html.Append("<figure class=\"unknown\"><p class=\"note\">this kind of evidence (")
                    .Append(Escape(evidence.GetType().Name)).Append(") has no HTML form yet</p>");
                break;
        }
        html.Append("<figcaption>").Append(Escape(evidence.Title)).Append("</figcaption></figure>\n");
    }

    private static void WriteImages(StringBuilder html, ImageExamplesEvidence e)
    {
        int longer = Math.Max(1, Math.Max(e.Width, e.Height));
        int scale = Math.Max(1, (MinDrawnSize + longer - 1) / longer);
        html.Append("<table class=\"image-grid\"><thead><tr><th>label → prediction</th><th>original</th><th>adversarial</th><th>difference</th></tr></thead><tbody>");
        for (int i = 0; i < e.Examples.Count; i++)
        {
            var example = e.Examples[i];
            string name = $"{ClassName(e, example.TrueClass)} → {ClassName(e, example.AdversarialClass)}";
            html.Append("<tr><th scope=\"row\">").Append(Escape(name)).Append("</th>");
            var pngs = ImagePngs(e, example);
            if (pngs is null)
            {
                html.Append("<td colspan=\"3\" class=\"note\">the pixels do not match ")
                    .Append(e.Channels).Append('×').Append(e.Height).Append('×').Append(e.Width).Append("</td></tr>");
                continue;
            }
            string[] alts = ["original", "adversarial", "difference (mid-grey is no change)"];
            for (int k = 0; k < 3; k++)
            {
                html.Append("<td><img width=\"").Append(e.Width * scale).Append("\" height=\"").Append(e.Height * scale)
                    .Append("\" alt=\"").Append(Escape($"{alts[k]}: {name}")).Append("\" src=\"data:image/png;base64,")
                    .Append(Convert.ToBase64String(pngs[k])).Append("\"></td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
    }

    /// <summary>Original, adversarial and difference as PNGs, or null when the pixel counts are wrong.</summary>
    internal static byte[][]? ImagePngs(ImageExamplesEvidence e, ImageExample example)
    {
        int plane = e.Height * e.Width, values = e.Channels * plane;
        if (plane == 0 || e.Channels < 1 || example.Original.Length != values || example.Adversarial.Length != values)
            return null;
        int channels = e.Channels == 3 ? 3 : 1;
        float range = e.High > e.Low ? e.High - e.Low : 1f;
        var difference = new float[values];
        float largest = 0;
        for (int i = 0; i < values; i++)
        {
            difference[i] = example.Adversarial[i] - example.Original[i];
            largest = Math.Max(largest, Math.Abs(difference[i]));
        }
        return
        [
            Png(example.Original, e, channels, v => (v - e.Low) / range),
            Png(example.Adversarial, e, channels, v => (v - e.Low) / range),
            Png(difference, e, channels, d => largest > 0 ? 0.5f + 0.5f * d / largest : 0.5f),
        ];
    }

    /// <summary>C×H×W values mapped to [0, 1] by <paramref name="level"/>, as an interleaved 8-bit PNG; beyond 3 channels only the first is drawn.</summary>
    private static byte[] Png(float[] chw, ImageExamplesEvidence e, int channels, Func<float, float> level)
    {
        int plane = e.Height * e.Width;
        var pixels = new byte[plane * channels];
        for (int c = 0; c < channels; c++)
        {
            for (int p = 0; p < plane; p++)
                pixels[p * channels + c] = (byte)MathF.Round(255f * Math.Clamp(level(chw[c * plane + p]), 0f, 1f));
        }
        return PngEncoder.Encode(pixels, e.Width, e.Height, channels);
    }

    private static string ClassName(ImageExamplesEvidence e, int index) =>
        index >= 0 && index < e.ClassNames.Count ? e.ClassNames[index] : $"class {index.ToString(CultureInfo.InvariantCulture)}";

    private static void WriteTexts(StringBuilder html, TextExamplesEvidence e)
    {
        html.Append("<table><thead><tr><th>message</th><th>added words</th><th>score before → after</th><th>evaded</th></tr></thead><tbody>");
        foreach (var x in e.Examples)
        {
            string words = string.Join(" ", x.AddedWords.Take(WordsShown))
                + (x.AddedWords.Count > WordsShown ? $" … (+{x.AddedWords.Count - WordsShown})" : "");
            html.Append("<tr><td class=\"message\">").Append(Escape(x.Original))
                .Append("</td><td>").Append(Escape(words))
                .Append("</td><td class=\"num\">").Append(Number(x.ScoreBefore)).Append(" → ").Append(Number(x.ScoreAfter))
                .Append("</td><td>").Append(x.Evaded ? "<span class=\"yes\">yes</span>" : "no").Append("</td></tr>");
        }
        html.Append("</tbody></table>");
    }

    private static void WriteTable(StringBuilder html, TableEvidence e)
    {
        html.Append("<table><thead><tr>");
        foreach (var column in e.Columns)
            html.Append("<th>").Append(Escape(column)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in e.Rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
                html.Append("<td>").Append(Escape(cell)).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
    }
}
