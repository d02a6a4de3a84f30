using CnnGen.Ir;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator;

/// <summary>
/// Every diagnostic the generator reports. The README's diagnostics table documents each ID with a
/// wrong and a fixed example; helpLinkUri points at its row. AnalyzerReleases.*.md track the IDs.
/// </summary>
internal static class DiagnosticDescriptors
{
    /// <summary>How the class is declared: InputShape, partial, where the layers sit.</summary>
    private const string Declaration = "CnnGen.Declaration";

    /// <summary>One layer's own arguments, wrong before any shape is known.</summary>
    private const string Hyperparameter = "CnnGen.Hyperparameter";

    /// <summary>Layers that do not fit the shape the previous layer produces.</summary>
    private const string Shape = "CnnGen.Shape";

    /// <summary>What the generated code does for a valid network.</summary>
    private const string Performance = "CnnGen.Performance";

    /// <summary>The generator itself.</summary>
    private const string Generator = "CnnGen.Generator";

    /// <summary>A network imported from a model file ([OnnxModel]).</summary>
    private const string Import = "CnnGen.Import";

    private const string HelpBase = "https://github.com/cnngen/cnngen#";

    public static readonly DiagnosticDescriptor MissingInputShape = Error("CNN0001", Declaration, "Layers without [InputShape]",
        "'{0}' has layer attributes but no [InputShape]; add [InputShape(channels, height, width)] to give the input the first layer reads");

    public static readonly DiagnosticDescriptor NoLayers = Error("CNN0002", Declaration, "Network without layers",
        "'{0}' has [InputShape] but no layer attributes; add layers such as [Conv2D(Filters = 8, Kernel = 3)]");

    public static readonly DiagnosticDescriptor NotPartial = Error("CNN0003", Declaration, "Network class must be partial",
        "'{0}' must be declared partial so the generator can add the forward pass to it");

    public static readonly DiagnosticDescriptor LayersSplit = Error("CNN0004", Declaration, "Layers spread over several partial declarations",
        "The layers of '{0}' are spread over several partial declarations, so their order is undefined; put every layer attribute on one declaration");

    public static readonly DiagnosticDescriptor InvalidValue = Error("CNN0005", Hyperparameter, "Invalid hyperparameter", ShapeMessages.InvalidValue);

    public static readonly DiagnosticDescriptor InvalidInputShape = Error("CNN0005", Hyperparameter, "Invalid hyperparameter", ShapeMessages.InvalidInputShape);

    public static readonly DiagnosticDescriptor MissingRequired = Error("CNN0006", Hyperparameter, "Required property missing",
        "{0} needs {2}");

    public static readonly DiagnosticDescriptor ConflictingForms = Error("CNN0007", Hyperparameter, "Two forms of the same setting",
        "{0} sets both {2} and {3}, two forms of the same setting; keep one of them");

    public static readonly DiagnosticDescriptor InChannelsMismatch = Error("CNN0008", Shape, "InChannels disagrees with the previous layer", ShapeMessages.InChannelsMismatch);

    public static readonly DiagnosticDescriptor OutputTooSmall = Error("CNN0009", Shape, "Kernel larger than its padded input", ShapeMessages.OutputTooSmall);

    public static readonly DiagnosticDescriptor TransposedOutputTooSmall = Error("CNN0009", Shape, "Kernel larger than its padded input", ShapeMessages.TransposedOutputTooSmall);

    public static readonly DiagnosticDescriptor GroupsDoNotDivide = Error("CNN0010", Shape, "Groups must divide the channels", ShapeMessages.GroupsDoNotDivide);

    public static readonly DiagnosticDescriptor DenseNeedsFlatten = Error("CNN0011", Shape, "Dense without Flatten", ShapeMessages.DenseNeedsFlatten);

    public static readonly DiagnosticDescriptor DenseInputsMismatch = Error("CNN0012", Shape, "Dense Inputs disagrees with the previous layer", ShapeMessages.DenseInputsMismatch);

    public static readonly DiagnosticDescriptor PoolPaddingTooLarge = Error("CNN0013", Hyperparameter, "Pool padding larger than half the window", ShapeMessages.PoolPaddingTooLarge);

    // off by default: textbook layers (ResNet's projections, SqueezeNet's stem) leave a row unread by design;
    // `dotnet_diagnostic.CNN0014.severity = warning` in .editorconfig turns it on
    public static readonly DiagnosticDescriptor UnusedInput = Create("CNN0014", Shape, DiagnosticSeverity.Warning, "Input rows or columns never reached",
        ShapeMessages.UnusedInput, enabledByDefault: false);

