using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CnnGen.Build;
using CnnGen.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Onnx;

/// <summary>
/// ONNX's own backend test suite as Debian's libonnx-testdata installs it: every model.onnx (node tests of every
/// operator, PyTorch exports, simple and real models) reads and round-trips through the text form, every
/// input_*.pb and output_*.pb of a tensor value reads with ReadTensor, and both match what the onnx Python package reads
/// from the same files (OnnxCanonical). Counts go to the test output.
/// </summary>
public sealed class OnnxTestDataTests
{
    /// <summary>Models expected not to read, with the reason. None at present: every model of the suite reads.</summary>
    private static readonly Dictionary<string, string> ModelsThatDoNotRead = new();

    private readonly ITestOutputHelper _output;

    public OnnxTestDataTests(ITestOutputHelper output) => _output = output;

    private static IReadOnlyList<string> Models() =>
        Directory.EnumerateFiles(OnnxFiles.TestData, "model.onnx", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal).ToList();

    private static string Relative(string path) => Path.GetRelativePath(OnnxFiles.TestData, path);

    /// <summary>Each test data file of a model's folder, with the graph value it holds (input_3.pb: the graph's fourth input).</summary>
    private static IEnumerable<(string Path, OnnxValueInfo? Value)> TensorFiles(string modelPath, OnnxModel? model)
    {
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(modelPath)!, "*.pb", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
        {
            var match = Regex.Match(Path.GetFileName(file), @"^(input|output)_(\d+)\.pb$");
            OnnxValueInfo? value = null;
            if (match.Success && model is not null)
            {
                var values = match.Groups[1].Value == "input" ? model.Graph.Inputs : model.Graph.Outputs;
                int index = int.Parse(match.Groups[2].Value);
                if (index < values.Count) value = values[index];
            }
            yield return (file, value);
        }
    }

    [OnnxTestDataFact]
    public void EveryModelReadsAndItsTextReadsBackEqual()
    {
        var failures = new List<string>();
        var byFolder = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int models = 0, nodes = 0, initializers = 0, blobTensors = 0, subgraphModels = 0, nonTensorValues = 0;
        long textChars = 0, weightBytes = 0;
        var dataTypes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in Models())
        {
            string name = Relative(path);
            models++;
            string folder = name.Split('/')[0];
            byFolder[folder] = byFolder.GetValueOrDefault(folder) + 1;
            var result = OnnxProtobuf.Read(File.ReadAllBytes(path));
            if (!result.Succeeded)
            {
                if (!ModelsThatDoNotRead.ContainsKey(name)) failures.Add($"{name}: {result.Error}");
                continue;
            }
            var model = result.Model!;
            string text = OnnxText.Write(model);
            var back = OnnxText.Read(text);
            if (!back.Succeeded) failures.Add($"{name}: its text does not read back: {back.Error}");
            else if (back.Model != model) failures.Add($"{name}: its text reads back as another model");

            nodes += model.Graph.Nodes.Count;
            initializers += model.Graph.Initializers.Count;
            foreach (var t in AllTensors(model.Graph))
            {
                dataTypes.Add(t.DataTypeName);
                if (t.Data is OnnxTensorData.Blob blob)
                {
                    blobTensors++;
                    if (blob.Offset + blob.Length > result.Weights.Length) failures.Add($"{name}: tensor '{t.Name}' lies past the end of the weights");
                }
            }
            if (model.Graph.Nodes.Any(n => n.Attributes.Any(a => a is OnnxAttribute.Graph or OnnxAttribute.Graphs))) subgraphModels++;
            nonTensorValues += model.Graph.Inputs.Concat(model.Graph.Outputs).Count(v => v.Kind != OnnxTypeKind.Tensor);
            textChars += text.Length;
            weightBytes += result.Weights.Length;
        }

