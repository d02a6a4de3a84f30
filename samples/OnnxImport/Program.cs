using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Linq;
using CnnGen;
using CnnGen.Reference;

namespace OnnxImport;

/// <summary>
/// The network export.py trained in PyTorch and exported with torch.onnx.export, compiled from the ONNX file at build
/// time: its layers become generated code, its weights a resource embedded in this assembly, which the parameterless
/// constructor loads. Nothing is read from model.onnx at run time.
/// </summary>
[OnnxModel("model.onnx")]
public partial class FashionNet { }

/// <summary>
/// Classifies the first 1,000 Fashion-MNIST test images with <c>new FashionNet()</c>, and checks every output against
/// PyTorch's (pytorch_logits.f32) and against the reference engine running <see cref="FashionNet.Spec"/> with the same
/// weights read from model.safetensors (written by export.py from the ONNX file's initializers). Exits 1 if an output
/// differs from either by more than the tolerances below, or if a prediction differs from PyTorch's.
/// </summary>
internal static class Program
{
    private static readonly string[] Classes =
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    // export.py's normalization, in float32 as there: x = (pixel / 255 - Mean) / Std
    private const float Mean = 0.2860f, Std = 0.3530f;

    // Logits are of order 10. The generated code and the reference engine add in different orders (vectors, fused
    // multiply-adds; double sums in the reference); PyTorch ran the network with its BatchNorms, which the export
    // folded into the convolutions: each path rounds differently, by about 1e-6 of the logits' size.
    private const float ReferenceTolerance = 1e-4f, PyTorchTolerance = 1e-4f;

    private static int Main()
    {
        string folder = AppContext.BaseDirectory;
        byte[] pixels = File.ReadAllBytes(Path.Combine(folder, "test_images.u8"));
        byte[] labels = File.ReadAllBytes(Path.Combine(folder, "test_labels.u8"));
        float[] pytorchLogits = ReadFloats(Path.Combine(folder, "pytorch_logits.f32"));
        string[] pytorchAccuracy = File.ReadAllLines(Path.Combine(folder, "pytorch_accuracy.txt"));
        int count = labels.Length;
        if (pixels.Length != count * FashionNet.InputLength || pytorchLogits.Length != count * FashionNet.OutputLength)
        {
            throw new InvalidDataException($"test_images.u8 holds {pixels.Length} bytes and pytorch_logits.f32 {pytorchLogits.Length} floats; "
                + $"{count} labels need {count * FashionNet.InputLength} and {count * FashionNet.OutputLength}.");
        }
        float[] inputs = pixels.Select(p => (p / 255f - Mean) / Std).ToArray();

        Console.WriteLine(FashionNet.Summary);

        // the model's own weights, embedded at build time
        var net = new FashionNet();
        var logits = new float[count * FashionNet.OutputLength];
        net.ForwardBatch(inputs, logits);

        // the same network computed the obvious way, with the weights as the ONNX file holds them, read independently
        var reference = new ReferenceNetwork(FashionNet.Spec);
        reference.LoadSafetensors(Path.Combine(folder, "model.safetensors"));
        var referenceLogits = new float[logits.Length];
        reference.ForwardBatch(inputs, referenceLogits);

        int[] predicted = ArgMax(logits, count);
        int[] referencePredicted = ArgMax(referenceLogits, count);
        int[] pytorchPredicted = ArgMax(pytorchLogits, count);
        float referenceDifference = MaxDifference(logits, referenceLogits);
        float pytorchDifference = MaxDifference(logits, pytorchLogits);
        float referencePyTorchDifference = MaxDifference(referenceLogits, pytorchLogits);
        int samePrediction = predicted.Zip(pytorchPredicted).Count(p => p.First == p.Second);
        int referenceSamePrediction = referencePredicted.Zip(pytorchPredicted).Count(p => p.First == p.Second);

        Console.WriteLine($"model.onnx: {FashionNet.ParameterCount} parameters in {FashionNet.Spec.Parameters.Count} tensors, embedded; "
            + $"{count} Fashion-MNIST test images of 28x28");
        Console.WriteLine();
        Console.WriteLine($"  new FashionNet():        accuracy {Accuracy(predicted, labels)}");
        Console.WriteLine($"  reference engine:        accuracy {Accuracy(referencePredicted, labels)}");
        Console.WriteLine($"  PyTorch (export.py):     accuracy {Accuracy(pytorchPredicted, labels)}; on the whole test set {pytorchAccuracy[^1].Split(' ')[0]}");
        Console.WriteLine($"  generated vs PyTorch:    same prediction on {samePrediction} of {count}, max |logit difference| {Number(pytorchDifference)}");
        Console.WriteLine($"  generated vs reference:  max |logit difference| {Number(referenceDifference)}");
        Console.WriteLine($"  reference vs PyTorch:    same prediction on {referenceSamePrediction} of {count}, max |logit difference| {Number(referencePyTorchDifference)}");
        Console.WriteLine();
        for (int i = 0; i < 5; i++)
        {
            Console.WriteLine($"  #{i}: {Classes[labels[i]],-12} -> {Classes[predicted[i]],-12} logit {Number(logits[i * FashionNet.OutputLength + predicted[i]])}, "
                + $"PyTorch's {Number(pytorchLogits[i * FashionNet.OutputLength + predicted[i]])}");
        }
        Console.WriteLine();

        bool ok = true;
        if (pytorchDifference > PyTorchTolerance)
        {
            Console.WriteLine($"MISMATCH: the generated code's logits differ from PyTorch's by up to {Number(pytorchDifference)} (at most {Number(PyTorchTolerance)} allowed).");
            ok = false;
        }
        if (referenceDifference > ReferenceTolerance)
        {
            Console.WriteLine($"MISMATCH: the generated code's logits differ from the reference engine's by up to {Number(referenceDifference)} (at most {Number(ReferenceTolerance)} allowed).");
            ok = false;
        }
        if (samePrediction != count || referenceSamePrediction != count)
        {
            Console.WriteLine($"MISMATCH: PyTorch's prediction on {samePrediction} (generated) and {referenceSamePrediction} (reference) of {count} images.");
            ok = false;
        }
        if (ok) Console.WriteLine($"The imported network matches PyTorch and the reference engine on all {count} images.");
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

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b).Max(p => MathF.Abs(p.First - p.Second));

    private static string Number(float value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Accuracy(int[] predicted, byte[] labels)
    {
        int correct = predicted.Zip(labels).Count(p => p.First == p.Second);
        return string.Create(CultureInfo.InvariantCulture, $"{(double)correct / labels.Length:F4} ({correct}/{labels.Length})");
    }
}