    public static readonly DiagnosticDescriptor WindowNotUnrolled = Create("CNN0015", Performance, DiagnosticSeverity.Info, "Kernel window too large to unroll",
        "{0}: kernel {2}x{3} = {4} taps is more than {5}; the window is emitted as loops with constant bounds");

    public static readonly DiagnosticDescriptor NeedsFeatureMap = Error("CNN0016", Shape, "Layer needs a feature map", ShapeMessages.NeedsFeatureMap);

    public static readonly DiagnosticDescriptor NeedsSequence = Error("CNN0016", Shape, "Layer needs a feature map", ShapeMessages.NeedsSequence);

    public static readonly DiagnosticDescriptor TooLarge = Error("CNN0017", Shape, "Tensor too large", ShapeMessages.TooLarge);

    public static readonly DiagnosticDescriptor InputTooLarge = Error("CNN0017", Shape, "Tensor too large", ShapeMessages.InputTooLarge);

    public static readonly DiagnosticDescriptor UnsupportedType = Error("CNN0018", Declaration, "Unsupported network type",
        "'{0}' must be a non-static class to hold a network");

    public static readonly DiagnosticDescriptor FileLocalType = Error("CNN0018", Declaration, "Unsupported network type",
        "'{0}' cannot hold a network: '{1}' is file-local, and the generated part of the class is another file; remove 'file'");

    public static readonly DiagnosticDescriptor TypeParameterClash = Error("CNN0018", Declaration, "Unsupported network type",
        "'{0}' cannot hold a network: its type parameter '{1}' has the name of a member the generator adds; rename the type parameter");

    public static readonly DiagnosticDescriptor MemberClash = Error("CNN0018", Declaration, "Unsupported network type",
        "'{0}' cannot hold a network: its member '{1}'{2} has the name of a member the generator adds; rename the member");

    public static readonly DiagnosticDescriptor DuplicateInputShape = Error("CNN0004", Declaration, "Layers spread over several partial declarations",
        "'{0}' has [InputShape] on more than one partial declaration; keep one, on the declaration that holds the layers");

    public static readonly DiagnosticDescriptor ChannelsMismatch = Error("CNN0019", Shape, "Declared channels disagree with the previous layer", ShapeMessages.ChannelsMismatch);

    public static readonly DiagnosticDescriptor PReLUParametersMismatch = Error("CNN0019", Shape, "Declared channels disagree with the previous layer", ShapeMessages.PReLUParametersMismatch);

    public static readonly DiagnosticDescriptor DuplicateName = Error("CNN0020", Declaration, "Invalid or repeated module name", ShapeMessages.DuplicateName);

    public static readonly DiagnosticDescriptor InvalidName = Error("CNN0020", Declaration, "Invalid or repeated module name", ShapeMessages.InvalidName);

    public static readonly DiagnosticDescriptor EmptyNameOnLayer = Error("CNN0020", Declaration, "Invalid or repeated module name", ShapeMessages.EmptyNameOnLayer);

    public static readonly DiagnosticDescriptor TooManyNodes = Error("CNN0017", Shape, "Tensor too large", ShapeMessages.TooManyNodes);

    public static readonly DiagnosticDescriptor TooDeep = Error("CNN0017", Shape, "Tensor too large", ShapeMessages.TooDeep);

    public static readonly DiagnosticDescriptor NotABlock = Error("CNN0021", Declaration, "Invalid block",
        "{0}: '{1}' is not a block; mark it [Block] (and give it no [InputShape]) to use its layers here");

    public static readonly DiagnosticDescriptor EmptyBlock = Error("CNN0021", Declaration, "Invalid block",
        "{0}: the block '{1}' has no layers; a block needs at least one layer attribute");

    public static readonly DiagnosticDescriptor BlockLayersSplit = Error("CNN0021", Declaration, "Invalid block",
        "{0}: the layers of the block '{1}' are spread over several partial declarations, so their order is undefined; put every layer attribute on one declaration");

    public static readonly DiagnosticDescriptor BlockWithInputShape = Error("CNN0021", Declaration, "Invalid block",
        "'{0}' has both [Block] and [InputShape]; a block takes its shapes from where it is used, so remove one of them");

    public static readonly DiagnosticDescriptor NoBranches = Error("CNN0021", Declaration, "Invalid block",
        "{0} names no block; give it at least one, as in [Concat(typeof(A), typeof(B))]");

    public static readonly DiagnosticDescriptor BlockCycle = Error("CNN0022", Declaration, "Block contains itself",
        "{0}: '{1}' contains itself ({2}); a block cannot use itself, directly or through other blocks");

