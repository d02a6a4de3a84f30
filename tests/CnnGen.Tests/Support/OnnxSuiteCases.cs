using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Build;
using CnnGen.Onnx;

namespace CnnGen.Tests.Support;

/// <summary>
/// The cases of ONNX's backend test suite (Debian's libonnx-testdata) as [OnnxModel] networks: each case folder's
/// model.onnx with every graph input but the first turned into an initializer holding that case's data
/// (test_data_set_0/input_k.pb), the first input's samples and the expected output_0.pb. Cases a CNN runner cannot
/// pose (several graph outputs, a first input that is no FLOAT tensor, missing test data) are dropped with the reason.
/// </summary>
internal static class OnnxSuiteCases
{
    public const string Root = "/usr/share/libonnx-testdata/data";

    /// <summary>The folders of the package with cases, in this order.</summary>
    public static readonly string[] Folders = { "node", "pytorch-converted", "pytorch-operator", "simple", "real" };

    /// <summary>A case ready to import, or dropped with <see cref="Dropped"/> its reason.</summary>
    public sealed record Case(string Name, string? Dropped)
    {
        /// <summary>The model with the case's data as initializers (null when dropped).</summary>
        public OnnxModel? Model { get; init; }

        public byte[] Blob { get; init; } = Array.Empty<byte>();

        /// <summary>The first input's data, N samples one after another (NCHW order within each).</summary>
        public float[] Input { get; init; } = Array.Empty<float>();

        public long[] InputDims { get; init; } = Array.Empty<long>();

        /// <summary>output_0.pb's values (null when it holds no floats: then only a refusal is right).</summary>
        public float[]? Expected { get; init; }

        public long[] ExpectedDims { get; init; } = Array.Empty<long>();

        public string ExpectedType { get; init; } = "";

        /// <summary>The first input's first dimension: the number of samples.</summary>
        public int Samples => InputDims.Length == 0 ? 1 : (int)InputDims[0];
    }

    /// <summary>Every case folder (one holding model.onnx or test data), sorted, as "folder/case".</summary>
    public static IReadOnlyList<string> Names() =>
        Folders.Where(f => Directory.Exists(Path.Combine(Root, f)))
            .SelectMany(f => Directory.EnumerateDirectories(Path.Combine(Root, f)).Select(d => f + "/" + Path.GetFileName(d)).OrderBy(n => n, StringComparer.Ordinal))
            .ToList();

    /// <summary>Reads and prepares one case; never throws for a case's content (an exception here is the test's failure, reported by the caller).</summary>
    public static Case Prepare(string name) => Prepare(Root, name);

