using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using CnnGen.Build;
using CnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace CnnGen.Tests.Support;

/// <summary>
/// Runs [OnnxModel] as a build does, in memory: the build step's conversion (OnnxProtobuf and the text form), the
/// text as an additional file with the metadata the package's targets give it, the generator, and the weights blob
/// as the assembly's manifest resource.
/// </summary>
internal static class OnnxHarness
{
    public sealed record Built(GeneratorHarness.Result Result, byte[] Blob, string Resource, CnnGen.Onnx.OnnxModel Model)
    {
        /// <summary>The state as the model's initializers give it, read here by name: an independent check of the constructor's loading.</summary>
        public float[] Parameters(NetworkSpec spec)
        {
            var values = new float[spec.ParameterCount];
            foreach (var p in spec.Parameters)
            {
                var tensor = Model.Graph.Initializers.SingleOrDefault(t => t.Name == Aliased(p.Name));
                var data = tensor is null ? Made(p.Name, p.Length) : Floats(tensor);
                Assert.Equal(p.Length, data.Length);
                data.CopyTo(values, p.Offset);
            }
            return values;
        }

        /// <summary>The initializer a name stands for through Identity nodes (PyTorch's exporter writes one tensor for equal ones, the others as Identity of it).</summary>
        private string Aliased(string name)
        {
            for (int hops = 0; hops < 100; hops++)
            {
                var identity = Model.Graph.Nodes.FirstOrDefault(n => n.OpType == "Identity" && n.Outputs.Count == 1 && n.Outputs[0] == name);
                if (identity is null) return name;
                name = identity.Inputs[0];
            }
            throw new InvalidOperationException(name + ": a cycle of Identity nodes");
        }

        private float[] Floats(CnnGen.Onnx.OnnxTensor tensor) => tensor.Data switch
        {
            CnnGen.Onnx.OnnxTensorData.Floats f => f.Values.ToArray(),
            CnnGen.Onnx.OnnxTensorData.Blob b => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Blob.AsSpan((int)b.Offset, (int)b.Length)).ToArray(),
            _ => throw new InvalidOperationException(tensor.Name + " holds no floats"),
        };

