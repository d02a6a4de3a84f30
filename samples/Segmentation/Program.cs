using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Reference;

namespace Segmentation;

/// <summary>
/// Segments train.py's 100 test images with the generated SegNet (Networks.cs), one image at a time (Forward) and
/// all at once (ForwardBatch), and with the reference engine, from the weights train.py trained in PyTorch; compares
/// them with each other and with PyTorch's own logits, prints each one's pixel accuracy and IoU, and writes the
/// first images with their masks as PGM files. Exits 1 if Forward differs from the reference engine or from
/// PyTorch, the reference engine from PyTorch, or ForwardBatch from Forward, by more than 1e-4 in a logit
/// (relative; absolute for logits below 1), or in a pixel's class other than at a near-tie (two classes' logits
/// within that tolerance of each other, where rounding may pick either).
/// </summary>
internal static class Program
{
    private static readonly string[] Classes = { "background", "circle", "polygon" };

    private const int Height = SegNet.InputHeight, Width = SegNet.InputWidth, Pixels = Height * Width;
    private const int ClassCount = SegNet.OutputChannels;
    private const float Tolerance = 1e-4f;       // |a - b| <= Tolerance * max(1, |b|)
    private const int ImagesWritten = 8;          // the first images, written as PGM files
    private const int Zoom = 4;                   // each pixel as Zoom x Zoom in the PGM files

