namespace CnnGen.Generator;

/// <summary>The header every emitted vector helper (exp, expm1, tanh, GELU and its tanh form, Mish) shares.</summary>
internal static class VectorHelper
{
    /// <summary>
    /// Opens <c>private static T name(T x)</c> on the flavor's vector type, after a blank line and its summary, marked
    /// for inlining: a call would spill the caller's accumulators, every vector register being caller-saved.
    /// </summary>
    public static SourceWriter.Block Open(SourceWriter w, SimdFlavor v, string name, string summary)
    {
        w.WriteLine();
        w.WriteLine($"/// <summary>{summary}</summary>");
        w.WriteLine(NetworkEmitter.Inline);
        return w.OpenBlock($"private static {v.Type} {name}({v.Type} x)");
    }
}
