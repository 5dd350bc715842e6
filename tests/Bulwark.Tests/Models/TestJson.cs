using System.Text.Json.Serialization;

namespace Bulwark.Tests.Models;

/// <summary>JSON metadata for the plain values the test server writes.</summary>
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(float[][]))]
internal sealed partial class TestJson : JsonSerializerContext;
