using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator;

/// <summary>Reads a network class's attributes into a <see cref="NetworkModel"/>, and finds what is wrong with them.</summary>
internal static class NetworkParser
{
    public const string InputShapeAttribute = "CnnGen.InputShapeAttribute";

    private static readonly Dictionary<string, LayerKind> LayerAttributes = new()
    {
        ["Conv2DAttribute"] = LayerKind.Conv2D,
        ["MaxPool2DAttribute"] = LayerKind.MaxPool2D,
        ["AvgPool2DAttribute"] = LayerKind.AvgPool2D,
        ["MinPool2DAttribute"] = LayerKind.MinPool2D,
        ["ReLUAttribute"] = LayerKind.ReLU,
        ["LeakyReLUAttribute"] = LayerKind.LeakyReLU,
        ["SigmoidAttribute"] = LayerKind.Sigmoid,
        ["TanhAttribute"] = LayerKind.Tanh,
        ["FlattenAttribute"] = LayerKind.Flatten,
        ["DenseAttribute"] = LayerKind.Dense,
        ["SoftmaxAttribute"] = LayerKind.Softmax,
    };

    /// <summary>The metadata names of every layer attribute, for the pipelines that find layers without [InputShape].</summary>
    public static IEnumerable<string> LayerAttributeMetadataNames => LayerAttributes.Keys.Select(name => "CnnGen." + name);

    /// <summary>
    /// Arguments that set the same thing in two forms (the square form and a per-axis or per-side one).
    /// Giving both would leave one silently overriding the other, so it is an error (CNN0007).
    /// </summary>
    private static readonly (string General, string[] Specific)[] ConvolutionForms =
    {
        ("Kernel", new[] { "KernelHeight", "KernelWidth" }),
        ("Stride", new[] { "StrideHeight", "StrideWidth" }),
        ("Dilation", new[] { "DilationHeight", "DilationWidth" }),
        ("Padding", new[] { "PaddingHeight", "PaddingWidth", "PadTop", "PadBottom", "PadLeft", "PadRight" }),
        ("PaddingHeight", new[] { "PadTop", "PadBottom", "PadLeft", "PadRight" }),
        ("PaddingWidth", new[] { "PadTop", "PadBottom", "PadLeft", "PadRight" }),
    };

    private static readonly (string General, string[] Specific)[] PoolForms =
    {
        ("Kernel", new[] { "KernelHeight", "KernelWidth" }),
        ("Stride", new[] { "StrideHeight", "StrideWidth" }),
        ("Padding", new[] { "PaddingHeight", "PaddingWidth" }),
    };

