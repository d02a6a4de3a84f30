using System.Collections.Generic;
using CnnGen.Generator.Onnx;
using CnnGen.Ir;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Model;

/// <summary>A type that encloses the network class, written as "partial class Outer".</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>
/// Where the generated part of a network class goes: its namespace, enclosing types, keyword ("class"
/// or "record"), its name as source spells it, and the generated file's hint name.
/// </summary>
internal sealed record NetworkClass(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Keyword,
    string Name,
    string HintName);

/// <summary>
/// Everything the emitter needs to know about one network class: where it goes and the network graph.
/// Records, strings, ints and equatable arrays only, so the pipeline can cache it.
/// </summary>
internal sealed record NetworkModel(NetworkClass Class, NetworkDeclaration? Declaration, NetworkGraph Graph)
{
    public string ClassName => Class.Name;

    /// <summary>The model file a network imported with [OnnxModel] comes from, and where its weights are; null for attributes.</summary>
    public ImportedModel? Import { get; init; }
}

/// <summary>
/// An imported network's file: its path as [OnnxModel] names it, the manifest resource holding its weights blob, and
/// where each tensor of the state comes from (the blob, or numbers the model's text holds).
/// </summary>
internal sealed record ImportedModel(string Path, string Resource, EquatableArray<WeightSource> Weights);

/// <summary>
/// A network class whose attributes hold an error: it gets every member a valid network's class gets,
/// so the user's code that uses it compiles and only the error shows. <see cref="Input"/> is the input
/// shape where [InputShape] is valid (its constants exist only then); <see cref="Error"/> names the
/// diagnostic ("CNN0009: Conv2D (layer 0): ..."), which every method throws.
/// </summary>
internal sealed record NetworkStandIn(NetworkClass Class, FeatureShape? Input, string Error)
{
    /// <summary>Whether the class has TorchSource: a network declared with attributes does, an imported one does not.</summary>
    public bool HasTorchSource { get; init; } = true;
}

/// <summary>The parse step's cached output: a valid network's model, or the stand-in of a network with an error, or neither.</summary>
internal sealed record ParsedNetwork(NetworkModel? Model, NetworkStandIn? StandIn);

/// <summary>
/// Where an item of the declaration was written: its attribute; the network's attribute through
/// which this use of a block reaches it (null for the network's own items); its name in messages.
/// Diagnostics only: never part of the cached model.
/// </summary>
internal sealed record ItemOrigin(AttributeData Attribute, AttributeData? UseSite, string Where);

/// <summary>
/// A problem found while reading the attributes, kept without a Location: which attribute (-1 for the
/// class itself, or the InputShape attribute when <see cref="OnInputShape"/>), which argument, which descriptor (by its key in DiagnosticDescriptors.ByKey).
/// <see cref="CorrectValue"/> is the value a code fix would write (the channels the previous layer
/// produces for CNN0008, the features for CNN0012); it travels in the diagnostic's properties.
/// </summary>
internal sealed record ProblemInfo(string DescriptorKey, int LayerIndex, bool OnInputShape, string? Property, EquatableArray<string> Arguments, string? CorrectValue = null);

/// <summary>
/// What the parser produced: a model when the network is valid, and the problems either way; with an
/// error, a stand-in when the class itself can take generated members.
/// </summary>
internal sealed record ParseResult(NetworkModel? Model, EquatableArray<ProblemInfo> Problems)
{
    public NetworkStandIn? StandIn { get; init; }

    /// <summary>What the cached pipeline carries on: the model or the stand-in, without the diagnostics' origins.</summary>
    public ParsedNetwork Output => new(Model, StandIn);

    /// <summary>Where each item was written, by the index problems give as their layer.</summary>
    public IReadOnlyList<ItemOrigin> Origins { get; init; } = new List<ItemOrigin>();
}

/// <summary>A network and the plan the passes made of it; without a plan, why the passes failed.</summary>
internal sealed record PlannedNetwork(NetworkModel Model, CnnGen.Generator.Planning.ExecutionPlan? Plan, string? Failure = null);

/// <summary>One generated file.</summary>
internal sealed record GeneratedFile(string HintName, string Source);
