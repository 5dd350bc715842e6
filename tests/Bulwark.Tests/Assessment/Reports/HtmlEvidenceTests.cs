using System.Text.RegularExpressions;
using Bulwark.Assessment;
using Bulwark.Assessment.Reports;

namespace Bulwark.Tests.Assessment.Reports;

public sealed class HtmlEvidenceTests
{
    [Fact]
    public void Difference_image_puts_no_change_at_mid_grey_and_the_largest_change_at_the_ends()
    {
        var evidence = new ImageExamplesEvidence("x", 1, 1, 4, 0, 1, [], []);
        var example = new ImageExample([0.5f, 0.5f, 0.5f, 0.5f], [0.5f, 0.75f, 0.25f, 0.625f], 0, 1);

        var pngs = HtmlEvidence.ImagePngs(evidence, example);

        Assert.NotNull(pngs);
        Assert.Equal(new byte[] { 128, 128, 128, 128 }, PngDecoder.Decode(pngs[0]).Pixels);
        Assert.Equal(new byte[] { 128, 191, 64, 159 }, PngDecoder.Decode(pngs[1]).Pixels);
        Assert.Equal(new byte[] { 128, 255, 0, 191 }, PngDecoder.Decode(pngs[2]).Pixels);
    }

    [Fact]
    public void Pixels_that_do_not_fit_the_shape_give_no_images()
    {
        var evidence = new ImageExamplesEvidence("x", 1, 2, 2, 0, 1, [], []);
        Assert.Null(HtmlEvidence.ImagePngs(evidence, new ImageExample(new float[3], new float[4], 0, 0)));
    }

    [Fact]
    public void Rgb_examples_become_rgb_images()
    {
        var evidence = new ImageExamplesEvidence("x", 3, 1, 2, 0, 1, [], []);
        float[] red = [1, 1, 0, 0, 0, 0], green = [0, 0, 1, 1, 0, 0];

        var pngs = HtmlEvidence.ImagePngs(evidence, new ImageExample(red, green, 0, 1));

        Assert.NotNull(pngs);
        var original = PngDecoder.Decode(pngs[0]);
        Assert.Equal(3, original.Channels);
        Assert.Equal(new byte[] { 255, 0, 0, 255, 0, 0 }, original.Pixels);
        Assert.Equal(new byte[] { 0, 255, 128, 0, 255, 128 }, PngDecoder.Decode(pngs[2]).Pixels);
    }

    [Fact]
    public void A_chart_is_an_inline_svg_with_its_labels_as_text_and_page_unique_ids()
    {
        var chart = new ChartEvidence("t", "ε (L∞)", "robust <accuracy>",
            [new ChartSeries("a & b", [0, 0.1, 0.2], [0.9, double.NaN, 0.1]), new ChartSeries("c", [0, 1], [1, 0])]);

        string svg = ChartSvg.Render(chart, "f1-2-e3");

        Assert.StartsWith("<svg viewBox=\"0 0 ", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<?xml", svg, StringComparison.Ordinal);
        Assert.Contains("ε (L∞)", svg, StringComparison.Ordinal);
        Assert.Contains("robust &lt;accuracy&gt;", svg, StringComparison.Ordinal);
        Assert.Contains("a &amp; b", svg, StringComparison.Ordinal);
        var ids = Regex.Matches(svg, "id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.StartsWith("f1-2-e3-", id, StringComparison.Ordinal));
        Assert.Equal(svg, ChartSvg.Render(chart, "f1-2-e3"));
    }

    [Fact]
    public void A_chart_without_points_still_draws_its_axes()
    {
        string none = ChartSvg.Render(new ChartEvidence("t", "x", "y", []), "a");
        string empty = ChartSvg.Render(new ChartEvidence("t", "x", "y", [new ChartSeries("s", [], []), new ChartSeries("nan", [double.NaN], [1])]), "b");

        Assert.Matches("<text[^>]*>\\s*x\\s*</text>", none);
        Assert.Matches("<text[^>]*>\\s*y\\s*</text>", empty);
    }
}
