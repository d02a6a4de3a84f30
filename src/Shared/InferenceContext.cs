// Shared between the generator and the runtime library as a linked file.
using System;
using System.Collections.Generic;
using System.Globalization;

namespace CnnGen.Ir;

/// <summary>
/// What an op's rule sees while it infers its shape: its position, its input and where that came
/// from, and the lists it reports problems and declares tensors into.
/// </summary>
internal sealed class InferenceContext
{
    private readonly List<ShapeProblem> _problems;
    private readonly List<StateTensor> _tensors;
    private readonly int _errorsBefore;
    private long _offset;
    private readonly EquatableArray<ImportedTensor> _imported;
    private int _declared;

    public InferenceContext(int index, Node node, IReadOnlyList<FeatureShape> inputs, IReadOnlyList<string> sources, List<ShapeProblem> problems, List<StateTensor> tensors, long offset)
    {
        Index = index;
        Op = node.Op;
        Key = node.Key;
        Where = node.Where;
        Inputs = inputs;
        Sources = sources;
        _problems = problems;
        _tensors = tensors;
        _offset = offset;
        _imported = node.Tensors;
        _errorsBefore = CountErrors(problems);
    }

    /// <summary>The node's index in the graph: problems point at it.</summary>
    public int Index { get; }

    public Op Op { get; }

    /// <summary>The state_dict key of the op's module: its Name, else its position, after its parents' keys.</summary>
    public string Key { get; }

    /// <summary>The node in messages: "Conv2D (layer 3)", "ResNet8 > 5 (Residual) > conv1 (Conv2D)".</summary>
    public string Where { get; }

    /// <summary>The values the op reads; most read one, <see cref="Input"/>.</summary>
    public IReadOnlyList<FeatureShape> Inputs { get; }

    public FeatureShape Input => Inputs[0];

    /// <summary>What produced each input, for messages: "InputShape", "layer 2", or a path inside a block.</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>What produced the input, for messages.</summary>
    public string Source => Sources[0];

    /// <summary>Whether this op has reported an error.</summary>
    public bool Failed => CountErrors(_problems) > _errorsBefore;

    /// <summary>The offset after the tensors declared so far.</summary>
    public long Offset => _offset;

    public void Report(ShapeProblemKind kind, string? property, params object[] arguments) =>
        _problems.Add(new ShapeProblem(Index, kind, property, Args(arguments)));

    /// <summary>CNN0005: "{Where}: property = value is invalid; it must be requirement".</summary>
    public void Invalid(string property, object value, string requirement) =>
        Report(ShapeProblemKind.InvalidValue, property, Where, Index, property, value, requirement);

    public void Positive(string property, int value)
    {
        if (value <= 0) Invalid(property, value, "at least 1");
    }

    public void NotNegative(string property, int value)
    {
        if (value < 0) Invalid(property, value, "0 or more");
    }

    /// <summary>Reports an input that is no C x H x W map (a vector, or a sequence reaching a 2D layer); true when it is one.</summary>
    public bool NeedsFeatureMap()
    {
        if (Input.IsMap) return true;
        Report(ShapeProblemKind.NeedsFeatureMap, null, Where, Index, Source, Input.Described);
        return false;
    }

    /// <summary>Reports an input that has no channel axis apart from its positions (a flat vector); true for a map or a sequence.</summary>
    public bool NeedsChannels()
    {
        if (!Input.IsFlat) return true;
        Report(ShapeProblemKind.NeedsFeatureMap, null, Where, Index, Source, Input.Described);
        return false;
    }

    /// <summary>The input with <paramref name="channels"/> channels where that fits (<see cref="Fits"/>, which reports it otherwise); else the input.</summary>
    public FeatureShape WithChannels(string what, long channels) =>
        Fits(what, channels, Input.Height, Input.Width) ? Input with { Channels = (int)channels } : Input;

    /// <summary>What a layer of <paramref name="spatialRank"/> 2 or 1 reads: a feature map or a sequence; reports anything else.</summary>
    public bool NeedsSpatial(int spatialRank) => spatialRank == 1 ? NeedsSequence() : NeedsFeatureMap();

    /// <summary>Reports an input that is no C x L sequence (a vector, or a map reaching a 1D layer); true when it is one.</summary>
    public bool NeedsSequence()
    {
        if (Input.IsSequence) return true;
        Report(ShapeProblemKind.NeedsSequence, null, Where, Index, Source, Input.Described);
        return false;
    }

    /// <summary>
    /// Reports a tensor of more than <see cref="ShapeInference.MaxElements"/> elements, the product of
    /// <paramref name="dimensions"/>, each positive. The product is exact: three int sizes overflow a long.
    /// </summary>
    public bool Fits(string what, params long[] dimensions)
    {
        var elements = ShapeInference.Elements(dimensions);
        if (elements <= ShapeInference.MaxElements) return true;
        Report(ShapeProblemKind.TooLarge, null, Where, Index, what, elements, ShapeInference.MaxElements);
        return false;
    }

    /// <summary>
    /// Declares the op's next tensor in state_dict order ("{key}.{suffix}"), or under the name and shape
    /// the node imports for it, which must hold as many floats.
    /// </summary>
    public void Tensor(string suffix, bool isBuffer, params int[] dimensions)
    {
        long length = 1;
        foreach (var d in dimensions) length *= d;
        string name = Key + "." + suffix;
        var shape = new EquatableArray<int>(dimensions);
        if (_imported.Count > 0)
        {
            if (_declared >= _imported.Count)
            {
                Report(ShapeProblemKind.ImportedTensorMismatch, null, Where, Index, "no tensor", suffix, string.Join(", ", dimensions));
                return;
            }
            var imported = _imported[_declared];
            long importedLength = 1;
            foreach (var d in imported.Dimensions) importedLength *= d;
            if (importedLength != length)
            {
                Report(ShapeProblemKind.ImportedTensorMismatch, null, Where, Index, $"\"{imported.Name}\" [{string.Join(", ", imported.Dimensions)}]", suffix, string.Join(", ", dimensions));
                return;
            }
            (name, shape) = (imported.Name, imported.Dimensions);
        }
        _declared++;
        _tensors.Add(new StateTensor(name, shape, (int)Math.Min(_offset, int.MaxValue), isBuffer));
        _offset += length;
    }

    /// <summary>Reports imported tensors the op did not take (a bias given to an op declared without one).</summary>
    public void CheckAllImportedTaken()
    {
        if (_imported.Count > _declared && !Failed)
        {
            var extra = _imported[_declared];
            Report(ShapeProblemKind.ImportedTensorMismatch, null, Where, Index, $"\"{extra.Name}\" [{string.Join(", ", extra.Dimensions)}]", "nothing", "");
        }
    }

    public static int CountErrors(List<ShapeProblem> problems)
    {
        int n = 0;
        foreach (var p in problems) if (!p.IsWarning) n++;
        return n;
    }

    public static string[] Args(params object[] values)
    {
        var result = new string[values.Length];
        for (int k = 0; k < values.Length; k++)
            result[k] = values[k] is float f ? FloatText(f) : Convert.ToString(values[k], CultureInfo.InvariantCulture) ?? "";
        return result;
    }

    /// <summary>A float as the user would write it: 0.5, not 0.5000000.</summary>
    public static string FloatText(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