        /// <summary>
        /// A tensor the importer makes, NODE.role, for an Add, Sub, Mul or Div by one number per channel (a BatchNorm of
        /// epsilon 0), worked out here from the node by the README's rule: an independent check of what it makes.
        /// </summary>
        private float[] Made(string name, int length)
        {
            // the importer names a node by its name, else its first output
            static string NameOf(CnnGen.Onnx.OnnxNode n) => n.Name.Length > 0 ? n.Name : n.Outputs[0];
            var node = Model.Graph.Nodes.Single(n => name.StartsWith(NameOf(n) + ".", StringComparison.Ordinal));
            string role = name[(NameOf(node).Length + 1)..];
            bool constantFirst = Model.Graph.Initializers.Any(t => t.Name == node.Inputs[0]);
            float[] Repeat(float value) => Enumerable.Repeat(value, length).ToArray();
            return (node.OpType, constantFirst, role) switch
            {
                (_, _, "running_var") => Repeat(1f),
                (_, _, "running_mean") or (_, _, "bias") => Repeat(0f),
                ("Sub", true, "weight") => Repeat(-1f),
                ("Div", false, "weight") => Floats(Model.Graph.Initializers.Single(t => t.Name == node.Inputs[1])).Select(v => (float)(1.0 / v)).ToArray(),
                ("Add", _, "weight") or ("Sub", false, "weight") => Repeat(1f),
                _ => throw new InvalidOperationException($"{name}: no such tensor in the model or made by the importer"),
            };
        }
    }

    /// <summary>The class declaring the model, in namespace Imported.</summary>
    public static string Declaration(string className, string path) =>
        $"namespace Imported {{ [global::CnnGen.OnnxModel({SymbolDisplay.FormatLiteral(path, true)})] public partial class {className} {{ }} }}";

    /// <summary>Converts the model as the build step does and runs the generator on <paramref name="sources"/> with it.</summary>
    public static Built Run(byte[] model, string key, params string[] sources)
    {
        var read = OnnxProtobuf.Read(model);
        Assert.True(read.Model is not null, "the model does not read: " + read.Error);
        string text = CnnGen.Onnx.OnnxText.Write(read.Model!);
        string resource = "CnnGen.Weights." + key;
        var file = new InMemoryText("/project/obj/cnngen/" + key.Replace('/', '_') + ".cnngen.txt", text);
        var options = new Options(new Dictionary<string, string>
        {
            ["build_metadata.AdditionalFiles.CnnGenModel"] = key,
            ["build_metadata.AdditionalFiles.CnnGenResource"] = resource,
        });
        return new Built(RunWith(new AdditionalText[] { file }, options, sources), read.Weights, resource, read.Model!);
    }

    /// <summary>
    /// Converts a safetensors file as the build step does (its header as text, with metadata CnnGenWeights) and runs
    /// the generator on <paramref name="sources"/>; the file itself is the resource the assembly embeds.
    /// </summary>
    public static Built RunWeights(byte[] safetensors, string key, params string[] sources)
    {
        using var stream = new MemoryStream(safetensors);
        var read = SafetensorsHeaderReader.Read(stream);
        Assert.True(read.Header is not null, "the safetensors file does not read: " + read.Error);
        string text = CnnGen.Onnx.SafetensorsHeaderText.Write(read.Header!);
        string resource = "CnnGen.Weights." + key;
        var file = new InMemoryText("/project/obj/cnngen/" + key.Replace('/', '_') + ".cnngen.txt", text);
        var options = new Options(new Dictionary<string, string>
        {
            ["build_metadata.AdditionalFiles.CnnGenWeights"] = key,
            ["build_metadata.AdditionalFiles.CnnGenResource"] = resource,
        });
        var empty = new CnnGen.Onnx.OnnxModel(0, "", "", default, new CnnGen.Onnx.OnnxGraph("", default, default, default, default, default));
        return new Built(RunWith(new AdditionalText[] { file }, options, sources), safetensors, resource, empty);
    }

    /// <summary>One model of a compilation that imports several: the model as the build step read it, its weights blob, its key and the class declaring it.</summary>
    public sealed record ModelInput(CnnGen.Onnx.OnnxModel Model, byte[] Blob, string Key, string ClassName)
    {
        public string Resource => "CnnGen.Weights." + Key;

        public string TextPath => "/project/obj/cnngen/" + Key.Replace('/', '_') + ".cnngen.txt";
    }

    /// <summary>
    /// Several [OnnxModel] classes in one compilation, as a project with several models builds: each model's text form
    /// an additional file with its own metadata, each class declared in a source of its own (source i declares models[i]).
    /// </summary>
    public static GeneratorHarness.Result RunMany(IReadOnlyList<ModelInput> models)
    {
        var files = new List<AdditionalText>();
        var metadata = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var m in models)
        {
            files.Add(new InMemoryText(m.TextPath, CnnGen.Onnx.OnnxText.Write(m.Model)));
            metadata[m.TextPath] = new Dictionary<string, string>
            {
                ["build_metadata.AdditionalFiles.CnnGenModel"] = m.Key,
                ["build_metadata.AdditionalFiles.CnnGenResource"] = m.Resource,
            };
        }
        return RunWith(files.ToArray(), new PerFileOptions(metadata), models.Select(m => Declaration(m.ClassName, m.Key)).ToArray());
    }

    /// <summary>Emits a compilation with each model's weights as its manifest resource; the emit result says whether it compiled.</summary>
    public static (Microsoft.CodeAnalysis.Emit.EmitResult Result, byte[] Image) Emit(Compilation output, IEnumerable<ModelInput> models)
    {
        using var image = new MemoryStream();
        var resources = models.Select(m => new ResourceDescription(m.Resource, () => new MemoryStream(m.Blob), isPublic: true)).ToArray();
        var emitted = GeneratorHarness.AsConfigured(output).Emit(image, manifestResources: resources);
        return (emitted, image.ToArray());
    }

    /// <summary>Metadata per additional file, by its path; no global options.</summary>
    public sealed class PerFileOptions : AnalyzerConfigOptionsProvider
    {
        private static readonly FileOptions None = new(new Dictionary<string, string>());
        private readonly Dictionary<string, FileOptions> _byPath;

        public PerFileOptions(Dictionary<string, Dictionary<string, string>> metadata) =>
            _byPath = metadata.ToDictionary(m => m.Key, m => new FileOptions(m.Value), StringComparer.Ordinal);

        public override AnalyzerConfigOptions GlobalOptions => None;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _byPath.TryGetValue(textFile.Path, out var o) ? o : None;
    }

    /// <summary>The generator over sources with additional files and their metadata, as a project gives them.</summary>
    public static GeneratorHarness.Result RunWith(AdditionalText[] files, AnalyzerConfigOptionsProvider options, params string[] sources)
    {
        var driver = CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() }, files, GeneratorHarness.ParseOptions, options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        var run = driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compilation(sources), out var output, out var diagnostics);
        return new GeneratorHarness.Result(output, diagnostics, run.GetRunResult());
    }

    /// <summary>Compiles the output with the weights embedded as the build would, failing on any error, and loads it.</summary>
    public static Assembly Load(Built built)
    {
        using var image = new MemoryStream();
        var resources = new[] { new ResourceDescription(built.Resource, () => new MemoryStream(built.Blob), isPublic: true) };
        var emitted = GeneratorHarness.AsConfigured(built.Result.Output).Emit(image, manifestResources: resources);
        var errors = emitted.Diagnostics.Concat(built.Result.GeneratorDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The imported network does not compile:\n" + string.Join("\n", errors.Take(20)));
        image.Position = 0;
        return AssemblyLoadContext.Default.LoadFromStream(image);
    }

    public sealed class InMemoryText : AdditionalText
    {
        private readonly string _text;

        public InMemoryText(string path, string text)
        {
            Path = path;
            _text = text;
        }

        public override string Path { get; }

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(_text);
    }

    /// <summary>Every additional file gets the same metadata; no global options.</summary>
    public sealed class Options : AnalyzerConfigOptionsProvider
    {
        private readonly FileOptions _options;

        public Options(Dictionary<string, string> metadata) => _options = new FileOptions(metadata);

        public override AnalyzerConfigOptions GlobalOptions { get; } = new FileOptions(new Dictionary<string, string>());

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new FileOptions(new Dictionary<string, string>());

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _options;
    }

    private sealed class FileOptions : AnalyzerConfigOptions
    {
        private readonly Dictionary<string, string> _values;

        public FileOptions(Dictionary<string, string> values) => _values = values;

        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);
    }
}
