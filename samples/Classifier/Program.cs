using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen;
using CnnGen.Reference;

namespace Classifier;

/// <summary>The network train.py trains, layer for layer (module i of its nn.Sequential is attribute i here).</summary>
[InputShape(1, 12, 12)]
[Conv2D(Filters = 8, Kernel = 3, Padding = 1)]
[ReLU]
[MaxPool2D(Kernel = 2)]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1)]
[ReLU]
[MaxPool2D(Kernel = 2)]
[Flatten]
[Dense(Outputs = 3)]
public partial class ShapeClassifier { }

/// <summary>
/// Classifies train.py's held-out test set with the generated ShapeClassifier and with the reference
/// engine, from the weights PyTorch trained. Exits 1 unless both engines make the same prediction on
/// every sample.
/// </summary>
internal static class Program
{
    private static readonly string[] Classes = { "horizontal", "vertical", "diagonal" };

    private static int Main()
    {
        string folder = AppContext.BaseDirectory;
        string weights = Path.Combine(folder, "model.safetensors");
        float[] inputs = ReadFloats(Path.Combine(folder, "test.f32"));
        byte[] labels = File.ReadAllBytes(Path.Combine(folder, "test_labels.u8"));
        byte[] pytorchPredictions = File.ReadAllBytes(Path.Combine(folder, "pytorch_predictions.u8"));
        string pytorchAccuracy = File.ReadAllText(Path.Combine(folder, "pytorch_accuracy.txt")).Trim();
        int count = labels.Length;
        if (inputs.Length != count * ShapeClassifier.InputLength || pytorchPredictions.Length != count)
        {
            throw new InvalidDataException($"test.f32 holds {inputs.Length} floats and pytorch_predictions.u8 {pytorchPredictions.Length} bytes; "
                + $"{count} labels need {count * ShapeClassifier.InputLength} and {count}.");
        }

        var net = new ShapeClassifier();
        net.LoadSafetensors(weights);
        var logits = new float[count * ShapeClassifier.OutputLength];
        net.ForwardBatch(inputs, logits);

        var reference = new ReferenceNetwork(ShapeClassifier.Spec);
        reference.LoadSafetensors(weights);
        var referenceLogits = new float[logits.Length];
        reference.ForwardBatch(inputs, referenceLogits);

        int[] predicted = ArgMax(logits, count);
        int[] referencePredicted = ArgMax(referenceLogits, count);
        int agree = predicted.Zip(referencePredicted).Count(p => p.First == p.Second);
        int agreeWithPyTorch = predicted.Zip(pytorchPredictions).Count(p => p.First == p.Second);
        float maxDifference = logits.Zip(referenceLogits).Max(p => MathF.Abs(p.First - p.Second));

        Console.WriteLine($"ShapeClassifier: {ShapeClassifier.ParameterCount} parameters from {Path.GetFileName(weights)}, {count} test images of 12x12");
        Console.WriteLine();
        Console.WriteLine($"  generated code:          accuracy {Accuracy(predicted, labels)}");
        Console.WriteLine($"  reference engine:        accuracy {Accuracy(referencePredicted, labels)}");
        Console.WriteLine($"  PyTorch (train.py):      accuracy {pytorchAccuracy}");
        Console.WriteLine($"  generated vs reference:  same prediction on {agree} of {count}, max |logit difference| = "
            + maxDifference.ToString("G3", CultureInfo.InvariantCulture));
        Console.WriteLine($"  generated vs PyTorch:    same prediction on {agreeWithPyTorch} of {count}");
        Console.WriteLine();

        // One test image of each class, then the first one the network gets wrong, if any.
        var shown = Enumerable.Range(0, Classes.Length).Select(c => Array.IndexOf(labels, (byte)c)).Where(i => i >= 0)
            .Concat(Enumerable.Range(0, count).Where(i => predicted[i] != labels[i]).Take(1)).ToArray();
        PrintImages(inputs, shown, i => $"#{i}: {Classes[labels[i]]}", i => $"-> {Classes[predicted[i]]}{(predicted[i] == labels[i] ? "" : " (WRONG)")}");

        bool ok = agree == count;
        Console.WriteLine(ok ? "Generated code and reference engine agree on every prediction."
                             : "MISMATCH: the generated code and the reference engine disagree.");
        return ok ? 0 : 1;
    }

    private static float[] ReadFloats(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        return values;
    }

    private static int[] ArgMax(float[] logits, int count)
    {
        int classes = logits.Length / count;
        return Enumerable.Range(0, count).Select(n =>
        {
            var row = logits.AsSpan(n * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            return best;
        }).ToArray();
    }

    private static string Accuracy(int[] predicted, byte[] labels)
    {
        int correct = predicted.Zip(labels).Count(p => p.First == p.Second);
        return string.Create(CultureInfo.InvariantCulture, $"{(double)correct / labels.Length:F4} ({correct}/{labels.Length})");
    }

    /// <summary>Prints the images side by side as ASCII art, darkest to brightest, each pixel two characters wide.</summary>
    private static void PrintImages(float[] inputs, int[] indices, Func<int, string> title, Func<int, string> caption)
    {
        const string Shades = " .:-=+*#%@";
        const int Size = ShapeClassifier.InputWidth, Width = 2 * Size + 4;
        var text = new StringBuilder();
        text.AppendLine(string.Concat(indices.Select(i => title(i).PadRight(Width))).TrimEnd());
        for (int row = 0; row < Size; row++)
        {
            foreach (int i in indices)
            {
                for (int column = 0; column < Size; column++)
                {
                    float value = Math.Clamp(inputs[i * ShapeClassifier.InputLength + row * Size + column], 0f, 1f);
                    text.Append(Shades[(int)MathF.Round(value * (Shades.Length - 1))], 2);
                }
                text.Append(' ', Width - 2 * Size);
            }
            text.Length -= Width - 2 * Size;
            text.AppendLine();
        }
        text.AppendLine(string.Concat(indices.Select(i => caption(i).PadRight(Width))).TrimEnd());
        Console.WriteLine(text);
    }
}