        _output.WriteLine($"libonnx-testdata: {models} models read ({string.Join(", ", byFolder.Select(f => $"{f.Key} {f.Value}"))}), {failures.Count} failures, {ModelsThatDoNotRead.Count} expected");
        _output.WriteLine($"  {nodes} nodes, {initializers} initializers, {blobTensors} FLOAT tensors in weights blobs ({weightBytes:N0} bytes), {textChars:N0} characters of text");
        _output.WriteLine($"  {subgraphModels} models with subgraphs (If, Loop, Scan...), {nonTensorValues} graph inputs and outputs that are no tensors (sequences, optionals, maps)");
        _output.WriteLine($"  tensor data types met: {string.Join(", ", dataTypes)}");
        Assert.True(models > 1000, $"only {models} models under {OnnxFiles.TestData}");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }

    [OnnxTestDataFact]
    public void EveryTensorFileOfATensorValueReadsAndTheOthersNeverThrow()
    {
        int files = 0, read = 0, notTensors = 0, notTensorsRead = 0;
        var failures = new List<string>();
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var dataTypes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var modelPath in Models())
        {
            var model = OnnxProtobuf.Read(File.ReadAllBytes(modelPath)).Model;
            foreach (var (path, value) in TensorFiles(modelPath, model))
            {
                files++;
                var result = OnnxProtobuf.ReadTensor(File.ReadAllBytes(path));
                Assert.True(result.Succeeded ^ (result.Error is not null));
                if (result.Error?.Contains("internal error") == true) failures.Add($"{Relative(path)}: {result.Error}");
                if (value is null || value.Kind != OnnxTypeKind.Tensor)
                {
                    // a SequenceProto, OptionalProto or MapProto: ONNX's runner parses it by the value's type; as a TensorProto it is nonsense
                    notTensors++;
                    if (result.Succeeded) notTensorsRead++;
                    string kind = value is null ? "no graph value" : value.Kind.ToString();
                    reasons[kind] = reasons.GetValueOrDefault(kind) + 1;
                    continue;
                }
                if (!result.Succeeded)
                {
                    failures.Add($"{Relative(path)}: {result.Error}");
                    continue;
                }
                read++;
                var tensor = result.Tensor!;
                dataTypes[tensor.DataTypeName] = dataTypes.GetValueOrDefault(tensor.DataTypeName) + 1;
                // ONNX 1.12 wrote the BFLOAT16 values of its Cast tests as UINT16 tensors of the same bits (numpy has no bfloat16)
                bool bfloat16AsUInt16 = value.ElementType == OnnxDataType.BFloat16 && tensor.DataType == OnnxDataType.UInt16;
                if (tensor.DataType != value.ElementType && value.ElementType != OnnxDataType.Undefined && !bfloat16AsUInt16)
                    failures.Add($"{Relative(path)}: a {tensor.DataTypeName} tensor for a value of type {OnnxDataTypes.OnnxName(value.ElementType)}");
            }
        }

        _output.WriteLine($"libonnx-testdata: {files} tensor files: {read} of tensor values read, {failures.Count} failures; "
            + $"{notTensors} hold values that are no tensors ({string.Join(", ", reasons.Select(r => $"{r.Key} {r.Value}"))}): "
            + $"{notTensors - notTensorsRead} refused, {notTensorsRead} happen to parse as a TensorProto");
        _output.WriteLine($"  data types read: {string.Join(", ", dataTypes.Select(d => $"{d.Key} {d.Value}"))}");
        Assert.True(files > 3000, $"only {files} tensor files");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }

    [OnnxTestDataFact(NeedsPython = true)]
    public void EveryModelAndTensorReadsAsTheOnnxPackageReadsIt()
    {
        var models = Models();
        var tensorFiles = models.SelectMany(m => TensorFiles(m, OnnxProtobuf.Read(File.ReadAllBytes(m)).Model))
            .Where(f => f.Value is { Kind: OnnxTypeKind.Tensor }).Select(f => f.Path).ToList();
        var paths = models.Concat(tensorFiles).ToList();
        var expected = OnnxCanonical.Python(paths);

        var mismatches = new List<string>();
        for (int i = 0; i < paths.Count; i++)
        {
            string actual;
            if (i < models.Count)
            {
                var result = OnnxProtobuf.Read(File.ReadAllBytes(paths[i]));
                actual = result.Succeeded ? OnnxCanonical.Model(result.Model!, result.Weights) : result.Error!;
            }
            else
            {
                var result = OnnxProtobuf.ReadTensor(File.ReadAllBytes(paths[i]));
                actual = result.Succeeded ? OnnxCanonical.TensorFile(result.Tensor!) : result.Error!;
            }
            if (actual != expected[i]) mismatches.Add($"{Relative(paths[i])}:\n  onnx:   {Around(expected[i], actual)}\n  CnnGen: {Around(actual, expected[i])}");
        }
        _output.WriteLine($"onnx {typeof(OnnxCanonical).Name}: {models.Count} models and {tensorFiles.Count} tensor files compared with the onnx package, {mismatches.Count} differ");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
    }

    /// <summary>The part of <paramref name="text"/> around its first difference from <paramref name="other"/>.</summary>
    internal static string Around(string text, string other)
    {
        int i = 0;
        while (i < text.Length && i < other.Length && text[i] == other[i]) i++;
        int start = Math.Max(0, i - 80);
        return (start > 0 ? "..." : "") + text.Substring(start, Math.Min(200, text.Length - start));
    }

    private static IEnumerable<OnnxTensor> AllTensors(OnnxGraph graph) =>
        graph.Initializers.Concat(graph.Nodes.SelectMany(n => n.Attributes).SelectMany(a => a switch
        {
            OnnxAttribute.Tensor t => new[] { t.Value },
            OnnxAttribute.Tensors ts => ts.Values.ToArray(),
            OnnxAttribute.Graph g => AllTensors(g.Value).ToArray(),
            OnnxAttribute.Graphs gs => gs.Values.SelectMany(AllTensors).ToArray(),
            _ => Array.Empty<OnnxTensor>(),
        }));
}
