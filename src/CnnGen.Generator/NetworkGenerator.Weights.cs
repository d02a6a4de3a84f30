using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Onnx;
using CnnGen.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator;

/// <summary>
/// The [Weights] pipeline: an attribute-declared network's safetensors file, whose header the build step wrote as
/// text, checked against the tensors the network needs (name, dtype, shape), and a parameterless constructor that
/// loads the file the build step embedded. Its diagnostics sit on the [Weights] attribute.
/// </summary>
public sealed partial class NetworkGenerator
{
    /// <summary>A tensor the network needs: its state_dict name and PyTorch shape.</summary>
    private sealed record NeededTensor(string Name, EquatableArray<int> Dimensions);

    /// <summary>The class with [Weights]: where its constructor goes, the file's path, the tensors to find; or why it cannot take one.</summary>
    private sealed record WeightsClass(NetworkClass? Class, string Name, string Path, Place Attribute, EquatableArray<NeededTensor> Tensors, string? Misplaced)
    {
        /// <summary>An exception the reading met: CNN0099 rather than a crashed generator.</summary>
        public string? Failure { get; init; }
    }

    private sealed record WeightsResult(GeneratedFile? File, EquatableArray<PendingDiagnostic> Diagnostics);

    private static IncrementalValueProvider<ImmutableArray<GeneratedFile>> EmbeddedWeights(IncrementalGeneratorInitializationContext context, IncrementalValueProvider<ImmutableArray<ModelFile?>> files)
    {
        var checkedWeights = context.SyntaxProvider
            .ForAttributeWithMetadataName(NetworkParser.WeightsAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => SafeReadWeightsClass(ctx, ct))
            .Where(static c => c is not null)
            .Combine(files)
            .Select(static (pair, ct) => SafeCheckWeights(pair.Left!, pair.Right))
            .WithTrackingName(TrackingNames.WeightsCheck);
        context.RegisterSourceOutput(checkedWeights, static (spc, result) =>
        {
            foreach (var d in result.Diagnostics)
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ByKey[d.DescriptorKey], d.Place.ToLocation(), d.Arguments.Select(a => (object)a).ToArray()));
        });
        return checkedWeights.Where(static r => r.File is not null).Select(static (r, _) => r.File!).Collect();
    }

    /// <summary>The class's network as the [InputShape] pipeline reads it; null where that pipeline or the [OnnxModel] one speaks for the class.</summary>
    private static WeightsClass? SafeReadWeightsClass(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        var type = (INamedTypeSymbol)ctx.TargetSymbol;
        var attribute = ctx.Attributes[0];
        var place = Place.Of(attribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation() ?? ctx.TargetNode.GetLocation());
        string path = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string s ? s : "";
        var none = EquatableArray<NeededTensor>.Empty;
        try
        {
            // [OnnxModel] reports [Weights] beside it (CNN0033)
            if (NetworkParser.HasOnnxModel(type)) return null;
            var inputShapes = NetworkParser.InputShapesInOrder(type, ct);
            if (inputShapes.Count == 0)
                return new WeightsClass(null, type.Name, path, place, none, "[Weights] gives the tensors of a network declared with [InputShape] and layer attributes; the class has no [InputShape]");
            if (type.InstanceConstructors.Any(c => !c.IsImplicitlyDeclared && c.Parameters.Length == 0))
                return new WeightsClass(null, type.Name, path, place, none, "the class declares a parameterless constructor; with [Weights] the generated one loads the embedded weights (remove it, or load the file yourself with LoadSafetensors)");
            var inputShape = type.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == NetworkParser.InputShapeAttribute);
            var parsed = NetworkParser.Parse(type, inputShape, inputShapes.Count > 1, ct);
            // a network with errors has them reported by its own pipeline; its weights are checked once it is valid
            if (parsed.Model is null) return null;
            var tensors = ShapeInference.Infer(parsed.Model.Graph).Tensors.Select(t => new NeededTensor(t.Name, t.Dimensions));
            return new WeightsClass(parsed.Model.Class, type.Name, path, place, new EquatableArray<NeededTensor>(tensors.ToArray()), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new WeightsClass(null, type.Name, path, place, none, null) { Failure = e.GetType().Name + ": " + e.Message };
        }
    }

    private static WeightsResult SafeCheckWeights(WeightsClass declared, ImmutableArray<ModelFile?> files)
    {
        try
        {
            return CheckWeights(declared, files);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return WeightsProblem(declared, nameof(DiagnosticDescriptors.InternalError), declared.Name, e.GetType().Name + ": " + e.Message);
        }
    }

    private static WeightsResult WeightsProblem(WeightsClass declared, string key, params string[] arguments) =>
        new(null, new EquatableArray<PendingDiagnostic>(new[] { new PendingDiagnostic(key, declared.Attribute, new EquatableArray<string>(arguments)) }));

    private static WeightsResult CheckWeights(WeightsClass declared, ImmutableArray<ModelFile?> files)
    {
        if (declared.Failure is not null) return WeightsProblem(declared, nameof(DiagnosticDescriptors.InternalError), declared.Name, declared.Failure);
        if (declared.Misplaced is not null) return WeightsProblem(declared, nameof(DiagnosticDescriptors.WeightsMisplaced), declared.Name, declared.Misplaced);
        string path = NormalizePath(declared.Path);
        if (path.Length == 0) return WeightsProblem(declared, nameof(DiagnosticDescriptors.ModelFileMissing), "[Weights] needs the safetensors file's path relative to the project, e.g. [Weights(\"weights/net.safetensors\")]");
        var file = FindFile(files, ModelFileKind.Weights, path, out string? missing);
        if (file is null) return WeightsProblem(declared, nameof(DiagnosticDescriptors.ModelFileMissing), missing!);
        var read = SafetensorsHeaderText.Read(file.Text!);
        if (read.Header is null) return WeightsProblem(declared, nameof(DiagnosticDescriptors.ModelUnreadable), path, $"line {read.Line} of its converted header: {read.Error}; rebuild the project");
        var byName = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        foreach (var tensor in read.Header.Tensors) byName[tensor.Name] = tensor;
        var problems = new List<string>();
        foreach (var needed in declared.Tensors)
        {
            string shape = "[" + string.Join(", ", needed.Dimensions) + "]";
            if (!byName.TryGetValue(needed.Name, out var found)) problems.Add($"lacks the tensor '{needed.Name}': the network needs F32 {shape}");
            else if (found.DType != "F32" || !found.Shape.Select(d => d).SequenceEqual(needed.Dimensions.Select(d => (long)d)))
                problems.Add($"has '{needed.Name}' as {found.DType} [{string.Join(", ", found.Shape)}]; the network needs F32 {shape}");
        }
        if (problems.Count > 0)
        {
            // one error a tensor, up to a few: a file for another network would list all of its tensors
            var shown = problems.Take(5).Select(p => new PendingDiagnostic(nameof(DiagnosticDescriptors.WeightsMismatch), declared.Attribute, new EquatableArray<string>(new[] { path, p })));
            var more = problems.Count > 5
                ? new[] { new PendingDiagnostic(nameof(DiagnosticDescriptors.WeightsMismatch), declared.Attribute, new EquatableArray<string>(new[] { path, $"does not fit the network in {problems.Count - 5} more tensors" })) }
                : Array.Empty<PendingDiagnostic>();
            return new WeightsResult(null, new EquatableArray<PendingDiagnostic>(shown.Concat(more).ToArray()));
        }
        return new WeightsResult(new GeneratedFile(declared.Class!.HintName.Replace(".g.cs", ".Weights.g.cs"), NetworkEmitter.EmitWeightsConstructor(declared.Class, path, file.Resource ?? "")), EquatableArray<PendingDiagnostic>.Empty);
    }
}
