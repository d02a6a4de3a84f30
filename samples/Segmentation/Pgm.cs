using System;
using System.IO;
using System.Text;

namespace Segmentation;

/// <summary>Binary PGM (P5), 8-bit: the simplest grayscale image file most viewers open (as samples/EdgeDetection's).</summary>
internal static class Pgm
{
    public static void Write(string path, int width, int height, ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length != width * height) throw new ArgumentException($"Expected {width * height} pixels but got {pixels.Length}.", nameof(pixels));
        using var file = File.Create(path);
        file.Write(Encoding.ASCII.GetBytes($"P5\n{width} {height}\n255\n"));
        file.Write(pixels);
    }
}
