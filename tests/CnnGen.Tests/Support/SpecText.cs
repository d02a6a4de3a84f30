using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace CnnGen.Tests.Support;

/// <summary>
/// A <see cref="NetworkSpec"/> as text, to compare two specs and show where they differ: every item with
/// every public property of its spec (blocks with their parts nested), the state tensors, and the graph's nodes.
/// </summary>
internal static class SpecText
{
    /// <summary>"0.weight [4, 2, 3] @0", "1.running_var [4] @20 buffer".</summary>
    public static string Tensor(ParameterTensor t) =>
        $"{t.Name} [{string.Join(", ", t.Shape)}] @{t.Offset}{(t.IsBuffer ? " buffer" : "")}";

    /// <summary>A node's kind, module, place in messages, inputs and shapes.</summary>
    public static string Node(NetworkNode n) =>
        $"{n.Kind} '{n.Module}' {n.Description} ({string.Join(", ", n.Inputs)}) -> {n.Output} [{string.Join(" | ", n.InputShapes.Select(s => string.Join(", ", s)))}] -> [{string.Join(", ", n.OutputShape)}]";

    /// <summary>"Conv1DSpec(Bias = True, Dilation = 2, ..., Stride = 1)": the spec's type and each public property by name, nested specs written the same way.</summary>
    public static string Layer(LayerSpec spec)
    {
        var properties = spec.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name} = {Value(p.GetValue(spec))}");
        return $"{spec.GetType().Name}({string.Join(", ", properties)})";
    }

    private static string Value(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        LayerSpec layer => Layer(layer),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Value)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Where <paramref name="actual"/> differs from <paramref name="expected"/>: each part that differs, with both sides; empty when they are the same.</summary>
    public static List<string> Differences(NetworkSpec expected, NetworkSpec actual)
    {
        var differences = new List<string>();
        void Compare(string what, IEnumerable<string> e, IEnumerable<string> a)
        {
            var el = e.ToList();
            var al = a.ToList();
            if (el.SequenceEqual(al)) return;
            int first = Enumerable.Range(0, Math.Min(el.Count, al.Count)).FirstOrDefault(i => el[i] != al[i], Math.Min(el.Count, al.Count));
            differences.Add($"{what} differ{(first < Math.Max(el.Count, al.Count) ? $" first at {first}" : "")}:\n  expected: {string.Join("\n            ", el)}\n  actual:   {string.Join("\n            ", al)}");
        }
        Compare("input shapes", new[] { string.Join(", ", expected.InputShape) }, new[] { string.Join(", ", actual.InputShape) });
        Compare("output shapes", new[] { string.Join(", ", expected.OutputShape) }, new[] { string.Join(", ", actual.OutputShape) });
        Compare("layers", expected.Layers.Select(Layer), actual.Layers.Select(Layer));
        Compare("state tensors", expected.Parameters.Select(Tensor), actual.Parameters.Select(Tensor));
        Compare("graphs", expected.Nodes.Select(Node), actual.Nodes.Select(Node));
        if (expected.ParameterCount != actual.ParameterCount) differences.Add($"parameter counts differ: expected {expected.ParameterCount}, actual {actual.ParameterCount}");
        return differences;
    }
}
