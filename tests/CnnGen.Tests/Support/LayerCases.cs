using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace CnnGen.Tests.Support;

/// <summary>
/// One case of tests/fixtures/layers/cases.json, made by PyTorch. A "run" case has NAME.cs (compiled
/// into this assembly), NAME.params.f32, NAME.input.f32 (<see cref="Batch"/> samples),
/// NAME.expected.f32 and NAME.safetensors; an "error" case has NAME.cs only, which must not compile,
/// and the 1-based <see cref="Line"/> of the attribute at fault.
/// </summary>
public sealed record LayerCase(string Name, string Kind, int Batch, int[] InputShape, int[] OutputShape, int OutputLength, int Parameters, int Line)
{
    public const string Folder = "layers";

    public bool IsRun => Kind == "run";

    public bool IsError => Kind == "error";

    /// <summary>Every case in cases.json, in its order.</summary>
    public static IReadOnlyList<LayerCase> All { get; } = Read();

    public static LayerCase Named(string name) => All.Single(c => c.Name == name);

    private static List<LayerCase> Read()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FixtureFiles.PathOf("cases.json", Folder)));
        return document.RootElement.EnumerateArray().Select(e => new LayerCase(
            e.GetProperty("name").GetString()!,
            e.GetProperty("kind").GetString()!,
            Int(e, "batch"),
            Ints(e, "input_shape"),
            Ints(e, "output_shape"),
            Int(e, "output_length"),
            Int(e, "params"),
            Int(e, "line"))).ToList();
    }

    private static int Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetInt32() : -1;

    private static int[] Ints(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.EnumerateArray().Select(x => x.GetInt32()).ToArray() : System.Array.Empty<int>();
}
