using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator;

/// <summary>Reads a network class's attributes into a <see cref="NetworkModel"/>, and finds what is wrong with them.</summary>
internal static class NetworkParser
{
    public const string InputShapeAttribute = "CnnGen.InputShapeAttribute";

    /// <summary>Each layer attribute's class name and the reader that turns its arguments into an op.</summary>
    private static readonly Dictionary<string, Func<LayerArguments, Op>> LayerAttributes = new()
    {
        ["Conv2DAttribute"] = ReadConvolution,
        ["MaxPool2DAttribute"] = a => ReadPool(a, Reduction.Max),
        ["AvgPool2DAttribute"] = a => ReadPool(a, Reduction.Average),
        ["MinPool2DAttribute"] = a => ReadPool(a, Reduction.Min),
        ["GlobalMaxPool2DAttribute"] = _ => new GlobalPoolOp(Reduction.Max),
        ["GlobalAvgPool2DAttribute"] = _ => new GlobalPoolOp(Reduction.Average),
        ["AdaptiveMaxPool2DAttribute"] = a => ReadAdaptivePool(a, Reduction.Max),
        ["AdaptiveAvgPool2DAttribute"] = a => ReadAdaptivePool(a, Reduction.Average),
        ["BatchNorm2DAttribute"] = a => new BatchNormOp { Epsilon = a.Float("Epsilon") ?? 1e-5f, Affine = a.Bool("Affine") ?? true, Channels = a.Int("Channels") },
        ["ReLUAttribute"] = _ => new ActivationOp(Activation.ReLU),
        ["LeakyReLUAttribute"] = a => new ActivationOp(Activation.LeakyReLU) { NegativeSlope = a.Float("NegativeSlope") ?? 0.01f },
        ["SigmoidAttribute"] = _ => new ActivationOp(Activation.Sigmoid),
        ["TanhAttribute"] = _ => new ActivationOp(Activation.Tanh),
        ["ReLU6Attribute"] = _ => new ActivationOp(Activation.ReLU6),
        ["HardtanhAttribute"] = a => new ActivationOp(Activation.Hardtanh) { Min = a.Float("Min") ?? -1f, Max = a.Float("Max") ?? 1f },
        ["HardsigmoidAttribute"] = _ => new ActivationOp(Activation.Hardsigmoid),
        ["HardswishAttribute"] = _ => new ActivationOp(Activation.Hardswish),
        ["SiLUAttribute"] = _ => new ActivationOp(Activation.SiLU),
        ["MishAttribute"] = _ => new ActivationOp(Activation.Mish),
        // Approximate = null is PyTorch's TypeError, and an error here: not the default
        ["GELUAttribute"] = a => new ActivationOp(Activation.GELU) { Approximate = a.Has("Approximate") ? a.String("Approximate") : "none" },
        ["ELUAttribute"] = a => new ActivationOp(Activation.ELU) { Alpha = a.Float("Alpha") ?? 1f },
        ["SELUAttribute"] = _ => new ActivationOp(Activation.SELU),
        ["SoftplusAttribute"] = a => new ActivationOp(Activation.Softplus) { Beta = a.Float("Beta") ?? 1f, Threshold = a.Float("Threshold") ?? 20f },
        ["PReLUAttribute"] = a => new PReLUOp(a.Int("Parameters") ?? 1),
        ["FlattenAttribute"] = _ => new FlattenOp(),
        ["DropoutAttribute"] = a => new DropoutOp(a.Float("P") ?? 0.5f),
        ["IdentityAttribute"] = _ => new IdentityOp(),
        ["DenseAttribute"] = ReadDense,
        ["SoftmaxAttribute"] = _ => new SoftmaxOp(Log: false),
        ["LogSoftmaxAttribute"] = _ => new SoftmaxOp(Log: true),
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

    private static readonly (string General, string[] Specific)[] AdaptivePoolForms =
    {
        ("Output", new[] { "OutputHeight", "OutputWidth" }),
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

        var layers = new List<Op>();
        for (int i = 0; i < attributes.Count; i++)
        {
            var layer = ReadLayer(i, attributes[i], problems);
            if (layer is null) return Result(null, problems); // a compiler error in the arguments; it speaks for itself
            layers.Add(layer);
        }
        if (problems.Count > 0) return Result(null, problems);

        var graph = NetworkGraph.Chain(input, layers);
        var shapes = ShapeInference.Infer(graph);
        foreach (var p in shapes.Problems)
        {
            problems.Add(new ProblemInfo(DiagnosticDescriptors.KeyFor(p.Kind), p.LayerIndex, p.LayerIndex < 0, p.Property, p.Arguments, CorrectValue(p)));
        }
        if (shapes.HasErrors) return Result(null, problems);

        for (int i = 0; i < layers.Count; i++)
        {
            // the emitter's own decision: a straight-line convolution unrolls every window, however large
            if (layers[i] is not ConvolutionOp c || NetworkEmitter.IsStraightLine(new ConvolutionPlan(c, shapes.Layers[i], 0, -1))) continue;
            long taps = (long)c.KernelHeight * c.KernelWidth;
            if (taps > UnrollBudget.UnrolledWindowTaps)
            {
                problems.Add(ProblemAt(nameof(DiagnosticDescriptors.WindowNotUnrolled), i, "KernelHeight",
                    c.Kind, Text(i), Text(c.KernelHeight), Text(c.KernelWidth), taps.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(UnrollBudget.UnrolledWindowTaps)));
            }
        }

        var model = new NetworkModel(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            new EquatableArray<ContainingType>(ContainingTypes(type)),
            TypeNameWithParameters(type),
            HintName(type),
            graph);
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
        ShapeProblemKind.ChannelsMismatch => problem.Arguments[5],
        ShapeProblemKind.PReLUParametersMismatch => problem.Arguments[4],
        _ => null, // no single value fixes the others
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

    /// <summary>The attribute as an op named as the user named it, or null when its arguments hold a compiler error.</summary>
    private static Op? ReadLayer(int index, AttributeData attribute, List<ProblemInfo> problems)
    {
        var named = new Dictionary<string, object?>();
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Value.Kind == TypedConstantKind.Error) return null;
            named[pair.Key] = pair.Value.Value;
        }
        string className = attribute.AttributeClass!.Name;
        var arguments = new LayerArguments(className.Substring(0, className.Length - "Attribute".Length), index, named, problems);
        if (className == "Conv2DAttribute") ReportConflictingForms(arguments, attribute, ConvolutionForms);
        else if (className is "MaxPool2DAttribute" or "AvgPool2DAttribute" or "MinPool2DAttribute") ReportConflictingForms(arguments, attribute, PoolForms);
        else if (className is "AdaptiveMaxPool2DAttribute" or "AdaptiveAvgPool2DAttribute") ReportConflictingForms(arguments, attribute, AdaptivePoolForms);
        return LayerAttributes[className](arguments) with { Name = arguments.String("Name") };
    }

