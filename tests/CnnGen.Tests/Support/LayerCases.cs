using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace CnnGen.Tests.Support;

/// <summary>
/// One case of a cases.json made by PyTorch (tests/fixtures/layers, tests/fixtures/blocks). A "run"
/// case has NAME.cs (compiled into this assembly), NAME.params.f32, NAME.input.f32 (<see cref="Batch"/>
/// samples), NAME.expected.f32 and NAME.safetensors; an "error" case has NAME.cs only, which must not
/// compile, and the 1-based <see cref="Line"/> of the attribute at fault.
/// </summary>
public sealed record FixtureCase(string Folder, string Name, string Kind, int Batch, int[] InputShape, int[] OutputShape, int OutputLength, int Parameters, int Line)
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<FixtureCase>> Folders = new();

    public bool IsRun => Kind == "run";

    public bool IsError => Kind == "error";

    /// <summary>Every case in tests/fixtures/<paramref name="folder"/>/cases.json, in its order.</summary>
    public static IReadOnlyList<FixtureCase> In(string folder) => Folders.GetOrAdd(folder, Read);

    /// <summary>A file of the case as copied beside the test assembly: "params.f32", "safetensors".</summary>
    public string PathOf(string extension) => FixtureFiles.PathOf($"{Name}.{extension}", Folder);

    /// <summary>NAME.PART.f32 of the case: "params", "input", "expected".</summary>
    public float[] ReadFloats(string part) => FixtureFiles.ReadFloats($"{Name}.{part}.f32", Folder);

    /// <summary>The case's NAME.cs in the source tree (the error cases are not copied beside the assembly).</summary>
    public string SourcePath => Path.Combine(SourceDirectory(Folder), Name + ".cs");

    /// <summary>tests/fixtures/<paramref name="folder"/> in the source tree.</summary>
    public static string SourceDirectory(string folder, [CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "fixtures", folder));

    private static IReadOnlyList<FixtureCase> Read(string folder)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FixtureFiles.PathOf("cases.json", folder)));
        return document.RootElement.EnumerateArray().Select(e => new FixtureCase(
            folder,
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

/// <summary>The layers' cases: tests/fixtures/layers/cases.json.</summary>
public static class LayerCase
{
    public const string Folder = "layers";

    /// <summary>Every case in cases.json, in its order.</summary>
    public static IReadOnlyList<FixtureCase> All => FixtureCase.In(Folder);

    public static FixtureCase Named(string name) => All.Single(c => c.Name == name);
}

/// <summary>The blocks' cases: tests/fixtures/blocks/cases.json (written by tests/torch/block_cases.py).</summary>
public static class BlockCase
{
    public const string Folder = "blocks";

    /// <summary>Every case in cases.json, in its order.</summary>
    public static IReadOnlyList<FixtureCase> All => FixtureCase.In(Folder);

    public static FixtureCase Named(string name) => All.Single(c => c.Name == name);
}
