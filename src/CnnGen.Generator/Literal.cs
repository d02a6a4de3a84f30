namespace CnnGen.Generator;

/// <summary>C# literals for emitted code.</summary>
internal static class Literal
{
    /// <summary>An integer as C# writes it, whatever the culture.</summary>
    public static string Int(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Float(float value) =>
        float.IsNaN(value) ? "float.NaN"
        : float.IsPositiveInfinity(value) ? "float.PositiveInfinity"
        : float.IsNegativeInfinity(value) ? "float.NegativeInfinity"
        : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f";

    /// <summary>A regular "..." string literal of any text: quotes, backslashes and every character that could end a line escaped.</summary>
    public static string String(string value) => "\"" + Ir.CSharpText.Escape(value, surrogates: true) + "\"";

    /// <summary>Text for a // comment: nothing in it may end the line (a module name may hold any character).</summary>
    public static string Comment(string value) => Ir.CSharpText.Escape(value, surrogates: true);
}
