// Shared between the generator and the runtime library as a linked file.
using System.Globalization;
using System.Text;

namespace CnnGen.Ir;

/// <summary>
/// Text as the inside of a C# "..." literal: quotes and backslashes escaped, and every character
/// that could end a line (or is not printable) as \uXXXX. Diagnostics quote the user's strings with
/// it; the generator writes literals and comments with it.
/// </summary>
internal static class CSharpText
{
    /// <param name="text">Any string.</param>
    /// <param name="surrogates">Escape surrogates too: a lone one cannot be written to a UTF-8 source file.</param>
    public static string Escape(string text, bool surrogates)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is '"' or '\\') escaped.Append('\\').Append(c);
            else if (char.IsControl(c) || c is '\u2028' or '\u2029' || (surrogates && char.IsSurrogate(c)))
                escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else escaped.Append(c);
        }
        return escaped.ToString();
    }

    /// <summary>A string as C# would spell it in a message: "tanh", or null.</summary>
    public static string Quote(string? text) => text is null ? "null" : "\"" + Escape(text, surrogates: false) + "\"";
}
