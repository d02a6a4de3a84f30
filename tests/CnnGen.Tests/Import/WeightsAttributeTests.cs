using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Import;

/// <summary>
/// [Weights("net.safetensors")]: the file is checked against the network at build time (every tensor it needs, by name,
/// dtype and shape; others ignored) and embedded, so the parameterless constructor gives a network ready to run.
/// </summary>
public sealed class WeightsAttributeTests
{
    private const string Key = "weights/LeNet5.safetensors";

    /// <summary>The LeNet-5 fixture's declaration with [Weights] on it.</summary>
    private static string LeNet(string attribute = $"[global::CnnGen.Weights(\"{Key}\")]") =>
        File.ReadAllText(Path.Combine(FixtureCase.SourceDirectory("."), "LeNet5.cs"))
            .Replace("namespace Fixtures;", "namespace Weighted;")
            .Replace("public partial class LeNet5", attribute + "\npublic partial class LeNet5");

    private static byte[] Good => File.ReadAllBytes(Path.Combine(FixtureCase.SourceDirectory("."), "LeNet5.safetensors"));

    [Fact]
    public void The_parameterless_constructor_loads_the_embedded_file()
    {
        var built = OnnxHarness.RunWeights(Good, Key, LeNet());
        var assembly = OnnxHarness.Load(built);
        var network = (INetwork)Activator.CreateInstance(assembly.GetType("Weighted.LeNet5")!)!;
        var input = FixtureFiles.ReadFloats("LeNet5.input.f32");
        var output = new float[input.Length / network.InputLength * network.OutputLength];
        network.ForwardBatch(input, output);
        FixtureFiles.AssertMatches(FixtureFiles.ReadFloats("LeNet5.expected.f32"), output, "LeNet5 with [Weights]");
    }

    [Fact]
    public void Tensors_the_network_does_not_use_are_ignored()
    {
        var tensors = Safetensors(Good).Append(("num_batches_tracked", "I64", new long[0], new byte[8])).ToList();
        var built = OnnxHarness.RunWeights(Write(tensors), Key, LeNet());
        Assert.Empty(Errors(built));
    }

    [Fact]
    public void A_missing_tensor_is_an_error_on_the_attribute_naming_it()
    {
        var tensors = Safetensors(Good).Where(t => t.Name != "3.bias").ToList();
        var built = OnnxHarness.RunWeights(Write(tensors), Key, LeNet());
        var error = Assert.Single(Errors(built));
        Assert.Equal("CNN0034", error.Id);
        Assert.Equal($"'{Key}' lacks the tensor '3.bias': the network needs F32 [16]", error.GetMessage());
        AssertOnAttribute(built, error, "global::CnnGen.Weights(");
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_or_dtype_is_an_error_naming_expected_and_found()
    {
        var tensors = Safetensors(Good).Select(t =>
            t.Name == "0.weight" ? (t.Name, t.DType, new long[] { 6, 1, 25 }, t.Data)
            : t.Name == "9.bias" ? (t.Name, "F16", t.Shape, t.Data.Take(t.Data.Length / 2).ToArray())
            : t).ToList();
        var errors = Errors(OnnxHarness.RunWeights(Write(tensors), Key, LeNet()));
        Assert.Equal(new[]
        {
            $"'{Key}' has '0.weight' as F32 [6, 1, 25]; the network needs F32 [6, 1, 5, 5]",
            $"'{Key}' has '9.bias' as F16 [84]; the network needs F32 [84]",
        }, errors.Select(e => e.GetMessage()).ToArray());
        Assert.All(errors, e => Assert.Equal("CNN0034", e.Id));
    }

    [Fact]
    public void Another_networks_file_is_a_few_errors_not_one_per_tensor()
    {
        var tensors = Safetensors(Good).Select(t => ("other." + t.Name, t.DType, t.Shape, t.Data)).ToList();
        var errors = Errors(OnnxHarness.RunWeights(Write(tensors), Key, LeNet()));
        Assert.Equal(6, errors.Count);
        Assert.EndsWith("does not fit the network in 5 more tensors", errors[5].GetMessage());
    }

    [Fact]
    public void A_file_not_among_the_additional_files_says_what_to_add()
    {
        var error = Assert.Single(Errors(OnnxHarness.RunWeights(Good, "elsewhere/net.safetensors", LeNet())));
        Assert.Equal("CNN0031", error.Id);
        Assert.Contains($"<AdditionalFiles Include=\"{Key}\" />", error.GetMessage());
    }

    [Fact]
    public void Weights_without_InputShape_or_with_a_parameterless_constructor_is_an_error()
    {
        var alone = Errors(OnnxHarness.RunWeights(Good, Key, $"[global::CnnGen.Weights(\"{Key}\")] public partial class Alone {{ }}"));
        Assert.Equal("CNN0035", Assert.Single(alone).Id);
        Assert.Contains("no [InputShape]", alone[0].GetMessage());
        var constructor = Errors(OnnxHarness.RunWeights(Good, Key, LeNet().Replace("public partial class LeNet5 { }", "public partial class LeNet5 { public LeNet5() { } }")));
        Assert.Equal("CNN0035", Assert.Single(constructor).Id);
        Assert.Contains("parameterless constructor", constructor[0].GetMessage());
    }

    private static List<Diagnostic> Errors(OnnxHarness.Built built) =>
        built.Result.GeneratorDiagnostics.Concat(built.Result.Output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    private static void AssertOnAttribute(OnnxHarness.Built built, Diagnostic error, string start)
    {
        var tree = built.Result.Output.SyntaxTrees.Single(t => t.FilePath == error.Location.GetLineSpan().Path);
        Assert.StartsWith(start, tree.GetText().ToString(error.Location.SourceSpan));
    }

    // ---- safetensors files, minimal: what the tests change is the header ----

    private static List<(string Name, string DType, long[] Shape, byte[] Data)> Safetensors(byte[] file)
    {
        long headerLength = BitConverter.ToInt64(file, 0);
        using var json = System.Text.Json.JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)headerLength));
        var result = new List<(string, string, long[], byte[])>();
        foreach (var entry in json.RootElement.EnumerateObject().Where(e => e.Name != "__metadata__"))
        {
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            result.Add((entry.Name, entry.Value.GetProperty("dtype").GetString()!, entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                file.Skip((int)(8 + headerLength + offsets[0])).Take((int)(offsets[1] - offsets[0])).ToArray()));
        }
        return result;
    }

    private static byte[] Write(IEnumerable<(string Name, string DType, long[] Shape, byte[] Data)> tensors)
    {
        var header = new StringBuilder("{");
        var data = new MemoryStream();
        foreach (var t in tensors)
        {
            if (header.Length > 1) header.Append(',');
            header.Append($"\"{t.Name}\":{{\"dtype\":\"{t.DType}\",\"shape\":[{string.Join(",", t.Shape)}],\"data_offsets\":[{data.Length},{data.Length + t.Data.Length}]}}");
            data.Write(t.Data);
        }
        header.Append('}');
        var headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        return BitConverter.GetBytes((long)headerBytes.Length).Concat(headerBytes).Concat(data.ToArray()).ToArray();
    }
}
