using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Reference;

namespace FashionResNet;

/// <summary>
/// Classifies the first 1,000 Fashion-MNIST test images with the generated FashionNet (Networks.cs) and with
/// the reference engine, from the weights train.py trained in PyTorch, and compares both with PyTorch.
/// Exits 1 if the generated code's accuracy is more than 0.5 points from PyTorch's, or if it makes
/// PyTorch's prediction on fewer than 99% of the images.
/// </summary>
internal static class Program
{
    private static readonly string[] Classes =
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    // train.py's normalization: x = (pixel / 255 - Mean) / Std. test.f32 is already normalized.
    private const float Mean = 0.2860f, Std = 0.3530f;

    private static int Main(string[] args)
    {
        // the PyTorch module train.py trains is the network's own TorchSource: `dotnet run -- --torch-source > model.py`
        if (args.Length == 1 && args[0] == "--torch-source")
        {
            Console.Out.Write(FashionNet.TorchSource);
            return 0;
        }

        string folder = AppContext.BaseDirectory;
        string weights = Path.Combine(folder, "model.safetensors");
        float[] inputs = ReadFloats(Path.Combine(folder, "test.f32"));
        byte[] labels = File.ReadAllBytes(Path.Combine(folder, "test_labels.u8"));
        byte[] pytorchPredictions = File.ReadAllBytes(Path.Combine(folder, "pytorch_predictions.u8"));
        string pytorchAccuracy = File.ReadAllText(Path.Combine(folder, "pytorch_accuracy.txt")).Trim();
        int count = labels.Length;
        if (inputs.Length != count * FashionNet.InputLength || pytorchPredictions.Length != count)
        {
            throw new InvalidDataException($"test.f32 holds {inputs.Length} floats and pytorch_predictions.u8 {pytorchPredictions.Length} bytes; "
                + $"{count} labels need {count * FashionNet.InputLength} and {count}.");
        }

        var net = new FashionNet();
        net.LoadSafetensors(weights);
        var logits = new float[count * FashionNet.OutputLength];
        net.ForwardBatch(inputs, logits);

        var reference = new ReferenceNetwork(FashionNet.Spec);
        reference.LoadSafetensors(weights);
        var referenceLogits = new float[logits.Length];
        // the reference engine is slow on purpose (plain loops, double sums): its images run on every core
        System.Threading.Tasks.Parallel.For(0, count, n => reference.Forward(
            inputs.AsSpan(n * FashionNet.InputLength, FashionNet.InputLength), referenceLogits.AsSpan(n * FashionNet.OutputLength, FashionNet.OutputLength)));

        int[] predicted = ArgMax(logits, count);
        int[] referencePredicted = ArgMax(referenceLogits, count);
        int[] pytorch = pytorchPredictions.Select(p => (int)p).ToArray();
        int agreeWithReference = predicted.Zip(referencePredicted).Count(p => p.First == p.Second);
        int agreeWithPyTorch = predicted.Zip(pytorch).Count(p => p.First == p.Second);
        int referenceAgreeWithPyTorch = referencePredicted.Zip(pytorch).Count(p => p.First == p.Second);
        float maxDifference = logits.Zip(referenceLogits).Max(p => MathF.Abs(p.First - p.Second));

        Console.WriteLine($"FashionNet: {FashionNet.ParameterCount} parameters from {Path.GetFileName(weights)}, "
            + $"{count} Fashion-MNIST test images of 28x28");
        Console.WriteLine();
        Console.WriteLine($"  generated code:          accuracy {Accuracy(predicted, labels)}");
        Console.WriteLine($"  reference engine:        accuracy {Accuracy(referencePredicted, labels)}");
        Console.WriteLine($"  PyTorch (train.py):      accuracy {Accuracy(pytorch, labels)} (pytorch_accuracy.txt: {pytorchAccuracy})");
        Console.WriteLine($"  generated vs reference:  same prediction on {agreeWithReference} of {count}, max |logit difference| = "
            + maxDifference.ToString("G3", CultureInfo.InvariantCulture));
        Console.WriteLine($"  generated vs PyTorch:    same prediction on {agreeWithPyTorch} of {count}");
        Console.WriteLine($"  reference vs PyTorch:    same prediction on {referenceAgreeWithPyTorch} of {count}");
        Console.WriteLine();

        // Accuracy of the generated code per class.
        Console.WriteLine("  class          images  correct");
        for (int c = 0; c < Classes.Length; c++)
        {
            int images = labels.Count(l => l == c);
            int correct = Enumerable.Range(0, count).Count(i => labels[i] == c && predicted[i] == c);
            Console.WriteLine($"  {Classes[c],-12}  {images,7}  {correct,7}");
        }
        Console.WriteLine();

        // The first four test images, then the first one the network gets wrong, if any.
        var shown = Enumerable.Range(0, Math.Min(4, count))
            .Concat(Enumerable.Range(0, count).Where(i => predicted[i] != labels[i]).Take(1)).Distinct().ToArray();
        PrintImages(inputs, shown, i => $"#{i}: {Classes[labels[i]]}",
            i => $"-> {Classes[predicted[i]]}{(predicted[i] == labels[i] ? "" : " (WRONG)")}");

        int generatedCorrect = predicted.Zip(labels).Count(p => p.First == p.Second);
        int pytorchCorrect = pytorch.Zip(labels).Count(p => p.First == p.Second);
        double pointsApart = 100.0 * Math.Abs(generatedCorrect - pytorchCorrect) / count;
        bool accuracyOk = pointsApart <= 0.5;
        bool agreementOk = agreeWithPyTorch >= 0.99 * count;
        if (accuracyOk && agreementOk)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"The generated code matches PyTorch: accuracy {pointsApart:F1} points apart, {agreeWithPyTorch} of {count} predictions the same."));
            return 0;
        }
        if (!accuracyOk)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"MISMATCH: the generated code's accuracy is {pointsApart:F1} points from PyTorch's (at most 0.5 allowed)."));
        }
        if (!agreementOk)
        {
            Console.WriteLine($"MISMATCH: the generated code makes PyTorch's prediction on only {agreeWithPyTorch} of {count} images (99% needed).");
        }
        return 1;
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

    /// <summary>
    /// Prints the images side by side as ASCII art, darkest to brightest, one character per pixel (the
    /// normalization undone: pixel / 255 = x * Std + Mean).
    /// </summary>
    private static void PrintImages(float[] inputs, int[] indices, Func<int, string> title, Func<int, string> caption)
    {
        const string Shades = " .:-=+*#%@";
        const int Size = FashionNet.InputWidth, Gap = 4, Width = Size + Gap;
        int titleWidth = Math.Max(Width, indices.Select(i => Math.Max(title(i).Length, caption(i).Length) + 2).Max());
        var text = new StringBuilder();
        text.AppendLine(string.Concat(indices.Select(i => title(i).PadRight(titleWidth))).TrimEnd());
        for (int row = 0; row < Size; row++)
        {
            var line = new StringBuilder();
            foreach (int i in indices)
            {
                for (int column = 0; column < Size; column++)
                {
                    float value = Math.Clamp(inputs[i * FashionNet.InputLength + row * Size + column] * Std + Mean, 0f, 1f);
                    line.Append(Shades[(int)MathF.Round(value * (Shades.Length - 1))]);
                }
                line.Append(' ', titleWidth - Size);
            }
            text.AppendLine(line.ToString().TrimEnd());
        }
        text.AppendLine(string.Concat(indices.Select(i => caption(i).PadRight(titleWidth))).TrimEnd());
        Console.WriteLine(text);
    }
}