    public static ParseResult Parse(INamedTypeSymbol type, AttributeData inputShape, CancellationToken cancellationToken)
    {
        var problems = new List<ProblemInfo>();
        string name = type.Name;
        if (type.TypeKind != TypeKind.Class || type.IsStatic)
        {
            problems.Add(Problem(nameof(DiagnosticDescriptors.UnsupportedType), -1, name));
            return Result(null, problems);
        }
        foreach (var t in SelfAndContainingTypes(type))
        {
            if (!IsPartialEverywhere(t, cancellationToken))
            {
                problems.Add(Problem(nameof(DiagnosticDescriptors.NotPartial), -1, t.Name));
                return Result(null, problems);
            }
        }

        // InputShape with the wrong arguments is already a compiler error; adding ours would be noise
        if (inputShape.ConstructorArguments.Length != 3 || inputShape.ConstructorArguments.Any(a => a.Value is not int))
            return Result(null, problems);
        var input = FeatureShape.Map((int)inputShape.ConstructorArguments[0].Value!, (int)inputShape.ConstructorArguments[1].Value!, (int)inputShape.ConstructorArguments[2].Value!);

        var attributes = LayerAttributesInOrder(type, cancellationToken);
        if (attributes is null)
        {
            problems.Add(Problem(nameof(DiagnosticDescriptors.LayersSplit), -1, name));
            return Result(null, problems);
        }
        if (attributes.Count == 0)
        {
            problems.Add(new ProblemInfo(nameof(DiagnosticDescriptors.NoLayers), -1, true, null, new EquatableArray<string>(new[] { name })));
            return Result(null, problems);
        }

        var layers = new List<LayerDefinition>();
        for (int i = 0; i < attributes.Count; i++)
        {
            var layer = ReadLayer(i, attributes[i], problems);
            if (layer is null) return Result(null, problems); // a compiler error in the arguments; it speaks for itself
            layers.Add(layer);
        }
        if (problems.Count > 0) return Result(null, problems);

        var shapes = ShapeInference.Infer(input, layers);
        foreach (var p in shapes.Problems)
        {
            problems.Add(new ProblemInfo(DiagnosticDescriptors.KeyFor(p.Kind), p.LayerIndex, p.LayerIndex < 0, p.Property, new EquatableArray<string>(p.Arguments), CorrectValue(p)));
        }
        if (shapes.HasErrors) return Result(null, problems);

        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            long taps = (long)layer.KernelHeight * layer.KernelWidth;
            if (layer.Kind == LayerKind.Conv2D && taps > UnrollBudget.UnrolledWindowTaps)
            {
                problems.Add(ProblemAt(nameof(DiagnosticDescriptors.WindowNotUnrolled), i, "KernelHeight",
                    layer.Name, Text(i), Text(layer.KernelHeight), Text(layer.KernelWidth), taps.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(UnrollBudget.UnrolledWindowTaps)));
            }
        }

