using Bulwark.Engine.IO;

namespace Bulwark.Engine.Tests.IO;

/// <summary>The Python literal subset that .npy headers use.</summary>
public class PythonLiteralTests
{
    [Fact]
    public void Dicts_tuples_lists_strings_integers_and_constants_are_parsed()
    {
        var value = PythonLiteral.Parse("{'a': (1, -2,), \"b\": [3, 4L], 'c': (), 'd': (5,), 'e': (6), 'f': True, 'g': None, 'h': 'x\\'y\\n\\x41', }");
        var dict = Assert.IsType<Dictionary<string, object?>>(value);
        Assert.Equal([1L, -2L], Assert.IsType<PythonLiteral.PyTuple>(dict["a"]).Items);
        Assert.Equal([3L, 4L], Assert.IsType<List<object?>>(dict["b"]));
        Assert.Empty(Assert.IsType<PythonLiteral.PyTuple>(dict["c"]).Items);
        Assert.Equal([5L], Assert.IsType<PythonLiteral.PyTuple>(dict["d"]).Items);
        Assert.Equal(6L, dict["e"]);
        Assert.Equal(true, dict["f"]);
        Assert.Null(dict["g"]);
        Assert.Equal("x'y\nA", dict["h"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{'a' 1}")]
    [InlineData("{'a': 1 'b': 2}")]
    [InlineData("{1: 2}")]
    [InlineData("(,)")]
    [InlineData("(1,,)")]
    [InlineData("'abc")]
    [InlineData("1.5")]
    [InlineData("0x10")]
    [InlineData("-")]
    [InlineData("print('hi')")]
    [InlineData("__import__('os')")]
    [InlineData("{'a': 1} extra")]
    [InlineData("'\\x4'")]
    public void Malformed_or_executable_text_is_refused(string text)
    {
        Assert.Throws<FormatException>(() => PythonLiteral.Parse(text));
    }

    [Fact]
    public void Deep_nesting_is_refused_instead_of_overflowing_the_stack()
    {
        var ex = Assert.Throws<FormatException>(() => PythonLiteral.Parse(new string('[', 100_000)));
        Assert.Contains("nested", ex.Message, StringComparison.Ordinal);
    }
}
