using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator;

/// <summary>
/// Turns a partial class with [InputShape] and layer attributes into a shape-specialized forward pass.
/// Two pipelines start from the same attribute: the cached one carries an equatable model to the
/// emitter; the other builds diagnostics with real Locations, so #pragma warning disable works on them.
/// One more pipeline per layer attribute finds layers on a class without [InputShape] (CNN0001).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Step names, for incrementality tests.</summary>
    public static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string Plan = nameof(Plan);
        public const string Emit = nameof(Emit);
        public const string EmitStandIn = nameof(EmitStandIn);
        public const string Output = nameof(Output);
        public const string Diagnostics = nameof(Diagnostics);
        public const string MissingInputShape = nameof(MissingInputShape);
        public const string ModelFiles = nameof(ModelFiles);
        public const string OnnxImport = nameof(OnnxImport);
        public const string OnnxEmit = nameof(OnnxEmit);
        public const string WeightsCheck = nameof(WeightsCheck);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(NetworkParser.InputShapeAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => SafeParse(ctx, ct).Output)
            .WithTrackingName(TrackingNames.Parse);
        var networks = parsed
            .Where(static p => p.Model is not null)
            .Select(static (p, ct) => SafePlan(p.Model!))
            .WithTrackingName(TrackingNames.Plan)
            .Select(static (planned, ct) => SafeEmit(planned, ct))
            .WithTrackingName(TrackingNames.Emit);
        // a network with an error still gets its members, so only the error shows, not every use of them
        var standIns = parsed
            .Where(static p => p.StandIn is not null)
            .Select(static (p, ct) => SafeEmitStandIn(p.StandIn!))
            .WithTrackingName(TrackingNames.EmitStandIn);
        var files = networks.Collect().Combine(standIns.Collect()).Select(static (all, _) => all.Left.AddRange(all.Right));
        var modelFiles = ModelFiles(context);
        files = files.Combine(OnnxModels(context, modelFiles)).Select(static (all, _) => all.Left.AddRange(all.Right));
        files = files.Combine(EmbeddedWeights(context, modelFiles)).Select(static (all, _) => all.Left.AddRange(all.Right));

        // The [InputShape] pipelines never see a class that lacks it. Every layer attribute gets a
        // pipeline of its own; only the one holding the class's first layer attribute reports, so
        // CNN0001 appears once per class however many layers it has, and the class gets one stand-in.
        foreach (var layerAttribute in NetworkParser.LayerAttributeMetadataNames)
        {
            var missingInputShape = context.SyntaxProvider
                .ForAttributeWithMetadataName(layerAttribute,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, ct) => SafeMissingInputShape(ctx, ct))
                .WithTrackingName(TrackingNames.MissingInputShape);
            context.RegisterSourceOutput(missingInputShape, static (spc, missing) =>
            {
                if (missing.Diagnostic is not null) spc.ReportDiagnostic(missing.Diagnostic);
            });
            var standIn = missingInputShape
                .Where(static missing => missing.StandIn is not null)
                .Select(static (missing, _) => SafeEmitStandIn(missing.StandIn!))
                .Collect();
            files = files.Combine(standIn).Select(static (all, _) => all.Left.AddRange(all.Right));
        }

        // hint names must differ ignoring case (Foo.Net and foo.Net): only such a group is renamed, so the
        // step after the collection yields equal files, and cached outputs, for every network an edit leaves alone
        var uniqueFiles = files.SelectMany(static (all, _) => HintNames.Unique(all)).WithTrackingName(TrackingNames.Output);
        context.RegisterSourceOutput(uniqueFiles, static (spc, file) =>
        {
            if (file.Source.Length > 0) spc.AddSource(file.HintName, file.Source);
        });

        var diagnostics = context.SyntaxProvider
            .ForAttributeWithMetadataName(NetworkParser.InputShapeAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => new EquatableArray<Diagnostic>(SafeToDiagnostics(ctx, ct)))
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var d in list) spc.ReportDiagnostic(d);
        });
    }

    /// <summary>A class with layers but no [InputShape]: CNN0001 on its first layer attribute, and its stand-in.</summary>
    private sealed record MissingInputShape(Diagnostic? Diagnostic, NetworkStandIn? StandIn);

    private static readonly MissingInputShape NotMissing = new(null, null);

    /// <summary>CNN0001 and the stand-in of a class without [InputShape], from the pipeline that holds the class's first layer attribute.</summary>
    private static MissingInputShape SafeMissingInputShape(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        try
        {
            var type = (INamedTypeSymbol)ctx.TargetSymbol;
            if (NetworkParser.HasInputShape(type) || NetworkParser.HasBlockAttribute(type) || NetworkParser.HasOnnxModel(type)) return NotMissing;
            var first = NetworkParser.FirstLayerAttribute(type)?.ApplicationSyntaxReference;
            if (first is null) return NotMissing;
            bool ours = ctx.Attributes.Any(a => a.ApplicationSyntaxReference is { } r && r.SyntaxTree == first.SyntaxTree && r.Span == first.Span);
            if (!ours) return NotMissing;
            return new MissingInputShape(
                Diagnostic.Create(DiagnosticDescriptors.MissingInputShape, first.GetSyntax(ct).GetLocation(), type.Name),
                NetworkParser.StandInWithoutInputShape(type, ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new MissingInputShape(Diagnostic.Create(DiagnosticDescriptors.InternalError, ctx.TargetNode.GetLocation(), ctx.TargetSymbol.Name, e.GetType().Name + ": " + e.Message), null);
        }
    }

    // The generator never throws: an unexpected state becomes CNN0099 on the class, never CS8785.
    private static ParseResult SafeParse(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        try
        {
            var type = (INamedTypeSymbol)ctx.TargetSymbol;
            // [OnnxModel] with [InputShape] is its pipeline's error (CNN0033), and its class
            if (NetworkParser.HasOnnxModel(type)) return new ParseResult(null, new EquatableArray<ProblemInfo>(Array.Empty<ProblemInfo>()));
            // [InputShape] on two partial declarations (CS0579): the first declaration speaks for the class, once
            var inputShapes = NetworkParser.InputShapesInOrder(type, ct);
            bool duplicated = inputShapes.Count > 1;
            if (duplicated && inputShapes[0].GetSyntax(ct).FirstAncestorOrSelf<TypeDeclarationSyntax>() != ctx.TargetNode)
                return new ParseResult(null, new EquatableArray<ProblemInfo>(Array.Empty<ProblemInfo>()));
            return NetworkParser.Parse(type, ctx.Attributes[0], duplicated, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var problem = new ProblemInfo(nameof(DiagnosticDescriptors.InternalError), -1, false, null,
                new EquatableArray<string>(new[] { ctx.TargetSymbol.Name, e.GetType().Name + ": " + e.Message }));
            return new ParseResult(null, new EquatableArray<ProblemInfo>(new[] { problem }));
        }
    }

    /// <summary>The passes over the model's graph: an equatable plan, so an edit that leaves it as it was emits nothing anew.</summary>
    private static PlannedNetwork SafePlan(NetworkModel model)
    {
        try
        {
            return new PlannedNetwork(model, Planning.Passes.Plan(CnnGen.Ir.ShapeInference.Infer(model.Graph)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new PlannedNetwork(model, null, e.GetType().Name + " " + e.Message);
        }
    }

    private static GeneratedFile SafeEmit(PlannedNetwork planned, CancellationToken ct)
    {
        var model = planned.Model;
        if (planned.Plan is null) return new GeneratedFile(model.Class.HintName, "#error CnnGen could not plan " + model.ClassName + ": " + planned.Failure?.Replace('\n', ' ') + "\n");
        try
        {
            return new GeneratedFile(model.Class.HintName, NetworkEmitter.Emit(model, planned.Plan, ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failed(model.Class, e);
        }
    }

    /// <summary>A file that fails loudly, rather than a crashed generator: #error with the exception.</summary>
    private static GeneratedFile Failed(NetworkClass target, Exception e) =>
        new(target.HintName, "#error CnnGen could not generate " + target.Name + ": " + e.GetType().Name + " " + e.Message.Replace('\n', ' ') + "\n");

    private static GeneratedFile SafeEmitStandIn(NetworkStandIn standIn)
    {
        try
        {
            return new GeneratedFile(standIn.Class.HintName, NetworkEmitter.EmitStandIn(standIn));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failed(standIn.Class, e);
        }
    }

    /// <summary>
    /// The diagnostic property that carries the value a code fix writes ("8" in "Change InChannels to 8").
    /// CnnGen.CodeFixes reads it under the same name.
    /// </summary>
    public const string CorrectValueProperty = "Expected";

    /// <summary>
    /// Diagnostics with real Locations. A layer's problem sits on its named argument at fault, else on
    /// the layer attribute (one error per place); a problem of the whole class (not partial, static, an internal error) on
    /// [InputShape], with the class name as an additional location; split layers on the first layer
    /// attribute of the second declaration.
    /// </summary>
    private static IEnumerable<Diagnostic> SafeToDiagnostics(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        var result = SafeParse(ctx, ct);
        if (result.Problems.Count == 0) return Array.Empty<Diagnostic>();
        try
        {
            return ToDiagnostics(result, ctx, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new[] { Diagnostic.Create(DiagnosticDescriptors.InternalError, ctx.TargetNode.GetLocation(), ctx.TargetSymbol.Name, e.GetType().Name + ": " + e.Message) };
        }
    }

    private static List<Diagnostic> ToDiagnostics(ParseResult result, GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        var type = (INamedTypeSymbol)ctx.TargetSymbol;
        var classLocation = ((TypeDeclarationSyntax)ctx.TargetNode).Identifier.GetLocation();
        var inputShapeLocation = ctx.Attributes[0].ApplicationSyntaxReference?.GetSyntax(ct).GetLocation() ?? classLocation;
        return result.Problems.Select(p =>
        {
            string? written = null;
            var origin = p.LayerIndex >= 0 && p.LayerIndex < result.Origins.Count ? result.Origins[p.LayerIndex] : null;
            var location = p.OnInputShape ? inputShapeLocation
                : p.DescriptorKey == nameof(DiagnosticDescriptors.LayersSplit) ? NetworkParser.FirstLayerOnAnotherDeclaration(type, ct)?.GetLocation() ?? inputShapeLocation
                : p.DescriptorKey == nameof(DiagnosticDescriptors.DuplicateInputShape) ? NetworkParser.InputShapesInOrder(type, ct).Skip(1).First().GetSyntax(ct).GetLocation()
                : origin is not null ? ArgumentLocation(origin.Attribute, p.Property, ct, out written) ?? inputShapeLocation
                : inputShapeLocation;
            var arguments = p.Arguments.Select(a => (object)a).ToArray();
            // "Kernel = -3 is invalid", as the user wrote it, not the KernelHeight it resolved to
            if (p.DescriptorKey == nameof(DiagnosticDescriptors.InvalidValue) && written is not null && arguments.Length > 2) arguments[2] = written;
            // inside a block: where the network uses it, which is the place to look from this network's point of view
            var additional = p.LayerIndex < 0 && !p.OnInputShape ? new[] { classLocation }
                : origin?.UseSite?.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation() is { } useSite ? new[] { useSite }
                : Array.Empty<Location>();
            var properties = p.CorrectValue is null
                ? ImmutableDictionary<string, string?>.Empty
                : ImmutableDictionary<string, string?>.Empty.Add(CorrectValueProperty, p.CorrectValue);
            return Diagnostic.Create(DiagnosticDescriptors.ByKey[p.DescriptorKey], location, additional, properties, arguments);
        }).Where(FirstErrorAtItsLocation()).ToList();
    }

    /// <summary>
    /// "Kernel = 5" too large for both axes, or "Padding = -1" negative on four sides, is one mistake:
    /// one error on that argument, not one per axis. Warnings stay, each counts other rows or columns.
    /// </summary>
    private static Func<Diagnostic, bool> FirstErrorAtItsLocation()
    {
        // one per use of a block: the use site tells two uses of one attribute apart
        var seen = new HashSet<(string, Location, Location?)>();
        return d => d.Severity != DiagnosticSeverity.Error || seen.Add((d.Id, d.Location, d.AdditionalLocations.FirstOrDefault()));
    }

    /// <summary>The named argument at fault ("InChannels = 4"), or the whole attribute.</summary>
    private static Location? ArgumentLocation(AttributeData attribute, string? property, CancellationToken ct, out string? written)
    {
        written = null;
        if (attribute.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax syntax) return null;
        if (property is not null && syntax.ArgumentList is { } arguments)
        {
            foreach (var candidate in ArgumentNames(property))
            {
                var match = arguments.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == candidate);
                if (match is null) continue;
                written = candidate;
                return match.GetLocation();
            }
        }
        return syntax.GetLocation();
    }

    /// <summary>The arguments a resolved property may come from, most specific first: KernelHeight, then Kernel.</summary>
    private static IEnumerable<string> ArgumentNames(string property)
    {
        yield return property;
        switch (property)
        {
            case "PadTop" or "PadBottom":
                yield return "PaddingHeight";
                yield return "Padding";
                break;
            case "PadLeft" or "PadRight":
                yield return "PaddingWidth";
                yield return "Padding";
                break;
            default:
                if (property.EndsWith("Height", StringComparison.Ordinal)) yield return property.Substring(0, property.Length - 6);
                else if (property.EndsWith("Width", StringComparison.Ordinal)) yield return property.Substring(0, property.Length - 5);
                break;
        }
    }
}