    private static int Main(string[] args)
    {
        // the PyTorch module train.py trains is the network's own TorchSource: `dotnet run -- --torch-source > model.py`
        if (args.Length == 1 && args[0] == "--torch-source")
        {
            Console.Out.Write(SegNet.TorchSource);
            return 0;
        }
        if (args.Length > 1 || args.Length == 1 && args[0].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: Segmentation [output folder for the PGM files]   (default: samples/Segmentation/out)");
            Console.Error.WriteLine("       Segmentation --torch-source                     (the network as a PyTorch module)");
            return 2;
        }
        string outFolder = args.Length == 1 ? args[0] : DefaultOutputFolder();

        string folder = AppContext.BaseDirectory;
        string weights = Path.Combine(folder, "model.safetensors");
        float[] inputs = ReadFloats(Path.Combine(folder, "test.f32"));
        byte[] targets = File.ReadAllBytes(Path.Combine(folder, "test_masks.u8"));
        float[] pytorchLogits = ReadFloats(Path.Combine(folder, "pytorch_logits.f32"));
        string[] pytorchMetrics = File.ReadAllLines(Path.Combine(folder, "pytorch_metrics.txt"));
        int count = targets.Length / Pixels;
        if (targets.Length != count * Pixels || inputs.Length != count * SegNet.InputLength || pytorchLogits.Length != count * SegNet.OutputLength)
        {
            throw new InvalidDataException($"test_masks.u8 holds {targets.Length} bytes, test.f32 {inputs.Length} floats and pytorch_logits.f32 "
                + $"{pytorchLogits.Length}; {count} images need {count * Pixels}, {count * SegNet.InputLength} and {count * SegNet.OutputLength}.");
        }

        var net = new SegNet();
        net.LoadSafetensors(weights);

        // One image at a time on this thread, then all of them at once on every core; each timed as the best of
        // three passes after a warm-up pass (ForwardBatch: of seven, as the thread pool's second thread sometimes
        // joins in late, leaving a pass to one thread). (The project file turns tiered compilation off, so that the
        // code timed is the optimized code from the first call, not .NET's quick first compilation of it.)
        var logits = new float[count * SegNet.OutputLength];
        var batchLogits = new float[logits.Length];
        double forwardMicroseconds = BestOf(4, () =>
        {
            for (int n = 0; n < count; n++) net.Forward(Input(inputs, n), Output(logits, n));
        }) / count;
        double batchMicroseconds = BestOf(8, () => net.ForwardBatch(inputs, batchLogits)) / count;

        // The reference engine (plain loops, double sums: slow on purpose), one image per core.
        var reference = new ReferenceNetwork(SegNet.Spec);
        reference.LoadSafetensors(weights);
        var referenceLogits = new float[logits.Length];
        var clock = Stopwatch.StartNew();
        System.Threading.Tasks.Parallel.For(0, count, n => reference.Forward(Input(inputs, n), Output(referenceLogits, n)));
        double referenceMicroseconds = clock.Elapsed.TotalMicroseconds / count;

        byte[] masks = ArgMax(logits);
        byte[] batchMasks = ArgMax(batchLogits);
        byte[] referenceMasks = ArgMax(referenceLogits);
        byte[] pytorchMasks = ArgMax(pytorchLogits);

        Console.WriteLine($"SegNet: {SegNet.ParameterCount} parameters from {Path.GetFileName(weights)}; {count} test images of "
            + $"{Width}x{Height}, {count * Pixels:N0} pixels, {ClassCount} classes ({string.Join(", ", Classes)})");
        Console.WriteLine();
        Console.WriteLine("                                 pixel accuracy   IoU background   circle   polygon   mean IoU");
        foreach (var (name, m) in new[] { ("generated (Forward)", masks), ("generated (ForwardBatch)", batchMasks), ("reference engine", referenceMasks), ("PyTorch (its logits)", pytorchMasks) })
        {
            var (accuracy, iou, mean) = Metrics(m, targets);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-30} {100 * accuracy,13:F2}%  {iou[0],15:F4} {iou[1],8:F4} {iou[2],9:F4} {mean,10:F4}"));
        }
        var saved = pytorchMetrics.Select(l => l.Split(' ')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        Console.WriteLine($"  {"pytorch_metrics.txt",-30} {saved.GetValueOrDefault("pixel_accuracy", "?"),14}  "
            + $"{saved.GetValueOrDefault("iou_background", "?"),15} {saved.GetValueOrDefault("iou_circle", "?"),8} "
            + $"{saved.GetValueOrDefault("iou_polygon", "?"),9} {saved.GetValueOrDefault("mean_iou", "?"),10}");
        Console.WriteLine();

        var comparisons = new (string Name, float[] A, byte[] MasksA, float[] B, byte[] MasksB)[]
        {
            ("generated vs reference", logits, masks, referenceLogits, referenceMasks),
            ("generated vs PyTorch", logits, masks, pytorchLogits, pytorchMasks),
            ("reference vs PyTorch", referenceLogits, referenceMasks, pytorchLogits, pytorchMasks),
            ("Forward vs ForwardBatch", logits, masks, batchLogits, batchMasks),
        };
        bool ok = true;
        foreach (var (name, a, masksA, b, masksB) in comparisons)
        {
            var (same, ties, others) = CompareMasks(a, masksA, b, masksB);
            (float absolute, float relative) = Difference(a, b);
            bool pass = others == 0 && relative <= Tolerance;
            ok &= pass;
            string differing = others == 0 ? $"{ties} differ at a near-tie" : $"{ties} differ at a near-tie, {others} elsewhere";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name + ":",-25} same class at {same:N0} of {masks.Length:N0} pixels ({differing}), max |logit difference| "
                + $"{absolute:0.00e+0} (relative {relative:0.00e+0}){(pass ? "" : "  <-- MISMATCH")}"));
        }
        Console.WriteLine();
        string cores = Environment.ProcessorCount == 1 ? "one thread" : $"{Environment.ProcessorCount} threads";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  time per image: generated {forwardMicroseconds:F0} µs (Forward, one thread), {batchMicroseconds:F0} µs (ForwardBatch, {cores}); "
            + $"reference engine {referenceMicroseconds / 1000:F1} ms ({cores})"));
        Console.WriteLine();

        PrintConfusion(masks, targets);

        // The first image with both a circle and a polygon in its target, as ASCII art beside the generated mask.
        int shown = Enumerable.Range(0, count).FirstOrDefault(n => Image(targets, n).Contains((byte)1) && Image(targets, n).Contains((byte)2), 0);
        PrintImage(inputs, targets, masks, shown);

        Directory.CreateDirectory(outFolder);
        int written = Math.Min(ImagesWritten, count);
        var rows = new List<byte[]>();
        for (int n = 0; n < written; n++)
        {
            byte[] row = Panels(inputs, n, targets, masks, pytorchMasks);
            Pgm.Write(Path.Combine(outFolder, $"test{n:D2}.pgm"), PanelsWidth, Height * Zoom, row);
            rows.Add(row);
        }
        Pgm.Write(Path.Combine(outFolder, "overview.pgm"), PanelsWidth, written * (Height * Zoom + Gap) - Gap, Stack(rows));
        Console.WriteLine($"  wrote test00.pgm ... test{written - 1:D2}.pgm and overview.pgm (all {written} stacked) to {Path.GetFullPath(outFolder)}");
        Console.WriteLine("  (each: input | target | generated | PyTorch, 4x; classes black background, white circle, grey polygon)");
        Console.WriteLine();

        Console.WriteLine(ok
            ? $"The generated code matches the reference engine and PyTorch: every logit within 1e-4 (relative), every pixel's class the same but at near-ties."
            : "MISMATCH: see above (the logits must be within 1e-4 relative, the classes the same but at near-ties).");
        return ok ? 0 : 1;
    }

    /// <summary>samples/Segmentation/out when the program runs from its build folder in the repository, else out beside the program.</summary>
    private static string DefaultOutputFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Segmentation.csproj"))) return Path.Combine(dir.FullName, "out");
        }
        return Path.Combine(AppContext.BaseDirectory, "out");
    }

    /// <summary>Runs the action the given number of times; returns the fastest run but the first (a warm-up), in microseconds.</summary>
    private static double BestOf(int runs, Action action)
    {
        double best = double.MaxValue;
        for (int run = 0; run < runs; run++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            if (run > 0) best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        return best;
    }

    private static ReadOnlySpan<float> Input(float[] inputs, int n) => inputs.AsSpan(n * SegNet.InputLength, SegNet.InputLength);

    private static Span<float> Output(float[] outputs, int n) => outputs.AsSpan(n * SegNet.OutputLength, SegNet.OutputLength);

    private static ReadOnlySpan<byte> Image(byte[] masks, int n) => masks.AsSpan(n * Pixels, Pixels);

    private static float[] ReadFloats(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        return values;
    }

    /// <summary>Each pixel's class: the channel of its largest logit (the first, at an exact tie, as torch.argmax). Logits are N x C x H x W.</summary>
    private static byte[] ArgMax(float[] logits)
    {
        int count = logits.Length / SegNet.OutputLength;
        var masks = new byte[count * Pixels];
        for (int n = 0; n < count; n++)
        {
            for (int p = 0; p < Pixels; p++)
            {
                int best = 0;
                for (int c = 1; c < ClassCount; c++) if (Logit(logits, n, c, p) > Logit(logits, n, best, p)) best = c;
                masks[n * Pixels + p] = (byte)best;
            }
        }
        return masks;
    }

    private static float Logit(float[] logits, int n, int c, int p) => logits[n * SegNet.OutputLength + c * Pixels + p];

    /// <summary>
    /// Pixels of the same class; pixels of different classes whose two logits are within the tolerance of each other
    /// in both outputs (near-ties, where either class is a right answer within rounding); and the other pixels.
    /// </summary>
    private static (int Same, int Ties, int Others) CompareMasks(float[] a, byte[] masksA, float[] b, byte[] masksB)
    {
        int same = 0, ties = 0, others = 0;
        for (int i = 0; i < masksA.Length; i++)
        {
            if (masksA[i] == masksB[i]) { same++; continue; }
            int n = i / Pixels, p = i % Pixels;
            bool tie = true;
            foreach (float[] logits in new[] { a, b })
            {
                float x = Logit(logits, n, masksA[i], p), y = Logit(logits, n, masksB[i], p);
                tie &= MathF.Abs(x - y) <= Tolerance * MathF.Max(1f, MathF.Max(MathF.Abs(x), MathF.Abs(y)));
            }
            if (tie) ties++; else others++;
        }
        return (same, ties, others);
    }

    /// <summary>The largest |a - b|, and the largest |a - b| / max(1, |b|).</summary>
    private static (float Absolute, float Relative) Difference(float[] a, float[] b)
    {
        float absolute = 0, relative = 0;
        for (int i = 0; i < a.Length; i++)
        {
            float d = MathF.Abs(a[i] - b[i]);
            if (!(d <= absolute)) absolute = d;                   // NaN wins
            float r = d / MathF.Max(1f, MathF.Abs(b[i]));
            if (!(r <= relative)) relative = r;
        }
        return (absolute, relative);
    }

    /// <summary>
    /// Pixel accuracy; each class's intersection over union, |predicted and target| / |predicted or target|, over all
    /// the pixels of all the images at once (as train.py); and the mean of the three.
    /// </summary>
    private static (double Accuracy, double[] IoU, double Mean) Metrics(byte[] predicted, byte[] targets)
    {
        int correct = 0;
        var intersection = new long[ClassCount];
        var union = new long[ClassCount];
        for (int i = 0; i < predicted.Length; i++)
        {
            int p = predicted[i], t = targets[i];
            if (p == t) { correct++; intersection[p]++; union[p]++; }
            else { union[p]++; union[t]++; }
        }
        double[] iou = Enumerable.Range(0, ClassCount).Select(c => (double)intersection[c] / Math.Max(1, union[c])).ToArray();
        return ((double)correct / predicted.Length, iou, iou.Average());
    }

    /// <summary>Rows: the target class; columns: the generated code's class; in pixels.</summary>
    private static void PrintConfusion(byte[] predicted, byte[] targets)
    {
        var counts = new int[ClassCount, ClassCount];
        for (int i = 0; i < predicted.Length; i++) counts[targets[i], predicted[i]]++;
        var text = new StringBuilder();
        text.AppendLine("  generated code's class (columns) for each target class (rows), in pixels:");
        text.AppendLine("              " + string.Concat(Classes.Select(c => c.PadLeft(11))));
        for (int t = 0; t < ClassCount; t++)
        {
            text.Append("  " + Classes[t].PadLeft(10) + "  ");
            for (int p = 0; p < ClassCount; p++) text.Append(counts[t, p].ToString("N0", CultureInfo.InvariantCulture).PadLeft(11));
            text.AppendLine();
        }
        Console.WriteLine(text);
    }

    /// <summary>
    /// One image as ASCII art beside the generated code's mask, two characters per pixel: the image in ten grey
    /// levels (its darkest pixel blank), the mask as blank (background), O (circle) and # (polygon), with
    /// -, o and + where the generated class is not the target's.
    /// </summary>
    private static void PrintImage(float[] inputs, byte[] targets, byte[] masks, int n)
    {
        const string Ramp = " .:-=+*#%@";
        var image = Input(inputs, n);
        float lo = float.MaxValue, hi = float.MinValue;
        foreach (float v in image) { lo = MathF.Min(lo, v); hi = MathF.Max(hi, v); }
        var target = Image(targets, n);
        var mask = Image(masks, n);
        int wrong = 0;
        for (int p = 0; p < Pixels; p++) if (mask[p] != target[p]) wrong++;

        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"  test image #{n} and the generated code's mask ({Pixels - wrong} of {Pixels} pixels right, {100.0 * (Pixels - wrong) / Pixels:F1}%):"));
        text.AppendLine("  +" + new string('-', 2 * Width) + "+   +" + new string('-', 2 * Width) + "+");
        for (int y = 0; y < Height; y++)
        {
            text.Append("  |");
            for (int x = 0; x < Width; x++)
            {
                int level = (int)MathF.Round((image[y * Width + x] - lo) / (hi - lo) * (Ramp.Length - 1));
                text.Append(Ramp[level], 2);
            }
            text.Append("|   |");
            for (int x = 0; x < Width; x++)
            {
                int p = y * Width + x;
                char c = mask[p] == target[p] ? " O#"[mask[p]] : "-o+"[mask[p]];
                text.Append(c, 2);
            }
            text.AppendLine("|");
        }
        text.AppendLine("  +" + new string('-', 2 * Width) + "+   +" + new string('-', 2 * Width) + "+");
        text.AppendLine("  mask: O circle, # polygon, blank background; o, + and - where the generated class is not the target's");
        Console.WriteLine(text);
    }

    private const int Gap = 4;                                        // white pixels between panels and rows
    private const int PanelsWidth = 4 * Width * Zoom + 3 * Gap;

    /// <summary>One row of four panels, each Zoom times enlarged: the input (its range stretched to 0-255), the target, the generated mask and PyTorch's.</summary>
    private static byte[] Panels(float[] inputs, int n, byte[] targets, byte[] masks, byte[] pytorchMasks)
    {
        byte[] levels = { 0, 255, 128 };                               // background black, circle white, polygon grey
        var image = Input(inputs, n);
        float lo = float.MaxValue, hi = float.MinValue;
        foreach (float v in image) { lo = MathF.Min(lo, v); hi = MathF.Max(hi, v); }
        var panels = new byte[4][];
        panels[0] = new byte[Pixels];
        for (int p = 0; p < Pixels; p++) panels[0][p] = (byte)MathF.Round((image[p] - lo) / (hi - lo) * 255);
        panels[1] = Image(targets, n).ToArray().Select(c => levels[c]).ToArray();
        panels[2] = Image(masks, n).ToArray().Select(c => levels[c]).ToArray();
        panels[3] = Image(pytorchMasks, n).ToArray().Select(c => levels[c]).ToArray();
        var row = new byte[PanelsWidth * Height * Zoom];
        row.AsSpan().Fill(255);
        for (int k = 0; k < panels.Length; k++)
        {
            int left = k * (Width * Zoom + Gap);
            for (int y = 0; y < Height * Zoom; y++)
            {
                for (int x = 0; x < Width * Zoom; x++) row[y * PanelsWidth + left + x] = panels[k][(y / Zoom) * Width + x / Zoom];
            }
        }
        return row;
    }

    /// <summary>Rows of panels one under the other, a white gap between them.</summary>
    private static byte[] Stack(List<byte[]> rows)
    {
        int rowBytes = PanelsWidth * Height * Zoom, gapBytes = PanelsWidth * Gap;
        var all = new byte[rows.Count * (rowBytes + gapBytes) - gapBytes];
        all.AsSpan().Fill(255);
        for (int r = 0; r < rows.Count; r++) rows[r].CopyTo(all, r * (rowBytes + gapBytes));
        return all;
    }
}
