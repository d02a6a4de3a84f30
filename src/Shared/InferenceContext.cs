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

    public InferenceContext(int index, Op op, string key, FeatureShape input, string source, List<ShapeProblem> problems, List<StateTensor> tensors, long offset)
    {
        Index = index;
        Op = op;
        Key = key;
        Input = input;
        Source = source;
        _problems = problems;
        _tensors = tensors;
        _offset = offset;
        _errorsBefore = CountErrors(problems);
    }

    /// <summary>The node's position among the layers, as messages count it.</summary>
    public int Index { get; }

    public Op Op { get; }

    /// <summary>The state_dict key segment of the op's module: its Name, else its position.</summary>
    public string Key { get; }

    public FeatureShape Input { get; }

    /// <summary>What produced the input, for messages: "InputShape" or "layer 2".</summary>
    public string Source { get; }

    /// <summary>Whether this op has reported an error.</summary>
    public bool Failed => CountErrors(_problems) > _errorsBefore;

    /// <summary>The offset after the tensors declared so far.</summary>
    public long Offset => _offset;

    public void Report(ShapeProblemKind kind, string? property, params object[] arguments) =>
        _problems.Add(new ShapeProblem(Index, kind, property, Args(arguments)));

    /// <summary>CNN0005: "{Kind} (layer i): property = value is invalid; it must be requirement".</summary>
    public void Invalid(string property, object value, string requirement) =>
        Report(ShapeProblemKind.InvalidValue, property, Op.Kind, Index, property, value, requirement);

    public void Positive(string property, int value)
    {
        if (value <= 0) Invalid(property, value, "at least 1");
    }

    public void NotNegative(string property, int value)
    {
        if (value < 0) Invalid(property, value, "0 or more");
    }

    /// <summary>Reports a flat input where a C x H x W map is needed; true when the input is a map.</summary>
    public bool NeedsFeatureMap()
    {
        if (!Input.IsFlat) return true;
        Report(ShapeProblemKind.NeedsFeatureMap, null, Op.Kind, Index, Source, Input);
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
        Report(ShapeProblemKind.TooLarge, null, Op.Kind, Index, what, elements, ShapeInference.MaxElements);
        return false;
    }

    /// <summary>Declares the op's next tensor in state_dict order ("{key}.{suffix}").</summary>
    public void Tensor(string suffix, bool isBuffer, params int[] dimensions)
    {
        var tensor = new StateTensor(Key + "." + suffix, new EquatableArray<int>(dimensions), (int)Math.Min(_offset, int.MaxValue), isBuffer);
        _tensors.Add(tensor);
        long length = 1;
        foreach (var d in dimensions) length *= d;
        _offset += length;
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