    private static Op ReadConvolution(LayerArguments a)
    {
        int? filters = a.Int("Filters");
        int? kh = a.Int("KernelHeight") ?? a.Int("Kernel"), kw = a.Int("KernelWidth") ?? a.Int("Kernel");
        if (filters is null) a.Missing("Filters");
        if (kh is null || kw is null) a.MissingKernel();
        int ph = a.Int("PaddingHeight") ?? a.Int("Padding") ?? 0, pw = a.Int("PaddingWidth") ?? a.Int("Padding") ?? 0;
        return new ConvolutionOp
        {
            Filters = filters ?? 0,
            KernelHeight = kh ?? 0,
            KernelWidth = kw ?? 0,
            StrideHeight = a.Int("StrideHeight") ?? a.Int("Stride") ?? 1,
            StrideWidth = a.Int("StrideWidth") ?? a.Int("Stride") ?? 1,
            PadTop = a.Int("PadTop") ?? ph,
            PadBottom = a.Int("PadBottom") ?? ph,
            PadLeft = a.Int("PadLeft") ?? pw,
            PadRight = a.Int("PadRight") ?? pw,
            DilationHeight = a.Int("DilationHeight") ?? a.Int("Dilation") ?? 1,
            DilationWidth = a.Int("DilationWidth") ?? a.Int("Dilation") ?? 1,
            Groups = a.Int("Groups") ?? 1,
            Bias = a.Bool("Bias") ?? true,
            InChannels = a.Int("InChannels"),
        };
    }

