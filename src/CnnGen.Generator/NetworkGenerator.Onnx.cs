using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Onnx;
using CnnGen.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace CnnGen.Generator;

/// <summary>
/// The [OnnxModel] pipeline: the class's attribute, matched with the text form the package's build step made of
/// the model (an additional file with metadata CnnGenModel = the model's path), imported onto the IR and emitted
/// as an attribute-declared network is. Its diagnostics all sit on the [OnnxModel] attribute; their places travel
/// as data so the pipeline stays cacheable.
/// </summary>
public sealed partial class NetworkGenerator
{
    /// <summary>A diagnostic's place, as data: a Location is not equatable across compilations.</summary>
    private sealed record Place(string Path, TextSpan Span, LinePositionSpan Lines)
    {
        public Location ToLocation() => Location.Create(Path, Span, Lines);

        public static Place Of(Location location) => new(location.SourceTree?.FilePath ?? "", location.SourceSpan, location.GetLineSpan().Span);
    }

    /// <summary>A diagnostic to report, as data.</summary>
    private sealed record PendingDiagnostic(string DescriptorKey, Place Place, EquatableArray<string> Arguments);

    /// <summary>What the class declares: where it goes, the model's path, and what it must not have besides.</summary>
    private sealed record OnnxClass(NetworkClass? Class, string Name, string Path, Place Attribute, EquatableArray<ProblemInfo> Problems, string? Extra);

    /// <summary>What an additional file is to CnnGen: a converted model, a converted weights file, or one of those listed but not converted.</summary>
    private enum ModelFileKind
    {
        Model,
        Weights,
        Unconverted,
    }

    /// <summary>
    /// A file the build step converted, or a raw .onnx or .safetensors listed without conversion: its key (the path
    /// relative to the project, <see cref="ModelPaths.Key"/>) and its full path where the project's directory is known,
    /// either of which an attribute may name.
    /// </summary>
    private sealed record ModelFile(ModelFileKind Kind, string Key, string FullPath, string? Resource, string? Text);

    /// <summary>The class's result: its file (generated or stand-in) and its diagnostics.</summary>
    private sealed record ImportedNetwork(NetworkModel? Model, NetworkStandIn? StandIn, EquatableArray<PendingDiagnostic> Diagnostics);

    private const string ModelMetadata = "build_metadata.AdditionalFiles.CnnGenModel";
    private const string WeightsMetadata = "build_metadata.AdditionalFiles.CnnGenWeights";
    private const string ResourceMetadata = "build_metadata.AdditionalFiles.CnnGenResource";

    /// <summary>The model and weights files of the project, converted or not: every [OnnxModel] and [Weights] class looks its file up here.</summary>
    private static IncrementalValueProvider<ImmutableArray<ModelFile?>> ModelFiles(IncrementalGeneratorInitializationContext context)
    {
        var projectDirectory = context.AnalyzerConfigOptionsProvider.Select(static (o, _) =>
            o.GlobalOptions.TryGetValue("build_property.projectdir", out var dir) ? dir : "");
        return context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Combine(projectDirectory)
            .Select(static (pair, ct) => ModelFileOf(pair.Left.Left, pair.Left.Right, pair.Right, ct))
            .Where(static f => f is not null)
            .WithTrackingName(TrackingNames.ModelFiles)
            .Collect();
    }

