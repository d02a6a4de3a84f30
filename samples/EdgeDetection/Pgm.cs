using System;
using System.IO;
using System.Text;

namespace EdgeDetection;

/// <summary>A grayscale image, row by row, each pixel in [0, 1].</summary>
internal sealed record GrayImage(int Width, int Height, float[] Pixels);

/// <summary>Binary PGM (P5): reads 8- and 16-bit files with comments in the header, writes 8-bit.</summary>
internal static class Pgm
{
    public static GrayImage Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int position = 0;
        if (NextToken(bytes, ref position) != "P5") throw new InvalidDataException($"{path} is not a binary PGM (it must start with P5).");
        int width = NextNumber(bytes, ref position, path);
        int height = NextNumber(bytes, ref position, path);
        int maxValue = NextNumber(bytes, ref position, path);
        if (width <= 0 || height <= 0 || maxValue is <= 0 or > 65535)
        {
            throw new InvalidDataException($"{path}: bad header (width {width}, height {height}, maxval {maxValue}).");
        }
        position++; // exactly one whitespace byte separates maxval from the pixels

        int bytesPerPixel = maxValue < 256 ? 1 : 2; // 16-bit samples are big-endian
        long needed = (long)width * height * bytesPerPixel;
        if (bytes.Length - position < needed)
        {
            throw new InvalidDataException($"{path}: {width}x{height} needs {needed} pixel bytes but only {bytes.Length - position} follow the header.");
        }
        var pixels = new float[width * height];
        for (int i = 0; i < pixels.Length; i++)
        {
            int value = bytesPerPixel == 1 ? bytes[position + i] : (bytes[position + 2 * i] << 8) | bytes[position + 2 * i + 1];
            pixels[i] = (float)value / maxValue;
        }
        return new GrayImage(width, height, pixels);
    }

    public static void Write(string path, int width, int height, ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length != width * height) throw new ArgumentException($"Expected {width * height} pixels but got {pixels.Length}.", nameof(pixels));
        using var file = File.Create(path);
        file.Write(Encoding.ASCII.GetBytes($"P5\n{width} {height}\n255\n"));
        file.Write(pixels);
    }

    // A header token: skips whitespace and '#' comments (which run to the end of the line).
    private static string NextToken(byte[] bytes, ref int position)
    {
        while (position < bytes.Length)
        {
            if (bytes[position] == '#')
            {
                while (position < bytes.Length && bytes[position] != '\n' && bytes[position] != '\r') position++;
            }
            else if (char.IsWhiteSpace((char)bytes[position])) position++;
            else break;
        }
        int start = position;
        while (position < bytes.Length && !char.IsWhiteSpace((char)bytes[position]) && bytes[position] != '#') position++;
        return Encoding.ASCII.GetString(bytes, start, position - start);
    }

    private static int NextNumber(byte[] bytes, ref int position, string path)
    {
        string token = NextToken(bytes, ref position);
        return int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new InvalidDataException($"{path}: expected a number in the header but found \"{token}\".");
    }
}