        var model = new NetworkModel(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            new EquatableArray<ContainingType>(ContainingTypes(type)),
            TypeNameWithParameters(type),
            HintName(type),
            input,
            new EquatableArray<LayerDefinition>(layers));
        return Result(model, problems);
    }

    /// <summary>
    /// The value a code fix writes for a declared count that disagrees with the previous layer:
    /// the produced channels (argument 4 of ShapeMessages.InChannelsMismatch) or features
    /// (argument 3 of ShapeMessages.DenseInputsMismatch).
    /// </summary>
    private static string? CorrectValue(ShapeProblem problem) => problem.Kind switch
    {
        ShapeProblemKind.InChannelsMismatch => problem.Arguments[4],
        ShapeProblemKind.DenseInputsMismatch => problem.Arguments[3],
        _ => null,
    };

    /// <summary>Whether the type carries [InputShape]; layers without it are CNN0001.</summary>
    public static bool HasInputShape(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == InputShapeAttribute);

    /// <summary>The first layer attribute in source order over every partial declaration (file path, then position).</summary>
    public static AttributeData? FirstLayerAttribute(INamedTypeSymbol type) =>
        type.GetAttributes().Where(IsLayerAttribute)
            .OrderBy(a => a.ApplicationSyntaxReference?.SyntaxTree.FilePath ?? "", System.StringComparer.Ordinal)
            .ThenBy(a => a.ApplicationSyntaxReference?.Span.Start ?? 0)
            .FirstOrDefault();

    /// <summary>For CNN0004: the first layer attribute (file path, then position) on another declaration than the first layer's.</summary>
    public static SyntaxNode? FirstLayerOnAnotherDeclaration(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var attributes = type.GetAttributes().Where(IsLayerAttribute)
            .Select(a => a.ApplicationSyntaxReference?.GetSyntax(cancellationToken))
            .OfType<SyntaxNode>()
            .OrderBy(n => n.SyntaxTree.FilePath, System.StringComparer.Ordinal)
            .ThenBy(n => n.SpanStart)
            .ToList();
        var first = attributes.FirstOrDefault()?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
        return attributes.FirstOrDefault(n => n.FirstAncestorOrSelf<TypeDeclarationSyntax>() != first);
    }

    /// <summary>The layer attributes in source order, or null when they sit on more than one partial declaration.</summary>
    public static List<AttributeData>? LayerAttributesInOrder(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var layers = type.GetAttributes().Where(IsLayerAttribute).ToList();
        var declarations = new HashSet<SyntaxNode>();
        foreach (var a in layers)
        {
            var declaration = a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (declaration is not null) declarations.Add(declaration);
        }
        if (declarations.Count > 1) return null;
        return layers.OrderBy(a => a.ApplicationSyntaxReference?.Span.Start ?? 0).ToList();
    }

    private static bool IsLayerAttribute(AttributeData attribute) =>
        attribute.AttributeClass is { } c && LayerAttributes.ContainsKey(c.Name) && c.ContainingNamespace is { Name: "CnnGen", ContainingNamespace.IsGlobalNamespace: true };

    private static LayerDefinition? ReadLayer(int index, AttributeData attribute, List<ProblemInfo> problems)
    {
        var kind = LayerAttributes[attribute.AttributeClass!.Name];
        var named = new Dictionary<string, object?>();
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Value.Kind == TypedConstantKind.Error) return null;
            named[pair.Key] = pair.Value.Value;
        }
        int? Int(string key) => named.TryGetValue(key, out var v) && v is int i ? i : null;
        bool? Bool(string key) => named.TryGetValue(key, out var v) && v is bool b ? b : null;
        void Missing(string what) => problems.Add(Problem(nameof(DiagnosticDescriptors.MissingRequired), index, kind.ToString(), Text(index), what));
        void MissingKernel()
        {
            // one of KernelHeight/KernelWidth alone names the missing one; nothing at all asks for Kernel
            if (Int("KernelHeight") is not null) Missing("KernelWidth to go with KernelHeight (or Kernel for a square kernel)");
            else if (Int("KernelWidth") is not null) Missing("KernelHeight to go with KernelWidth (or Kernel for a square kernel)");
            else Missing("Kernel (or KernelHeight and KernelWidth)");
        }

        if (kind == LayerKind.Conv2D) ReportConflictingForms(index, kind, attribute, ConvolutionForms, problems);
        else if (kind is LayerKind.MaxPool2D or LayerKind.AvgPool2D or LayerKind.MinPool2D) ReportConflictingForms(index, kind, attribute, PoolForms, problems);

        switch (kind)
        {
            case LayerKind.Conv2D:
            {
                int? filters = Int("Filters");
                int? kh = Int("KernelHeight") ?? Int("Kernel"), kw = Int("KernelWidth") ?? Int("Kernel");
                if (filters is null) Missing("Filters");
                if (kh is null || kw is null) MissingKernel();
                int ph = Int("PaddingHeight") ?? Int("Padding") ?? 0, pw = Int("PaddingWidth") ?? Int("Padding") ?? 0;
                return new LayerDefinition(kind)
                {
                    Filters = filters ?? 0,
                    KernelHeight = kh ?? 0,
                    KernelWidth = kw ?? 0,
                    StrideHeight = Int("StrideHeight") ?? Int("Stride") ?? 1,
                    StrideWidth = Int("StrideWidth") ?? Int("Stride") ?? 1,
                    PadTop = Int("PadTop") ?? ph,
                    PadBottom = Int("PadBottom") ?? ph,
                    PadLeft = Int("PadLeft") ?? pw,
                    PadRight = Int("PadRight") ?? pw,
                    DilationHeight = Int("DilationHeight") ?? Int("Dilation") ?? 1,
                    DilationWidth = Int("DilationWidth") ?? Int("Dilation") ?? 1,
                    Groups = Int("Groups") ?? 1,
                    Bias = Bool("Bias") ?? true,
                    DeclaredInputs = Int("InChannels"),
                };
            }
            case LayerKind.MaxPool2D:
            case LayerKind.AvgPool2D:
            case LayerKind.MinPool2D:
            {
                int? kh = Int("KernelHeight") ?? Int("Kernel"), kw = Int("KernelWidth") ?? Int("Kernel");
                if (kh is null || kw is null) MissingKernel();
                int ph = Int("PaddingHeight") ?? Int("Padding") ?? 0, pw = Int("PaddingWidth") ?? Int("Padding") ?? 0;
                return new LayerDefinition(kind)
                {
                    KernelHeight = kh ?? 0,
                    KernelWidth = kw ?? 0,
                    // the stride defaults to the window; an invalid window is reported once, not again as its stride
                    StrideHeight = Int("StrideHeight") ?? Int("Stride") ?? (kh > 0 ? kh.Value : 1),
                    StrideWidth = Int("StrideWidth") ?? Int("Stride") ?? (kw > 0 ? kw.Value : 1),
                    PadTop = ph,
                    PadBottom = ph,
                    PadLeft = pw,
                    PadRight = pw,
                    CeilMode = Bool("CeilMode") ?? false,
                };
            }
            case LayerKind.LeakyReLU:
                return new LayerDefinition(kind) { NegativeSlope = named.TryGetValue("NegativeSlope", out var s) && s is float f ? f : 0.01f };
            case LayerKind.Dense:
            {
                int? outputs = Int("Outputs");
                if (outputs is null) Missing("Outputs");
                return new LayerDefinition(kind) { Outputs = outputs ?? 0, DeclaredInputs = Int("Inputs"), Bias = Bool("Bias") ?? true };
            }
            default:
                return new LayerDefinition(kind);
        }
    }

    /// <summary>Reports each argument that restates an earlier one in another form, on the later argument.</summary>
    private static void ReportConflictingForms(int index, LayerKind kind, AttributeData attribute, (string General, string[] Specific)[] forms, List<ProblemInfo> problems)
    {
        var earlier = new List<string>();
        foreach (var pair in attribute.NamedArguments)
        {
            string name = pair.Key;
            string? conflict = earlier.FirstOrDefault(e => forms.Any(f =>
                (f.General == e && f.Specific.Contains(name)) || (f.General == name && f.Specific.Contains(e))));
            if (conflict is not null)
                problems.Add(ProblemAt(nameof(DiagnosticDescriptors.ConflictingForms), index, name, kind.ToString(), Text(index), conflict, name));
            earlier.Add(name);
        }
    }

    private static IEnumerable<INamedTypeSymbol> SelfAndContainingTypes(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.ContainingType) yield return t;
    }

    private static bool IsPartialEverywhere(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax d && d.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static IEnumerable<ContainingType> ContainingTypes(INamedTypeSymbol type)
    {
        var chain = new List<ContainingType>();
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
        {
            string keyword = t.IsRecord ? (t.TypeKind == TypeKind.Struct ? "record struct" : "record") : t.TypeKind switch
            {
                TypeKind.Struct => "struct",
                TypeKind.Interface => "interface",
                _ => "class",
            };
            chain.Insert(0, new ContainingType(keyword, TypeNameWithParameters(t)));
        }
        return chain;
    }

    private static string TypeNameWithParameters(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? type.Name : type.Name + "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";

    /// <summary>Namespace.Outer.Net.g.cs, with generic arity spelled out, so two classes never share a file name.</summary>
    private static string HintName(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (var t = type; t is not null; t = t.ContainingType)
            parts.Insert(0, t.TypeParameters.Length == 0 ? t.Name : t.Name + "`" + t.TypeParameters.Length);
        if (!type.ContainingNamespace.IsGlobalNamespace) parts.Insert(0, type.ContainingNamespace.ToDisplayString());
        return string.Join(".", parts) + ".g.cs";
    }

    private static ProblemInfo Problem(string key, int layerIndex, params string[] arguments) =>
        new(key, layerIndex, false, null, new EquatableArray<string>(arguments));

    private static ProblemInfo ProblemAt(string key, int layerIndex, string property, params string[] arguments) =>
        new(key, layerIndex, false, property, new EquatableArray<string>(arguments));

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ParseResult Result(NetworkModel? model, List<ProblemInfo> problems) => new(model, new EquatableArray<ProblemInfo>(problems));
}