    private static IncrementalValueProvider<ImmutableArray<GeneratedFile>> OnnxModels(IncrementalGeneratorInitializationContext context, IncrementalValueProvider<ImmutableArray<ModelFile?>> files)
    {
        var imported = context.SyntaxProvider
            .ForAttributeWithMetadataName(NetworkParser.OnnxModelAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => SafeReadOnnxClass(ctx, ct))
            .Combine(files)
            .Select(static (pair, ct) => SafeImport(pair.Left, pair.Right!, ct))
            .WithTrackingName(TrackingNames.OnnxImport);
        context.RegisterSourceOutput(imported, static (spc, network) =>
        {
            foreach (var d in network.Diagnostics)
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ByKey[d.DescriptorKey], d.Place.ToLocation(), d.Arguments.Select(a => (object)a).ToArray()));
        });
        var models = imported.Where(static n => n.Model is not null)
            .Select(static (n, _) => SafePlan(n.Model!))
            .Select(static (planned, ct) => SafeEmit(planned, ct))
            .WithTrackingName(TrackingNames.OnnxEmit);
        var standIns = imported.Where(static n => n.StandIn is not null).Select(static (n, _) => SafeEmitStandIn(n.StandIn!));
        return models.Collect().Combine(standIns.Collect()).Select(static (all, _) => all.Left.AddRange(all.Right));
    }

    private static ModelFile? ModelFileOf(AdditionalText text, AnalyzerConfigOptionsProvider options, string projectDirectory, CancellationToken ct)
    {
        var metadata = options.GetOptions(text);
        metadata.TryGetValue(ResourceMetadata, out var resource);
        // the build step's key is relative to the project (its full path only on another drive)
        ModelFile Converted(ModelFileKind kind, string key) =>
            new(kind, NormalizePath(key), ModelPaths.Full(projectDirectory, key), resource ?? "", text.GetText(ct)?.ToString() ?? "");
        if (metadata.TryGetValue(ModelMetadata, out var key) && key.Length > 0) return Converted(ModelFileKind.Model, key);
        if (metadata.TryGetValue(WeightsMetadata, out key) && key.Length > 0) return Converted(ModelFileKind.Weights, key);
        if (text.Path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || text.Path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            return new ModelFile(ModelFileKind.Unconverted, ModelPaths.Key(projectDirectory, text.Path), ModelPaths.Full(projectDirectory, text.Path), null, null);
        return null;
    }

    /// <summary>A path as an attribute or the build step writes it, '/' between parts, "." and ".." resolved (<see cref="ModelPaths.Key"/>).</summary>
    private static string NormalizePath(string path) => ModelPaths.Key("", path);

    /// <summary>The converted file of the path, matched exactly, else ignoring case; null with the error's text when there is none.</summary>
    private static ModelFile? FindFile(ImmutableArray<ModelFile?> files, ModelFileKind kind, string path, out string? missing)
    {
        var candidates = files.Where(f => f is not null).Select(f => f!).ToList();
        bool Names(ModelFile f, StringComparison comparison) => string.Equals(f.Key, path, comparison) || string.Equals(f.FullPath, path, comparison);
        var converted = candidates.FirstOrDefault(f => f.Kind == kind && Names(f, StringComparison.Ordinal))
            ?? candidates.FirstOrDefault(f => f.Kind == kind && Names(f, StringComparison.OrdinalIgnoreCase));
        missing = null;
        if (converted is not null) return converted;
        bool listed = candidates.Any(f => Names(f, StringComparison.OrdinalIgnoreCase));
        missing = listed
            ? $"'{path}' is in AdditionalFiles but was not converted before compilation: the CnnGen package's build targets (build/CnnGen.targets) convert .onnx and .safetensors files; reference the CnnGen package rather than its assemblies"
            : $"'{path}' is not among the project's AdditionalFiles: add <ItemGroup><AdditionalFiles Include=\"{path}\" /></ItemGroup> to the project file (the path is relative to the project directory)";
        return null;
    }

    private static OnnxClass SafeReadOnnxClass(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        var type = (INamedTypeSymbol)ctx.TargetSymbol;
        var attribute = ctx.Attributes[0];
        var place = Place.Of(attribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation() ?? ctx.TargetNode.GetLocation());
        try
        {
            var problems = new List<ProblemInfo>();
            var target = NetworkParser.Target(type, problems, ct);
            string path = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string s ? s : "";
            string? extra = NetworkParser.HasInputShape(type) ? "[InputShape]"
                : NetworkParser.FirstLayerAttribute(type) is { } layer ? "its layer attributes ([" + layer.AttributeClass!.Name.Replace("Attribute", "") + "], ...)"
                : NetworkParser.HasBlockAttribute(type) ? "[Block]"
                : NetworkParser.HasWeightsAttribute(type) ? "[Weights] (the model holds its weights)"
                : type.InstanceConstructors.Any(c => !c.IsImplicitlyDeclared && c.Parameters.Length == 0) ? "its parameterless constructor (the generated one loads the model's weights)"
                : null;
            return new OnnxClass(target, type.Name, path, place, new EquatableArray<ProblemInfo>(problems), extra);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var problem = new ProblemInfo(nameof(DiagnosticDescriptors.InternalError), -1, false, null, new EquatableArray<string>(new[] { type.Name, e.GetType().Name + ": " + e.Message }));
            return new OnnxClass(null, type.Name, "", place, new EquatableArray<ProblemInfo>(new[] { problem }), null);
        }
    }

    private static ImportedNetwork SafeImport(OnnxClass declared, ImmutableArray<ModelFile?> files, CancellationToken ct)
    {
        try
        {
            return Import(declared, files, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failed(declared, nameof(DiagnosticDescriptors.InternalError), declared.Name, e.GetType().Name + ": " + e.Message);
        }
    }

    private static ImportedNetwork Failed(OnnxClass declared, string key, params string[] arguments)
    {
        var diagnostic = new PendingDiagnostic(key, declared.Attribute, new EquatableArray<string>(arguments));
        var standIn = declared.Class is null ? null
            : new NetworkStandIn(declared.Class, null, DiagnosticDescriptors.ByKey[key].Id + ": " + string.Format(System.Globalization.CultureInfo.InvariantCulture, DiagnosticDescriptors.ByKey[key].MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture), arguments)) { HasTorchSource = false };
        return new ImportedNetwork(null, standIn, new EquatableArray<PendingDiagnostic>(new[] { diagnostic }));
    }

    private static ImportedNetwork Import(OnnxClass declared, ImmutableArray<ModelFile?> files, CancellationToken ct)
    {
        if (declared.Problems.Count > 0)
        {
            var p = declared.Problems[0];
            var diagnostics = declared.Problems.Select(problem => new PendingDiagnostic(problem.DescriptorKey, declared.Attribute, problem.Arguments));
            return new ImportedNetwork(null, null, new EquatableArray<PendingDiagnostic>(diagnostics.ToArray()));
        }
        if (declared.Extra is not null) return Failed(declared, nameof(DiagnosticDescriptors.ModelWithLayers), declared.Name, declared.Extra);
        string path = NormalizePath(declared.Path);
        if (path.Length == 0) return Failed(declared, nameof(DiagnosticDescriptors.ModelFileMissing), "[OnnxModel] needs the model file's path relative to the project, e.g. [OnnxModel(\"models/net.onnx\")]");
        var converted = FindFile(files, ModelFileKind.Model, path, out string? missing);
        if (converted is null) return Failed(declared, nameof(DiagnosticDescriptors.ModelFileMissing), missing!);
        ct.ThrowIfCancellationRequested();
        var read = OnnxText.Read(converted.Text!);
        if (read.Model is null) return Failed(declared, nameof(DiagnosticDescriptors.ModelUnreadable), path, $"line {read.Line} of its converted text: {read.Error}; rebuild the project");
        var import = OnnxImporter.Import(read.Model);
        if (import.Graph is null) return Failed(declared, nameof(DiagnosticDescriptors.ModelNotSupported), "'" + path + "'", import.Problem!);
        var shapes = ShapeInference.Infer(import.Graph);
        var error = shapes.Problems.FirstOrDefault(p => !p.IsWarning);
        if (error is not null) return Failed(declared, nameof(DiagnosticDescriptors.ModelNotSupported), "'" + path + "'", error.Message);
        var model = new NetworkModel(declared.Class!, null, import.Graph) { Import = new ImportedModel(path, converted.Resource ?? "", import.Weights) };
        return new ImportedNetwork(model, null, EquatableArray<PendingDiagnostic>.Empty);
    }
}
