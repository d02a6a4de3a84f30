using System;
using System.Globalization;
using System.Linq;

namespace Lecture;

/// <summary>A titled rows x columns matrix, read from a flat C-order array (one channel of a feature map).</summary>
internal sealed record Matrix(string Title, float[] Values, int Rows, int Columns)
{
    /// <summary>Channel <paramref name="channel"/> of a C x rows x columns feature map.</summary>
    public static Matrix Channel(string title, float[] map, int channel, int rows, int columns) =>
        new(title, map.AsSpan(channel * rows * columns, rows * columns).ToArray(), rows, columns);

    public float this[int row, int column] => Values[row * Columns + column];

    /// <summary>Prints the matrices next to each other, each under its title, numbers right-aligned.</summary>
    public static void PrintSideBySide(params Matrix[] matrices)
    {
        const string Gap = "     ";
        var cellWidths = matrices.Select(m => m.Values.Max(v => Format(v).Length) + 1).ToArray();
        var widths = matrices.Select((m, i) => Math.Max(m.Title.Length, m.Columns * cellWidths[i])).ToArray();
        int lines = matrices.Max(m => m.Rows);

        Console.WriteLine(("  " + string.Join(Gap, matrices.Select((m, i) => m.Title.PadRight(widths[i])))).TrimEnd());
        for (int row = 0; row < lines; row++)
        {
            Console.WriteLine(("  " + string.Join(Gap, matrices.Select((m, i) => RowText(m, row, cellWidths[i]).PadRight(widths[i])))).TrimEnd());
        }
        Console.WriteLine();
    }

    public static string Format(float value) =>
        (value + 0f).ToString("0.##", CultureInfo.InvariantCulture); // + 0f turns -0 into 0

    private static string RowText(Matrix m, int row, int cellWidth)
    {
        if (row >= m.Rows) return "";
        var cells = Enumerable.Range(0, m.Columns).Select(column => Format(m[row, column]).PadLeft(cellWidth));
        return string.Concat(cells);
    }
}