    /// <summary>A case of the suite's layout under another root (cases copied into the repository).</summary>
    public static Case Prepare(string root, string name)
    {
        string folder = Path.Combine(root, name);
        string modelPath = Path.Combine(folder, "model.onnx");
        if (!File.Exists(modelPath)) return new Case(name, "no model.onnx (the package ships only its download description)");
        string data = Path.Combine(folder, "test_data_set_0");
        if (!Directory.Exists(data)) return new Case(name, "no test_data_set_0");
        var read = OnnxProtobuf.Read(File.ReadAllBytes(modelPath));
        if (read.Model is null) return new Case(name, "model.onnx does not read: " + read.Error);
        var model = read.Model;
        var graph = model.Graph;
        if (graph.Outputs.Count != 1) return new Case(name, $"{graph.Outputs.Count} graph outputs");
        var initializerNames = new HashSet<string>(graph.Initializers.Select(t => t.Name), StringComparer.Ordinal);
        var inputs = graph.Inputs.Where(i => !initializerNames.Contains(i.Name)).ToList();
        if (inputs.Count == 0) return new Case(name, "no graph input");
        var first = inputs[0];
        if (first.Kind != OnnxTypeKind.Tensor) return new Case(name, $"first input is a {first.Kind}, no tensor");
        if (first.ElementType != OnnxDataType.Float) return new Case(name, $"first input is {OnnxDataTypes.OnnxName(first.ElementType)}, not FLOAT");
        if (graph.Outputs[0].Kind != OnnxTypeKind.Tensor) return new Case(name, $"the output is a {graph.Outputs[0].Kind}, no tensor");

        // every input but the first becomes an initializer holding the case's data
        var added = new List<OnnxTensor>();
        for (int k = 1; k < inputs.Count; k++)
        {
            string file = Path.Combine(data, $"input_{k}.pb");
            if (!File.Exists(file)) return new Case(name, $"no input_{k}.pb for input '{inputs[k].Name}' (an optional input the case omits)");
            if (inputs[k].Kind != OnnxTypeKind.Tensor) return new Case(name, $"input {k} '{inputs[k].Name}' is a {inputs[k].Kind}, which no initializer holds");
            var tensor = OnnxProtobuf.ReadTensor(File.ReadAllBytes(file));
            if (tensor.Tensor is null) return new Case(name, $"input_{k}.pb does not read: {tensor.Error}");
            added.Add(tensor.Tensor with { Name = inputs[k].Name });
        }
        string inputFile = Path.Combine(data, "input_0.pb"), outputFile = Path.Combine(data, "output_0.pb");
        if (!File.Exists(inputFile) || !File.Exists(outputFile)) return new Case(name, "no input_0.pb or output_0.pb");
        var input = OnnxProtobuf.ReadTensor(File.ReadAllBytes(inputFile));
        if (input.Tensor is not { Data: OnnxTensorData.Floats inputValues } inputTensor || input.Tensor.DataType != OnnxDataType.Float)
            return new Case(name, "input_0.pb holds no FLOAT values: " + (input.Error ?? input.Tensor!.DataTypeName));
        var output = OnnxProtobuf.ReadTensor(File.ReadAllBytes(outputFile));
        if (output.Tensor is null) return new Case(name, "output_0.pb does not read: " + output.Error);

        var addedNames = new HashSet<string>(added.Select(t => t.Name), StringComparer.Ordinal);
        var prepared = model with
        {
            Graph = graph with
            {
                Inputs = new OnnxArray<OnnxValueInfo>(graph.Inputs.Where(i => !addedNames.Contains(i.Name))),
                Initializers = new OnnxArray<OnnxTensor>(graph.Initializers.Concat(added)),
            },
        };
        return new Case(name, null)
        {
            Model = prepared,
            Blob = read.Weights,
            Input = inputValues.Values.ToArray(),
            InputDims = inputTensor.Dims.ToArray(),
            Expected = output.Tensor.DataType == OnnxDataType.Float && output.Tensor.Data is OnnxTensorData.Floats f ? f.Values.ToArray() : null,
            ExpectedDims = output.Tensor.Dims.ToArray(),
            ExpectedType = output.Tensor.DataTypeName,
        };
    }

    /// <summary>A C# class name for a case: its index (unique, found again in generated files) and its name.</summary>
    public static string ClassName(int index, string name)
    {
        var b = new StringBuilder("Case" + index.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) + "_");
        foreach (char c in name.Substring(name.IndexOf('/') + 1)) b.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return b.ToString();
    }

    /// <summary>
    /// Whether <paramref name="actual"/> is within the suite's tolerance of <paramref name="expected"/>:
    /// |a - e| &lt;= 1e-4 * max(1, |e|) (relative above 1, absolute below); NaN matches NaN, infinities must be equal.
    /// </summary>
    public static bool Close(float actual, float expected)
    {
        if (float.IsNaN(expected) || float.IsNaN(actual)) return float.IsNaN(expected) && float.IsNaN(actual);
        if (float.IsInfinity(expected) || float.IsInfinity(actual)) return actual == expected;
        return Math.Abs((double)actual - expected) <= 1e-4 * Math.Max(1.0, Math.Abs((double)expected));
    }
}