    public static readonly DiagnosticDescriptor ResidualMismatch = Error("CNN0023", Shape, "Residual terms of different shapes", ShapeMessages.ResidualMismatch);

    public static readonly DiagnosticDescriptor ConcatMismatch = Error("CNN0024", Shape, "Concat parts of different sizes", ShapeMessages.ConcatMismatch);

    public static readonly DiagnosticDescriptor MultiplyMismatch = Error("CNN0025", Shape, "Multiply gate of the wrong shape", ShapeMessages.MultiplyMismatch);

    public static readonly DiagnosticDescriptor ChannelsNotDivisible = Error("CNN0027", Shape, "Channels not divisible by the factor squared", ShapeMessages.ChannelsNotDivisible);

    public static readonly DiagnosticDescriptor PaddingTooLargeForMode = Error("CNN0026", Hyperparameter, "Padding larger than its mode allows", ShapeMessages.PaddingTooLargeForMode);

    public static readonly DiagnosticDescriptor ImportedTensorMismatch = Error("CNN0028", Shape, "Imported tensor of the wrong size", ShapeMessages.ImportedTensorMismatch);

    public static readonly DiagnosticDescriptor ModelNotSupported = Error("CNN0030", Import, "ONNX model not supported",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor ModelFileMissing = Error("CNN0031", Import, "ONNX model file not converted",
        "{0}");

    public static readonly DiagnosticDescriptor ModelUnreadable = Error("CNN0032", Import, "ONNX model unreadable",
        "'{0}' is not an ONNX model CnnGen can read: {1}");

    public static readonly DiagnosticDescriptor ModelWithLayers = Error("CNN0033", Import, "[OnnxModel] with its own layers or constructor",
        "'{0}' takes its input, layers and weights from its ONNX model: remove {1}");

    public static readonly DiagnosticDescriptor WeightsMismatch = Error("CNN0034", Import, "Weights file does not fit the network",
        "'{0}' {1}");

    public static readonly DiagnosticDescriptor WeightsMisplaced = Error("CNN0035", Import, "[Weights] on a class that cannot take it",
        "'{0}': {1}");

    public static readonly DiagnosticDescriptor InternalError = Error("CNN0099", Generator, "Generator failure",
        "CnnGen could not generate '{0}': {1}. Please report this with the attributes that caused it.");

    /// <summary>
    /// Descriptors by a stable key (the field name), so cached pipeline models can name one without
    /// holding it: two descriptors may share an ID with different message formats.
    /// </summary>
    public static readonly System.Collections.Generic.Dictionary<string, DiagnosticDescriptor> ByKey = new()
    {
        [nameof(MissingInputShape)] = MissingInputShape,
        [nameof(NoLayers)] = NoLayers,
        [nameof(NotPartial)] = NotPartial,
        [nameof(LayersSplit)] = LayersSplit,
        [nameof(InvalidValue)] = InvalidValue,
        [nameof(InvalidInputShape)] = InvalidInputShape,
        [nameof(MissingRequired)] = MissingRequired,
        [nameof(ConflictingForms)] = ConflictingForms,
        [nameof(InChannelsMismatch)] = InChannelsMismatch,
        [nameof(OutputTooSmall)] = OutputTooSmall,
        [nameof(TransposedOutputTooSmall)] = TransposedOutputTooSmall,
        [nameof(GroupsDoNotDivide)] = GroupsDoNotDivide,
        [nameof(DenseNeedsFlatten)] = DenseNeedsFlatten,
        [nameof(DenseInputsMismatch)] = DenseInputsMismatch,
        [nameof(PoolPaddingTooLarge)] = PoolPaddingTooLarge,
        [nameof(UnusedInput)] = UnusedInput,
        [nameof(WindowNotUnrolled)] = WindowNotUnrolled,
        [nameof(NeedsFeatureMap)] = NeedsFeatureMap,
        [nameof(NeedsSequence)] = NeedsSequence,
        [nameof(TooLarge)] = TooLarge,
        [nameof(InputTooLarge)] = InputTooLarge,
        [nameof(UnsupportedType)] = UnsupportedType,
        [nameof(FileLocalType)] = FileLocalType,
        [nameof(TypeParameterClash)] = TypeParameterClash,
        [nameof(MemberClash)] = MemberClash,
        [nameof(DuplicateInputShape)] = DuplicateInputShape,
        [nameof(ChannelsMismatch)] = ChannelsMismatch,
        [nameof(PReLUParametersMismatch)] = PReLUParametersMismatch,
        [nameof(DuplicateName)] = DuplicateName,
        [nameof(InvalidName)] = InvalidName,
        [nameof(EmptyNameOnLayer)] = EmptyNameOnLayer,
        [nameof(TooManyNodes)] = TooManyNodes,
        [nameof(TooDeep)] = TooDeep,
        [nameof(NotABlock)] = NotABlock,
        [nameof(EmptyBlock)] = EmptyBlock,
        [nameof(BlockLayersSplit)] = BlockLayersSplit,
        [nameof(BlockWithInputShape)] = BlockWithInputShape,
        [nameof(NoBranches)] = NoBranches,
        [nameof(BlockCycle)] = BlockCycle,
        [nameof(ResidualMismatch)] = ResidualMismatch,
        [nameof(ConcatMismatch)] = ConcatMismatch,
        [nameof(MultiplyMismatch)] = MultiplyMismatch,
        [nameof(PaddingTooLargeForMode)] = PaddingTooLargeForMode,
        [nameof(ChannelsNotDivisible)] = ChannelsNotDivisible,
        [nameof(ImportedTensorMismatch)] = ImportedTensorMismatch,
        [nameof(ModelNotSupported)] = ModelNotSupported,
        [nameof(ModelFileMissing)] = ModelFileMissing,
        [nameof(ModelUnreadable)] = ModelUnreadable,
        [nameof(ModelWithLayers)] = ModelWithLayers,
        [nameof(WeightsMismatch)] = WeightsMismatch,
        [nameof(WeightsMisplaced)] = WeightsMisplaced,
        [nameof(InternalError)] = InternalError,
    };

    /// <summary>The key of the descriptor that reports a shape inference problem.</summary>
    public static string KeyFor(ShapeProblemKind kind) => kind switch
    {
        ShapeProblemKind.InvalidInputShape => nameof(InvalidInputShape),
        ShapeProblemKind.InvalidValue => nameof(InvalidValue),
        ShapeProblemKind.PoolPaddingTooLarge => nameof(PoolPaddingTooLarge),
        ShapeProblemKind.InChannelsMismatch => nameof(InChannelsMismatch),
        ShapeProblemKind.OutputTooSmall => nameof(OutputTooSmall),
        ShapeProblemKind.TransposedOutputTooSmall => nameof(TransposedOutputTooSmall),
        ShapeProblemKind.GroupsDoNotDivide => nameof(GroupsDoNotDivide),
        ShapeProblemKind.DenseNeedsFlatten => nameof(DenseNeedsFlatten),
        ShapeProblemKind.DenseInputsMismatch => nameof(DenseInputsMismatch),
        ShapeProblemKind.NeedsFeatureMap => nameof(NeedsFeatureMap),
        ShapeProblemKind.NeedsSequence => nameof(NeedsSequence),
        ShapeProblemKind.TooLarge => nameof(TooLarge),
        ShapeProblemKind.UnusedInput => nameof(UnusedInput),
        ShapeProblemKind.ChannelsMismatch => nameof(ChannelsMismatch),
        ShapeProblemKind.PReLUParametersMismatch => nameof(PReLUParametersMismatch),
        ShapeProblemKind.DuplicateName => nameof(DuplicateName),
        ShapeProblemKind.InvalidName => nameof(InvalidName),
        ShapeProblemKind.InputTooLarge => nameof(InputTooLarge),
        ShapeProblemKind.EmptyNameOnLayer => nameof(EmptyNameOnLayer),
        ShapeProblemKind.TooManyNodes => nameof(TooManyNodes),
        ShapeProblemKind.ResidualMismatch => nameof(ResidualMismatch),
        ShapeProblemKind.ConcatMismatch => nameof(ConcatMismatch),
        ShapeProblemKind.MultiplyMismatch => nameof(MultiplyMismatch),
        ShapeProblemKind.PaddingTooLargeForMode => nameof(PaddingTooLargeForMode),
        ShapeProblemKind.ChannelsNotDivisible => nameof(ChannelsNotDivisible),
        ShapeProblemKind.ImportedTensorMismatch => nameof(ImportedTensorMismatch),
    };

    private static DiagnosticDescriptor Error(string id, string category, string title, string message) =>
        Create(id, category, DiagnosticSeverity.Error, title, message);

    private static DiagnosticDescriptor Create(string id, string category, DiagnosticSeverity severity, string title, string message, bool enabledByDefault = true) =>
        new(id, title, message, category, severity, isEnabledByDefault: enabledByDefault, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
