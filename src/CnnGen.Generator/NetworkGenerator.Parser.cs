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
        ["Conv1DAttribute"] = ReadConvolution1D,
        ["ConvTranspose2DAttribute"] = ReadTransposedConvolution,
        ["MaxPool1DAttribute"] = a => ReadPool1D(a, Reduction.Max),
        ["AvgPool1DAttribute"] = a => ReadPool1D(a, Reduction.Average),
        ["MinPool1DAttribute"] = a => ReadPool1D(a, Reduction.Min),
        ["GlobalMaxPool1DAttribute"] = _ => new GlobalPoolOp(Reduction.Max) { SpatialRank = 1 },
        ["GlobalAvgPool1DAttribute"] = _ => new GlobalPoolOp(Reduction.Average) { SpatialRank = 1 },
        ["AdaptiveMaxPool1DAttribute"] = a => ReadAdaptivePool1D(a, Reduction.Max),
        ["AdaptiveAvgPool1DAttribute"] = a => ReadAdaptivePool1D(a, Reduction.Average),
        ["BatchNorm1DAttribute"] = a => new BatchNormOp { SpatialRank = 1, Epsilon = a.Float("Epsilon") ?? 1e-5f, Affine = a.Bool("Affine") ?? true, Channels = a.Int("Channels") },
        ["MaxPool2DAttribute"] = a => ReadPool(a, Reduction.Max),
        ["AvgPool2DAttribute"] = a => ReadPool(a, Reduction.Average),
        ["MinPool2DAttribute"] = a => ReadPool(a, Reduction.Min),
        ["GlobalMaxPool2DAttribute"] = _ => new GlobalPoolOp(Reduction.Max),
        ["GlobalAvgPool2DAttribute"] = _ => new GlobalPoolOp(Reduction.Average),
        ["AdaptiveMaxPool2DAttribute"] = a => ReadAdaptivePool(a, Reduction.Max),
        ["AdaptiveAvgPool2DAttribute"] = a => ReadAdaptivePool(a, Reduction.Average),
        ["ZeroPad2DAttribute"] = a => ReadPad2D(a, PadMode.Zeros),
        ["ReflectionPad2DAttribute"] = a => ReadPad2D(a, PadMode.Reflect),
        ["ReplicationPad2DAttribute"] = a => ReadPad2D(a, PadMode.Replicate),
        ["UpsampleAttribute"] = a => new UpsampleOp(a.Int("ScaleHeight") ?? a.Int("Scale") ?? 2, a.Int("ScaleWidth") ?? a.Int("Scale") ?? 2)
        {
            // Mode = null is PyTorch's error too, not the default
            Mode = a.Has("Mode") ? a.String("Mode") : "nearest",
            AlignCorners = a.Bool("AlignCorners") ?? false,
        },
        ["PixelShuffleAttribute"] = ReadPixelShuffle,
        ["ChannelSliceAttribute"] = ReadChannelSlice,
        ["ChannelShuffleAttribute"] = ReadChannelShuffle,
        ["ChannelPadAttribute"] = ReadChannelPad,
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

    /// <summary>The attributes that use blocks: items of a layer list like the layers.</summary>
    private static readonly HashSet<string> BlockAttributes = new() { "SequentialAttribute", "ResidualAttribute", "ConcatAttribute", "MultiplyAttribute" };

    /// <summary>The metadata names of every layer and block-using attribute, for the pipelines that find layers without [InputShape].</summary>
    public static IEnumerable<string> LayerAttributeMetadataNames => LayerAttributes.Keys.Concat(BlockAttributes).Select(name => "CnnGen." + name);

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

    private static readonly (string General, string[] Specific)[] TransposedConvolutionForms =
    {
        ("Kernel", new[] { "KernelHeight", "KernelWidth" }),
        ("Stride", new[] { "StrideHeight", "StrideWidth" }),
        ("Dilation", new[] { "DilationHeight", "DilationWidth" }),
        ("Padding", new[] { "PaddingHeight", "PaddingWidth" }),
        ("OutputPadding", new[] { "OutputPaddingHeight", "OutputPaddingWidth" }),
    };

    private static readonly (string General, string[] Specific)[] Convolution1DForms =
    {
        ("Padding", new[] { "PadLeft", "PadRight" }),
    };

    private static readonly (string General, string[] Specific)[] PaddingForms =
    {
        ("Padding", new[] { "PadTop", "PadBottom", "PadLeft", "PadRight" }),
    };

    private static readonly (string General, string[] Specific)[] UpsampleForms =
    {
        ("Scale", new[] { "ScaleHeight", "ScaleWidth" }),
    };

    private static readonly (string General, string[] Specific)[] PoolForms =
    {
        ("Kernel", new[] { "KernelHeight", "KernelWidth" }),
        ("Stride", new[] { "StrideHeight", "StrideWidth" }),
        ("Dilation", new[] { "DilationHeight", "DilationWidth" }),
        ("Padding", new[] { "PaddingHeight", "PaddingWidth" }),
    };

    private static readonly (string General, string[] Specific)[] AdaptivePoolForms =
    {
        ("Output", new[] { "OutputHeight", "OutputWidth" }),
    };

    /// <param name="duplicated">[InputShape] sits on another partial declaration too (CS0579): the class gets its stand-in and CNN0004.</param>
    public static ParseResult Parse(INamedTypeSymbol type, AttributeData inputShape, bool duplicated, CancellationToken cancellationToken)
    {
        var problems = new List<ProblemInfo>();
        string name = type.Name;
        var target = Target(type, problems, cancellationToken);
        if (target is null) return Result(null, problems);
        // from here on the class can take the generated part: with an error it gets the stand-in
        FeatureShape? validInput = null;
        ParseResult Failed(List<ItemOrigin>? origins = null) =>
            Result(null, problems, origins) with { StandIn = new NetworkStandIn(target, validInput, ErrorText(name, problems)) };

        if (duplicated)
        {
            problems.Add(Problem(nameof(DiagnosticDescriptors.DuplicateInputShape), -1, name));
            return Failed();
        }
        // InputShape with the wrong arguments is already a compiler error; adding ours would be noise
        var sizes = inputShape.ConstructorArguments;
        if (sizes.Length is not (2 or 3) || sizes.Any(a => a.Value is not int) || HasCompilerError(inputShape, cancellationToken))
            return Failed();
        // two sizes declare a 1D network: a channels x length sequence
        var input = sizes.Length == 2
            ? FeatureShape.Sequence((int)sizes[0].Value!, (int)sizes[1].Value!)
            : FeatureShape.Map((int)sizes[0].Value!, (int)sizes[1].Value!, (int)sizes[2].Value!);
        if (ShapeInference.IsValidInput(input)) validInput = input;

        var attributes = LayerAttributesInOrder(type, cancellationToken);
        if (attributes is null)
        {
            problems.Add(Problem(nameof(DiagnosticDescriptors.LayersSplit), -1, name));
            return Failed();
        }
        if (attributes.Count == 0)
        {
            problems.Add(new ProblemInfo(nameof(DiagnosticDescriptors.NoLayers), -1, true, null, new EquatableArray<string>(new[] { name })));
            return Failed();
        }

        if (HasBlockAttribute(type))
        {
            problems.Add(new ProblemInfo(nameof(DiagnosticDescriptors.BlockWithInputShape), -1, true, null, new EquatableArray<string>(new[] { name })));
            return Failed();
        }

        var reader = new DeclarationReader(problems, cancellationToken);
        var network = reader.ReadSequence(type, attributes, type.Name, topLevel: true, useSite: null);
        // a compiler error in the arguments speaks for itself
        if (network is null || problems.Count > 0) return Failed(reader.Origins);

        var declaration = new NetworkDeclaration(input, network);
        var expansion = BlockExpansion.Expand(declaration);
        foreach (var p in expansion.Problems)
            problems.Add(new ProblemInfo(DiagnosticDescriptors.KeyFor(p.Kind), p.Origin, false, p.Property, p.Arguments));
        if (expansion.Failed) return Failed(reader.Origins);

        var graph = expansion.Graph;
        var shapes = ShapeInference.Infer(graph);
        foreach (var p in shapes.Problems)
        {
            int origin = p.LayerIndex < 0 ? -1 : expansion.NodeOrigins[p.LayerIndex];
            problems.Add(new ProblemInfo(DiagnosticDescriptors.KeyFor(p.Kind), origin, p.LayerIndex < 0, p.Property, p.Arguments, CorrectValue(p)));
        }
        if (shapes.HasErrors) return Failed(reader.Origins);

        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            // the emitter's own decision: a straight-line convolution unrolls every window, however large
            if (graph.Nodes[i].Op is not ConvolutionOp c || NetworkEmitter.IsStraightLine(new ConvolutionPlan(c, shapes.Layers[i], 0, -1))) continue;
            long taps = (long)c.KernelHeight * c.KernelWidth;
            if (taps > UnrollBudget.UnrolledWindowTaps)
            {
                problems.Add(ProblemAt(nameof(DiagnosticDescriptors.WindowNotUnrolled), expansion.NodeOrigins[i], "KernelHeight",
                    graph.Nodes[i].Where, Text(i), Text(c.KernelHeight), Text(c.KernelWidth), taps.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(UnrollBudget.UnrolledWindowTaps)));
            }
        }

        return Result(new NetworkModel(target, declaration, graph), problems, reader.Origins);
    }

    /// <summary>
    /// Where the generated part of the class goes, or null when the class cannot take one: its name is
    /// not typed yet (the compiler says so), or it is no partial class that can hold the generated
    /// members, which is the problem added.
    /// </summary>
    public static NetworkClass? Target(INamedTypeSymbol type, List<ProblemInfo> problems, CancellationToken cancellationToken)
    {
        string name = type.Name;
        if (SelfAndContainingTypes(type).Any(t => t.Name.Length == 0 || t.TypeParameters.Any(p => p.Name.Length == 0))) return null;
        if (type.TypeKind != TypeKind.Class || type.IsStatic)
        {
            problems.Add(Problem(nameof(DiagnosticDescriptors.UnsupportedType), -1, name));
            return null;
        }
        // the generated part is another file, which a file-local class (or one nested in it) cannot span
        if (SelfAndContainingTypes(type).FirstOrDefault(t => t.IsFileLocal) is { } fileLocal)
        {
            problems.Add(Problem(nameof(DiagnosticDescriptors.FileLocalType), -1, name, fileLocal.Name));
            return null;
        }
        // a type parameter of a member's name would hide it: class Net<Spec> cannot also have Spec
        var clash = SelfAndContainingTypes(type).SelectMany(t => t.TypeParameters).FirstOrDefault(p => NetworkEmitter.IsGeneratedMemberName(p.Name));
        if (clash is not null)
        {
            problems.Add(Problem(nameof(DiagnosticDescriptors.TypeParameterClash), -1, name, clash.Name));
            return null;
        }
        // the generated part declares these: a member of the user's of the same name would clash with it, or be hidden
        if (ClashingMember(type) is { } member)
        {
            string inherited = SymbolEqualityComparer.Default.Equals(member.ContainingType, type) ? "" : " (inherited from " + member.ContainingType.Name + ")";
            problems.Add(Problem(nameof(DiagnosticDescriptors.MemberClash), -1, name, member.Name, inherited));
            return null;
        }
        foreach (var t in SelfAndContainingTypes(type))
        {
            if (!IsPartialEverywhere(t, cancellationToken))
            {
                problems.Add(Problem(nameof(DiagnosticDescriptors.NotPartial), -1, t.Name));
                return null;
            }
        }
        return new NetworkClass(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            new EquatableArray<ContainingType>(ContainingTypes(type)),
            type.IsRecord ? "record" : "class",
            TypeNameWithParameters(type),
            HintName(type));
    }

    /// <summary>The stand-in of a class with layers but no [InputShape] (CNN0001), where the class can take one.</summary>
    public static NetworkStandIn? StandInWithoutInputShape(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var problems = new List<ProblemInfo>();
        if (Target(type, problems, cancellationToken) is not { } target) return null;
        problems.Add(Problem(nameof(DiagnosticDescriptors.MissingInputShape), -1, type.Name));
        return new NetworkStandIn(target, null, ErrorText(type.Name, problems));
    }

    /// <summary>
    /// What the stand-in's methods throw: the first error as the diagnostic says it, or, when only the
    /// compiler reports (an argument that does not compile), that.
    /// </summary>
    private static string ErrorText(string className, List<ProblemInfo> problems)
    {
        var error = problems.FirstOrDefault(p => DiagnosticDescriptors.ByKey[p.DescriptorKey].DefaultSeverity == DiagnosticSeverity.Error);
        if (error is null) return className + " has no forward pass: its attributes do not compile.";
        var descriptor = DiagnosticDescriptors.ByKey[error.DescriptorKey];
        string message = string.Format(System.Globalization.CultureInfo.InvariantCulture,
            descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Arguments.Select(a => (object)a).ToArray());
        return className + " has no forward pass: " + descriptor.Id + ": " + message;
    }

    /// <summary>
    /// A member the user declares, or inherits, under a name the generated part gives a member of its
    /// own, or null. The generator sees the compilation without its own output, so every such member is the user's.
    /// </summary>
    private static ISymbol? ClashingMember(INamedTypeSymbol type)
    {
        foreach (var member in type.GetMembers())
            if (!member.IsImplicitlyDeclared && NetworkEmitter.IsGeneratedMemberName(member.Name)) return member;
        for (var b = type.BaseType; b is not null && b.SpecialType != SpecialType.System_Object; b = b.BaseType)
            foreach (var member in b.GetMembers())
                if (!member.IsImplicitlyDeclared && member.DeclaredAccessibility != Accessibility.Private && NetworkEmitter.IsGeneratedMemberName(member.Name)) return member;
        return null;
    }

    /// <summary>
    /// Whether the compiler finds an error in the attribute as written: a trailing comma, a half-typed
    /// argument. Its arguments then say nothing reliable (a Filters written before the stray comma is
    /// missing from them), so nothing is reported on it but the compiler's error.
    /// </summary>
    private static bool HasCompilerError(AttributeData attribute, CancellationToken cancellationToken) =>
        attribute.AttributeConstructor is null
        || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
        || attribute.NamedArguments.Any(p => p.Value.Kind == TypedConstantKind.Error)
        || attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).ContainsDiagnostics == true;

    /// <summary>
    /// Reads a network's attributes, and the blocks they name, into its declaration. Every use of a
    /// block is read anew (each is a module of its own); <see cref="Origins"/> records where each item
    /// was written and through which of the network's attributes this use reaches it, so a mistake
    /// inside a block is reported on the block's attribute with the network's as an additional location.
    /// </summary>
    private sealed class DeclarationReader
    {
        private readonly List<ProblemInfo> _problems;
        private readonly CancellationToken _cancellationToken;
        // the blocks being read, outermost first: naming one of them again is a cycle
        private readonly List<INamedTypeSymbol> _open = new();

        public DeclarationReader(List<ProblemInfo> problems, CancellationToken cancellationToken)
        {
            _problems = problems;
            _cancellationToken = cancellationToken;
        }

        public List<ItemOrigin> Origins { get; } = new();

        // a compiler error in some argument, or a network too large to read on: nothing more is reported
        private bool _stopped;

        /// <summary>A class's items in order, or null after a problem or a compiler error (reading stops at the first).</summary>
        public Sequence? ReadSequence(INamedTypeSymbol type, List<AttributeData> attributes, string path, bool topLevel, AttributeData? useSite)
        {
            var items = new List<Item>();
            for (int position = 0; position < attributes.Count; position++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var attribute = attributes[position];
                int origin = Origins.Count;
                if (origin >= BlockExpansion.MaxNodes)
                {
                    _problems.Add(Problem(nameof(DiagnosticDescriptors.TooManyNodes), origin - 1, Origins[origin - 1].Where, Text(origin - 1), Text(BlockExpansion.MaxNodes)));
                    _stopped = true;
                    return null;
                }
                string kind = KindOf(attribute);
                string? name = NamedString(attribute, "Name");
                string where = BlockExpansion.Where(path, topLevel, kind, name, position);
                Origins.Add(new ItemOrigin(attribute, useSite, where));
                Item? item;
                if (BlockAttributes.Contains(attribute.AttributeClass!.Name))
                    item = ReadBlock(attribute, origin, BlockExpansion.ChildPath(path, kind, name, position), useSite ?? attribute);
                else
                {
                    item = HasCompilerError(attribute, _cancellationToken) ? null : ReadLayer(origin, where, attribute, _problems);
                    _stopped |= item is null;
                }
                if (_stopped) return null;
                // after a problem the siblings are still read, for their own problems
                if (item is not null) items.Add(item with { Origin = origin });
            }
            return _problems.Count > 0 ? null : new Sequence(type.Name, new EquatableArray<Item>(items.ToArray()));
        }

        private Item? ReadBlock(AttributeData attribute, int origin, string path, AttributeData useSite)
        {
            if (HasCompilerError(attribute, _cancellationToken))
            {
                _stopped = true;
                return null;
            }
            string where = Origins[origin].Where;
            var kind = attribute.AttributeClass!.Name switch
            {
                "SequentialAttribute" => BlockKind.Sequential,
                "ResidualAttribute" => BlockKind.Residual,
                "ConcatAttribute" => BlockKind.Concat,
                "MultiplyAttribute" => BlockKind.Multiply,
                string other => throw new InvalidOperationException(other + " is not a block attribute."),
            };
            var types = new List<TypedConstant>();
            foreach (var argument in attribute.ConstructorArguments)
            {
                if (argument.Kind == TypedConstantKind.Array) types.AddRange(argument.IsNull ? Enumerable.Empty<TypedConstant>() : argument.Values);
                else types.Add(argument);
            }
            if (types.Count == 0)
            {
                _problems.Add(Problem(nameof(DiagnosticDescriptors.NoBranches), origin, where, Text(origin)));
                return null;
            }
            var shortcut = attribute.NamedArguments.FirstOrDefault(p => p.Key == "Shortcut").Value;
            if (kind == BlockKind.Residual && shortcut.Kind == TypedConstantKind.Type && shortcut.Value is not null) types.Add(shortcut);
            // written, even as null (an invalid name, reported by the expansion), or the attribute's default
            string shortcutName = attribute.NamedArguments.Any(p => p.Key == "ShortcutName") ? NamedString(attribute, "ShortcutName") ?? "" : "shortcut";
            var parts = new List<Sequence>();
            for (int k = 0; k < types.Count; k++)
            {
                string partPath = kind switch
                {
                    BlockKind.Concat => path + " > " + Text(k),
                    BlockKind.Residual when k == 1 => path + " > " + shortcutName,
                    BlockKind.Sequential or BlockKind.Residual or BlockKind.Multiply => path,
                };
                var part = ReadPart(types[k], origin, where, partPath, useSite);
                if (part is null) return null;
                parts.Add(part);
            }
            return new BlockItem(kind, new EquatableArray<Sequence>(parts.ToArray()))
            {
                ModuleName = NamedString(attribute, "Name"),
                IncludeInput = attribute.NamedArguments.Any(p => p.Key == "IncludeInput" && p.Value.Value is true),
                ShortcutName = shortcutName,
            };
        }

        /// <summary>The items of the block class a typeof names, read for this use.</summary>
        private Sequence? ReadPart(TypedConstant typeOf, int origin, string where, string path, AttributeData useSite)
        {
            if (typeOf.Value is ITypeSymbol { TypeKind: TypeKind.Error })
            {
                _stopped = true; // an undefined type: the compiler reports it
                return null;
            }
            if (typeOf.Value is not INamedTypeSymbol block)
            {
                // null, an array or a type parameter: nothing the compiler objects to, and no block
                string written = typeOf.Value is ITypeSymbol other ? other.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) : "null";
                _problems.Add(Problem(nameof(DiagnosticDescriptors.NotABlock), origin, where, written));
                return null;
            }
            string blockName = block.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            if (!HasBlockAttribute(block))
            {
                _problems.Add(Problem(nameof(DiagnosticDescriptors.NotABlock), origin, where, blockName));
                return null;
            }
            int open = _open.FindIndex(t => SymbolEqualityComparer.Default.Equals(t, block));
            if (open >= 0)
            {
                string cycle = string.Join(" > ", _open.Skip(open).Select(t => t.Name).Concat(new[] { block.Name }));
                _problems.Add(Problem(nameof(DiagnosticDescriptors.BlockCycle), origin, where, blockName, cycle));
                return null;
            }
            var attributes = LayerAttributesInOrder(block, _cancellationToken);
            if (attributes is null || attributes.Count == 0)
            {
                _problems.Add(Problem(attributes is null ? nameof(DiagnosticDescriptors.BlockLayersSplit) : nameof(DiagnosticDescriptors.EmptyBlock), origin, where, blockName));
                return null;
            }
            if (_open.Count >= BlockExpansion.MaxDepth)
            {
                _problems.Add(Problem(nameof(DiagnosticDescriptors.TooDeep), origin, where, Text(BlockExpansion.MaxDepth)));
                _stopped = true;
                return null;
            }
            _open.Add(block);
            var sequence = ReadSequence(block, attributes, path, topLevel: false, useSite);
            _open.RemoveAt(_open.Count - 1);
            return sequence;
        }
    }

    /// <summary>The attribute's name as the user writes it: "Conv2D", "Residual".</summary>
    private static string KindOf(AttributeData attribute)
    {
        string className = attribute.AttributeClass!.Name;
        return className.Substring(0, className.Length - "Attribute".Length);
    }

    private static string? NamedString(AttributeData attribute, string key)
    {
        foreach (var pair in attribute.NamedArguments)
            if (pair.Key == key) return pair.Value.Value as string;
        return null;
    }

    /// <summary>Whether the class is marked [Block].</summary>
    public static bool HasBlockAttribute(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass is { Name: "BlockAttribute" } c && c.ContainingNamespace is { Name: "CnnGen", ContainingNamespace.IsGlobalNamespace: true });

    /// <summary>
    /// The value a code fix writes for a declared count that disagrees with the previous layer:
    /// the produced channels (argument 4 of ShapeMessages.InChannelsMismatch) or features
    /// (argument 3 of ShapeMessages.DenseInputsMismatch).
    /// </summary>
    private static string? CorrectValue(ShapeProblem problem) => problem.Kind switch
    {
        ShapeProblemKind.InChannelsMismatch => problem.Arguments[4],
        ShapeProblemKind.DenseInputsMismatch => problem.Arguments[4],
        ShapeProblemKind.ChannelsMismatch => problem.Arguments[5],
        ShapeProblemKind.PReLUParametersMismatch => problem.Arguments[4],
        _ => null, // no single value fixes the others
    };

    /// <summary>Where [InputShape] is applied to the type, in source order (file path, then position): more than one is CS0579.</summary>
    public static List<SyntaxReference> InputShapesInOrder(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.GetAttributes()
            .Where(a => a.AttributeClass?.ToDisplayString() == InputShapeAttribute)
            .Select(a => a.ApplicationSyntaxReference)
            .OfType<SyntaxReference>()
            .OrderBy(r => r.SyntaxTree.FilePath, System.StringComparer.Ordinal)
            .ThenBy(r => r.Span.Start)
            .ToList();

    /// <summary>Whether the type carries [InputShape]; layers without it are CNN0001.</summary>
    public const string OnnxModelAttribute = "CnnGen.OnnxModelAttribute";

    public const string WeightsAttribute = "CnnGen.WeightsAttribute";

    public static bool HasWeightsAttribute(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == WeightsAttribute);

    /// <summary>Whether the class takes its network from an ONNX model: the [OnnxModel] pipeline speaks for it, not the attribute ones.</summary>
    public static bool HasOnnxModel(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == OnnxModelAttribute);

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
        attribute.AttributeClass is { } c && (LayerAttributes.ContainsKey(c.Name) || BlockAttributes.Contains(c.Name)) && c.ContainingNamespace is { Name: "CnnGen", ContainingNamespace.IsGlobalNamespace: true };

    /// <summary>The attribute, free of compiler errors, as a layer named as the user named it.</summary>
    private static Item ReadLayer(int index, string where, AttributeData attribute, List<ProblemInfo> problems)
    {
        var named = new Dictionary<string, object?>();
        foreach (var pair in attribute.NamedArguments) named[pair.Key] = pair.Value.Value;
        string className = attribute.AttributeClass!.Name;
        var arguments = new LayerArguments(where, index, named, problems);
        if (className == "Conv2DAttribute") ReportConflictingForms(arguments, attribute, ConvolutionForms);
        else if (className == "Conv1DAttribute") ReportConflictingForms(arguments, attribute, Convolution1DForms);
        else if (className == "ConvTranspose2DAttribute") ReportConflictingForms(arguments, attribute, TransposedConvolutionForms);
        else if (className is "MaxPool2DAttribute" or "AvgPool2DAttribute" or "MinPool2DAttribute") ReportConflictingForms(arguments, attribute, PoolForms);
        else if (className is "AdaptiveMaxPool2DAttribute" or "AdaptiveAvgPool2DAttribute") ReportConflictingForms(arguments, attribute, AdaptivePoolForms);
        else if (className is "ZeroPad2DAttribute" or "ReflectionPad2DAttribute" or "ReplicationPad2DAttribute") ReportConflictingForms(arguments, attribute, PaddingForms);
        else if (className == "UpsampleAttribute") ReportConflictingForms(arguments, attribute, UpsampleForms);
        return new LayerItem(LayerAttributes[className](arguments) with { Name = arguments.String("Name") });
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
            PaddingMode = a.PaddingMode(),
        };
    }

    private static Op ReadTransposedConvolution(LayerArguments a)
    {
        int? filters = a.Int("Filters");
        int? kh = a.Int("KernelHeight") ?? a.Int("Kernel"), kw = a.Int("KernelWidth") ?? a.Int("Kernel");
        if (filters is null) a.Missing("Filters");
        if (kh is null || kw is null) a.MissingKernel();
        return new ConvTransposeOp
        {
            Filters = filters ?? 0,
            KernelHeight = kh ?? 0,
            KernelWidth = kw ?? 0,
            StrideHeight = a.Int("StrideHeight") ?? a.Int("Stride") ?? 1,
            StrideWidth = a.Int("StrideWidth") ?? a.Int("Stride") ?? 1,
            PaddingHeight = a.Int("PaddingHeight") ?? a.Int("Padding") ?? 0,
            PaddingWidth = a.Int("PaddingWidth") ?? a.Int("Padding") ?? 0,
            OutputPaddingHeight = a.Int("OutputPaddingHeight") ?? a.Int("OutputPadding") ?? 0,
            OutputPaddingWidth = a.Int("OutputPaddingWidth") ?? a.Int("OutputPadding") ?? 0,
            DilationHeight = a.Int("DilationHeight") ?? a.Int("Dilation") ?? 1,
            DilationWidth = a.Int("DilationWidth") ?? a.Int("Dilation") ?? 1,
            Groups = a.Int("Groups") ?? 1,
            Bias = a.Bool("Bias") ?? true,
            InChannels = a.Int("InChannels"),
        };
    }

    /// <summary>nn.Conv1d: the convolution of spatial rank 1, its kernel one row high on the sequence's one row.</summary>
    private static Op ReadConvolution1D(LayerArguments a)
    {
        int? filters = a.Int("Filters"), kernel = a.Int("Kernel");
        if (filters is null) a.Missing("Filters");
        if (kernel is null) a.Missing("Kernel");
        int padding = a.Int("Padding") ?? 0;
        return new ConvolutionOp
        {
            SpatialRank = 1,
            Filters = filters ?? 0,
            KernelHeight = 1,
            KernelWidth = kernel ?? 0,
            StrideWidth = a.Int("Stride") ?? 1,
            PadLeft = a.Int("PadLeft") ?? padding,
            PadRight = a.Int("PadRight") ?? padding,
            DilationWidth = a.Int("Dilation") ?? 1,
            Groups = a.Int("Groups") ?? 1,
            Bias = a.Bool("Bias") ?? true,
            InChannels = a.Int("InChannels"),
            PaddingMode = a.PaddingMode(),
        };
    }

    /// <summary>nn.ZeroPad2d, nn.ReflectionPad2d or nn.ReplicationPad2d: one padding for all sides, or each side's.</summary>
    private static Op ReadPad2D(LayerArguments a, PadMode mode)
    {
        // nn.ZeroPad2d and its kin need their padding: a padding layer that pads nothing is a mistake
        if (!new[] { "Padding", "PadTop", "PadBottom", "PadLeft", "PadRight" }.Any(a.Has)) a.Missing("Padding (or PadTop, PadBottom, PadLeft, PadRight)");
        int padding = a.Int("Padding") ?? 0;
        return new PadOp(mode)
        {
            PadTop = a.Int("PadTop") ?? padding,
            PadBottom = a.Int("PadBottom") ?? padding,
            PadLeft = a.Int("PadLeft") ?? padding,
            PadRight = a.Int("PadRight") ?? padding,
        };
    }

    private static Op ReadPixelShuffle(LayerArguments a)
    {
        int? factor = a.Int("Factor");
        if (factor is null) a.Missing("Factor");
        // a missing factor is reported above, not again as invalid
        return new PixelShuffleOp(factor ?? 1);
    }

    private static Op ReadChannelSlice(LayerArguments a)
    {
        int? length = a.Int("Length");
        if (length is null) a.Missing("Length");
        return new ChannelSliceOp(a.Int("Start") ?? 0, length ?? 1);
    }

    private static Op ReadChannelShuffle(LayerArguments a)
    {
        int? groups = a.Int("Groups");
        if (groups is null) a.Missing("Groups");
        return new ChannelShuffleOp(groups ?? 1);
    }

    private static Op ReadChannelPad(LayerArguments a) => new ChannelPadOp(a.Int("Before") ?? 0, a.Int("After") ?? 0);

    /// <summary>nn.MaxPool1d, nn.AvgPool1d or the min pool: the pool of spatial rank 1.</summary>
    private static Op ReadPool1D(LayerArguments a, Reduction reduction)
    {
        int? kernel = a.Int("Kernel");
        if (kernel is null) a.Missing("Kernel");
        return new PoolOp(reduction)
        {
            SpatialRank = 1,
            KernelHeight = 1,
            KernelWidth = kernel ?? 0,
            StrideHeight = 1,
            // the stride defaults to the window; an invalid window is reported once, not again as its stride
            StrideWidth = a.Int("Stride") ?? (kernel > 0 ? kernel.Value : 1),
            PaddingWidth = a.Int("Padding") ?? 0,
            CeilMode = a.Bool("CeilMode") ?? false,
            // only the average pools' attributes have the property, only the max and min pools' a dilation
            CountIncludePad = a.Bool("CountIncludePad") ?? true,
            DilationWidth = a.Int("Dilation") ?? 1,
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
            // only the average pools' attributes have the property, only the max and min pools' a dilation
            CountIncludePad = a.Bool("CountIncludePad") ?? true,
            DilationHeight = a.Int("DilationHeight") ?? a.Int("Dilation") ?? 1,
            DilationWidth = a.Int("DilationWidth") ?? a.Int("Dilation") ?? 1,
        };
    }

    private static Op ReadAdaptivePool(LayerArguments a, Reduction reduction)
    {
        int? height = a.Int("OutputHeight") ?? a.Int("Output"), width = a.Int("OutputWidth") ?? a.Int("Output");
        if (height is null || width is null) a.MissingPair("Output", "a square output");
        // a missing size is reported above, not again as invalid
        return new AdaptivePoolOp(reduction, height ?? 1, width ?? 1);
    }

    private static Op ReadAdaptivePool1D(LayerArguments a, Reduction reduction)
    {
        int? length = a.Int("Output");
        if (length is null) a.Missing("Output");
        // a missing size is reported above, not again as invalid
        return new AdaptivePoolOp(reduction, 1, length ?? 1) { SpatialRank = 1 };
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

        public LayerArguments(string where, int index, Dictionary<string, object?> named, List<ProblemInfo> problems)
        {
            Where = where;
            Index = index;
            _named = named;
            _problems = problems;
        }

        /// <summary>The layer in messages: "Conv2D (layer 3)", or its path inside a block.</summary>
        public string Where { get; }

        /// <summary>The layer's origin: where its problems are reported.</summary>
        public int Index { get; }

        public int? Int(string key) => _named.TryGetValue(key, out var v) && v is int i ? i : null;

        public bool? Bool(string key) => _named.TryGetValue(key, out var v) && v is bool b ? b : null;

        public float? Float(string key) => _named.TryGetValue(key, out var v) && v is float f ? f : null;

        public string? String(string key) => _named.TryGetValue(key, out var v) && v is string s ? s : null;

        /// <summary>PaddingMode as written, "zeros" when absent; null written is null (PyTorch's error, checked with the rest).</summary>
        public string? PaddingMode() => Has("PaddingMode") ? String("PaddingMode") : "zeros";

        /// <summary>Whether the argument is written, even as null.</summary>
        public bool Has(string key) => _named.ContainsKey(key);

        public void Missing(string what) => _problems.Add(Problem(nameof(DiagnosticDescriptors.MissingRequired), Index, Where, Text(Index), what));

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
            _problems.Add(ProblemAt(nameof(DiagnosticDescriptors.ConflictingForms), Index, later, Where, Text(Index), earlier, later));
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
        type.TypeParameters.Length == 0 ? Identifier(type.Name) : Identifier(type.Name) + "<" + string.Join(", ", type.TypeParameters.Select(p => Identifier(p.Name))) + ">";

    /// <summary>A name as C# source must spell it: a keyword (a class named @class) with its @.</summary>
    private static string Identifier(string name) =>
        SyntaxFacts.IsReservedKeyword(SyntaxFacts.GetKeywordKind(name)) ? "@" + name : name;

    /// <summary>
    /// Namespace.Outer.Net.g.cs, with generic arity spelled out, so two classes never share a file name;
    /// names unescaped (no @), and any character a hint name may not hold as its code ("Net\u2160" is
    /// "Net_2160_"), so that names that differ in such a character keep different files.
    /// </summary>
    private static string HintName(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (var t = type; t is not null; t = t.ContainingType)
            parts.Insert(0, t.TypeParameters.Length == 0 ? t.Name : t.Name + "`" + t.TypeParameters.Length);
        for (var n = type.ContainingNamespace; n is not null && !n.IsGlobalNamespace; n = n.ContainingNamespace)
            parts.Insert(0, n.Name);
        var name = new System.Text.StringBuilder();
        foreach (char c in string.Join(".", parts))
        {
            if (char.IsLetterOrDigit(c) || c is '.' or '_' or '`') name.Append(c);
            else name.Append('_').Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)).Append('_');
        }
        return name + ".g.cs";
    }

    private static ProblemInfo Problem(string key, int layerIndex, params string[] arguments) =>
        new(key, layerIndex, false, null, new EquatableArray<string>(arguments));

    private static ProblemInfo ProblemAt(string key, int layerIndex, string property, params string[] arguments) =>
        new(key, layerIndex, false, property, new EquatableArray<string>(arguments));

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ParseResult Result(NetworkModel? model, List<ProblemInfo> problems, List<ItemOrigin>? origins = null) =>
        new(model, new EquatableArray<ProblemInfo>(problems)) { Origins = origins ?? new List<ItemOrigin>() };
}
