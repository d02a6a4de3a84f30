using CnnGen.Shapes;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator;

/// <summary>Every diagnostic the generator reports. The README's diagnostics table documents each ID.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "CnnGen";
    private const string HelpBase = "https://github.com/cnngen/cnngen#";

    public static readonly DiagnosticDescriptor NoLayers = Error("CNN0002", "Network without layers",
        "'{0}' has [InputShape] but no layer attributes; add layers such as [Conv2D(Filters = 8, Kernel = 3)]");

    public static readonly DiagnosticDescriptor NotPartial = Error("CNN0003", "Network class must be partial",
        "'{0}' must be declared partial so the generator can add the forward pass to it");

    public static readonly DiagnosticDescriptor LayersSplit = Error("CNN0004", "Layers spread over several partial declarations",
        "The layers of '{0}' are spread over several partial declarations, so their order is undefined; put every layer attribute on one declaration");

    public static readonly DiagnosticDescriptor InvalidValue = Error("CNN0005", "Invalid hyperparameter", ShapeMessages.InvalidValue);

    public static readonly DiagnosticDescriptor InvalidInputShape = Error("CNN0005", "Invalid hyperparameter", ShapeMessages.InvalidInputShape);

    public static readonly DiagnosticDescriptor MissingRequired = Error("CNN0006", "Required property missing",
        "{0} (layer {1}) needs {2}");

    public static readonly DiagnosticDescriptor InChannelsMismatch = Error("CNN0008", "InChannels disagrees with the previous layer", ShapeMessages.InChannelsMismatch);

    public static readonly DiagnosticDescriptor OutputTooSmall = Error("CNN0009", "Kernel larger than its padded input", ShapeMessages.OutputTooSmall);

    public static readonly DiagnosticDescriptor GroupsDoNotDivide = Error("CNN0010", "Groups must divide the channels", ShapeMessages.GroupsDoNotDivide);

    public static readonly DiagnosticDescriptor DenseNeedsFlatten = Error("CNN0011", "Dense without Flatten", ShapeMessages.DenseNeedsFlatten);

    public static readonly DiagnosticDescriptor DenseInputsMismatch = Error("CNN0012", "Dense Inputs disagrees with the previous layer", ShapeMessages.DenseInputsMismatch);

    public static readonly DiagnosticDescriptor PoolPaddingTooLarge = Error("CNN0013", "Pool padding larger than half the window", ShapeMessages.PoolPaddingTooLarge);

    public static readonly DiagnosticDescriptor UnusedInput = new("CNN0014", "Input rows or columns never reached",
        ShapeMessages.UnusedInput, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + "cnn0014");

    public static readonly DiagnosticDescriptor NeedsFeatureMap = Error("CNN0016", "Layer needs a feature map", ShapeMessages.NeedsFeatureMap);

    public static readonly DiagnosticDescriptor TooLarge = Error("CNN0017", "Tensor too large", ShapeMessages.TooLarge);

    public static readonly DiagnosticDescriptor UnsupportedType = Error("CNN0018", "Unsupported network type",
        "'{0}' must be a non-static class to hold a network");

    public static readonly DiagnosticDescriptor InternalError = Error("CNN0099", "Generator failure",
        "CnnGen could not generate '{0}': {1}. Please report this with the attributes that caused it.");

    /// <summary>
    /// Descriptors by a stable key (the field name), so cached pipeline models can name one without
    /// holding it: two descriptors may share an ID with different message formats.
    /// </summary>
    public static readonly System.Collections.Generic.Dictionary<string, DiagnosticDescriptor> ByKey = new()
    {
        [nameof(NoLayers)] = NoLayers,
        [nameof(NotPartial)] = NotPartial,
        [nameof(LayersSplit)] = LayersSplit,
        [nameof(InvalidValue)] = InvalidValue,
        [nameof(InvalidInputShape)] = InvalidInputShape,
        [nameof(MissingRequired)] = MissingRequired,
        [nameof(InChannelsMismatch)] = InChannelsMismatch,
        [nameof(OutputTooSmall)] = OutputTooSmall,
        [nameof(GroupsDoNotDivide)] = GroupsDoNotDivide,
        [nameof(DenseNeedsFlatten)] = DenseNeedsFlatten,
        [nameof(DenseInputsMismatch)] = DenseInputsMismatch,
        [nameof(PoolPaddingTooLarge)] = PoolPaddingTooLarge,
        [nameof(UnusedInput)] = UnusedInput,
        [nameof(NeedsFeatureMap)] = NeedsFeatureMap,
        [nameof(TooLarge)] = TooLarge,
        [nameof(UnsupportedType)] = UnsupportedType,
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
        ShapeProblemKind.GroupsDoNotDivide => nameof(GroupsDoNotDivide),
        ShapeProblemKind.DenseNeedsFlatten => nameof(DenseNeedsFlatten),
        ShapeProblemKind.DenseInputsMismatch => nameof(DenseInputsMismatch),
        ShapeProblemKind.NeedsFeatureMap => nameof(NeedsFeatureMap),
        ShapeProblemKind.TooLarge => nameof(TooLarge),
        _ => nameof(UnusedInput),
    };

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
