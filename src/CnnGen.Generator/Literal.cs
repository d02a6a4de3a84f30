namespace CnnGen.Generator;

/// <summary>C# literals for emitted code.</summary>
internal static class Literal
{
    public static string Float(float value) =>
        float.IsNaN(value) ? "float.NaN"
        : float.IsPositiveInfinity(value) ? "float.PositiveInfinity"
        : float.IsNegativeInfinity(value) ? "float.NegativeInfinity"
        : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f";

    /// <summary>A regular "..." string literal of any text: quotes, backslashes and every character that could end a line escaped.</summary>
    public static string String(string value) => "\"" + Escaped(value) + "\"";

    /// <summary>Text for a // comment: nothing in it may end the line (a module name may hold any character).</summary>
    public static string Comment(string value) => Escaped(value);

    private static string Escaped(string value)
    {
        var text = new System.Text.StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (c == '\\' || c == '"') text.Append('\\').Append(c);
            else if (c < ' ' || c is '\u007f' or '\u0085' or '\u2028' or '\u2029' || char.IsSurrogate(c)) text.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else text.Append(c);
        }
        return text.ToString();
    }
}
