using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using CnnGen;
using CnnGen.Reference;

namespace EdgeDetection;

/// <summary>Two Sobel filters as one convolution layer: channel 0 is the horizontal gradient, channel 1 the vertical.</summary>
[InputShape(1, 256, 256)]
[Conv2D(Filters = 2, Kernel = 3, Padding = 1, Bias = false)]
public partial class SobelNet { }

/// <summary>
/// Edge detection on a photograph: the generated SobelNet gives the two gradients, C# takes their
/// magnitude and writes it as a PGM. Exits 1 if the reference engine disagrees, 2 on a bad input.
/// Usage: dotnet run --project samples/EdgeDetection [-- input.pgm [output.pgm]]
/// </summary>
internal static class Program
{
    private const float Tolerance = 1e-4f;

    private static int Main(string[] args)
    {
        string inputPath = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "ascent.pgm");
        string outputPath = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine(AppContext.BaseDirectory, "edges.pgm"));

        GrayImage image;
        try
        {
            image = Pgm.Read(inputPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Cannot read {inputPath}: {e.Message}");
            return 2;
        }
        Console.WriteLine($"Input:  {inputPath} ({image.Width}x{image.Height})");
        if (image.Width != SobelNet.InputWidth || image.Height != SobelNet.InputHeight)
        {
            Console.Error.WriteLine(
                $"The picture is {image.Width}x{image.Height} (width x height) but SobelNet was generated for "
                + $"{SobelNet.InputWidth}x{SobelNet.InputHeight}: the generated code is specialized to one size. "
                + $"Change the attribute to [InputShape(1, {image.Height}, {image.Width})] in Program.cs and run again.");
            return 2;
        }

        float[] sobel =
        {
            -1, 0, 1,   // filter 0, Sobel x: positive where the picture gets brighter to the right
            -2, 0, 2,
            -1, 0, 1,
            -1, -2, -1, // filter 1, Sobel y: positive where it gets brighter downwards
            0, 0, 0,
            1, 2, 1,
        };
        var net = new SobelNet();
        net.LoadParameters(sobel); // weight [2, 1, 3, 3], no bias

        var gradients = new float[SobelNet.OutputLength]; // [2, 256, 256]
        var clock = Stopwatch.StartNew();
        net.Forward(image.Pixels, gradients);
        clock.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SobelNet: {SobelNet.ParameterCount} parameters, output {SobelNet.OutputChannels}x{SobelNet.OutputHeight}x{SobelNet.OutputWidth}, forward pass {clock.Elapsed.TotalMilliseconds:F2} ms"));

        // The magnitude sqrt(gx^2 + gy^2), scaled so that the strongest edge is white.
        int pixels = image.Width * image.Height;
        var magnitude = new float[pixels];
        float strongest = 0;
        for (int i = 0; i < pixels; i++)
        {
            float gx = gradients[i], gy = gradients[pixels + i];
            magnitude[i] = MathF.Sqrt(gx * gx + gy * gy);
            strongest = MathF.Max(strongest, magnitude[i]);
        }
        var edges = new byte[pixels];
        for (int i = 0; i < pixels; i++)
        {
            edges[i] = strongest > 0 ? (byte)MathF.Round(255 * magnitude[i] / strongest) : (byte)0;
        }
        Pgm.Write(outputPath, image.Width, image.Height, edges);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Output: {outputPath} (gradient magnitude, strongest edge {strongest:F3} shown as 255)"));

        var reference = new ReferenceNetwork(SobelNet.Spec);
        reference.LoadParameters(sobel);
        float[] expected = reference.Forward(image.Pixels);
        float maxDifference = 0;
        for (int i = 0; i < expected.Length; i++) maxDifference = MathF.Max(maxDifference, MathF.Abs(gradients[i] - expected[i]));
        bool agree = maxDifference <= Tolerance;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Generated vs reference engine: max |difference| = {maxDifference:G3} -> {(agree ? "agree" : "MISMATCH")}"));
        return agree ? 0 : 1;
    }
}