    private static Op ReadPool(LayerArguments a, Reduction reduction)
    {
        int? kh = a.Int("KernelHeight") ?? a.Int("Kernel"), kw = a.Int("KernelWidth") ?? a.Int("Kernel");
        if (kh is null || kw is null) a.MissingKernel();
        return new PoolOp(reduction)
        {
            KernelHeight = kh ?? 0,
            KernelWidth = kw ?? 0,
            // the stride defaults to the window; an invalid window is reported once, not again as its stride
            StrideHeight = a.Int("StrideHeight") ?? a.Int("Stride") ?? (kh > 0 ? kh.Value : 1),
            StrideWidth = a.Int("StrideWidth") ?? a.Int("Stride") ?? (kw > 0 ? kw.Value : 1),
            PaddingHeight = a.Int("PaddingHeight") ?? a.Int("Padding") ?? 0,
            PaddingWidth = a.Int("PaddingWidth") ?? a.Int("Padding") ?? 0,
            CeilMode = a.Bool("CeilMode") ?? false,
        };
    }

    private static Op ReadAdaptivePool(LayerArguments a, Reduction reduction)
    {
        int? height = a.Int("OutputHeight") ?? a.Int("Output"), width = a.Int("OutputWidth") ?? a.Int("Output");
        if (height is null || width is null) a.MissingPair("Output", "a square output");
        // a missing size is reported above, not again as invalid
        return new AdaptivePoolOp(reduction, height ?? 1, width ?? 1);
    }

    private static Op ReadDense(LayerArguments a)
    {
        int? outputs = a.Int("Outputs");
        if (outputs is null) a.Missing("Outputs");
        return new DenseOp(outputs ?? 0) { Inputs = a.Int("Inputs"), Bias = a.Bool("Bias") ?? true };
    }

    /// <summary>One layer attribute's named arguments, and the place to report what is missing from them.</summary>
    private sealed class LayerArguments
    {
        private readonly Dictionary<string, object?> _named;
        private readonly List<ProblemInfo> _problems;

        public LayerArguments(string kind, int index, Dictionary<string, object?> named, List<ProblemInfo> problems)
        {
            Kind = kind;
            Index = index;
            _named = named;
            _problems = problems;
        }

        /// <summary>The attribute's name without "Attribute": "Conv2D".</summary>
        public string Kind { get; }

        public int Index { get; }

        public int? Int(string key) => _named.TryGetValue(key, out var v) && v is int i ? i : null;

        public bool? Bool(string key) => _named.TryGetValue(key, out var v) && v is bool b ? b : null;

        public float? Float(string key) => _named.TryGetValue(key, out var v) && v is float f ? f : null;

        public string? String(string key) => _named.TryGetValue(key, out var v) && v is string s ? s : null;

        /// <summary>Whether the argument is written, even as null.</summary>
        public bool Has(string key) => _named.ContainsKey(key);

        public void Missing(string what) => _problems.Add(Problem(nameof(DiagnosticDescriptors.MissingRequired), Index, Kind, Text(Index), what));

        public void MissingKernel() => MissingPair("Kernel", "a square kernel");

        /// <summary>
        /// A setting given as <paramref name="square"/> or as its Height and Width: one of the two alone
        /// names the missing one; nothing at all asks for the square form.
        /// </summary>
        public void MissingPair(string square, string squareMeaning)
        {
            string height = square + "Height", width = square + "Width";
            if (Int(height) is not null) Missing($"{width} to go with {height} (or {square} for {squareMeaning})");
            else if (Int(width) is not null) Missing($"{height} to go with {width} (or {square} for {squareMeaning})");
            else Missing($"{square} (or {height} and {width})");
        }

        public void Conflict(string earlier, string later) =>
            _problems.Add(ProblemAt(nameof(DiagnosticDescriptors.ConflictingForms), Index, later, Kind, Text(Index), earlier, later));
    }

    /// <summary>Reports each argument that restates an earlier one in another form, on the later argument.</summary>
    private static void ReportConflictingForms(LayerArguments arguments, AttributeData attribute, (string General, string[] Specific)[] forms)
    {
        var earlier = new List<string>();
        foreach (var pair in attribute.NamedArguments)
        {
            string name = pair.Key;
            string? conflict = earlier.FirstOrDefault(e => forms.Any(f =>
                (f.General == e && f.Specific.Contains(name)) || (f.General == name && f.Specific.Contains(e))));
            if (conflict is not null) arguments.Conflict(conflict, name);
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
