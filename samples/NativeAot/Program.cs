using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen;
using CnnGen.Reference;

namespace NativeAot;

/// <summary>LeNet-5 with ReLU and max pooling: 28x28 in, 10 class probabilities out.</summary>
[InputShape(1, 28, 28)]
[Conv2D(Filters = 6, Kernel = 5, Padding = 2)]
[ReLU]
[MaxPool2D(Kernel = 2)]
[Conv2D(Filters = 16, Kernel = 5)]
[ReLU]
[MaxPool2D(Kernel = 2)]
[Flatten]
[Dense(Outputs = 120)]
[ReLU]
[Dense(Outputs = 84)]
[ReLU]
[Dense(Outputs = 10)]
[Softmax]
public partial class LeNet { }

/// <summary>
/// The OnnxImport sample's Fashion-MNIST network (a copy of its model.onnx), compiled from the ONNX file at build time:
/// its weights are a resource inside this assembly, and so inside the native executable.
/// </summary>
[OnnxModel("fashion.onnx")]
public partial class FashionNet { }

/// <summary>
/// Runs LeNet with seeded random (Kaiming-uniform) weights, loaded through an in-memory safetensors file, on a batch of
/// random inputs, with the generated code and the reference engine; prints the results and the time per
/// sample. Then classifies 100 Fashion-MNIST test images with <c>new FashionNet()</c>, whose weights are embedded, and
/// compares its logits with PyTorch's; the images and PyTorch's logits are embedded too, so the published executable
/// needs no file beside it. Meant to be published as a native executable (see the README); exits 1 if the engines
/// disagree or FashionNet's logits are not PyTorch's.
/// </summary>
internal static class Program
{
    private const int Samples = 200;
    private const float Tolerance = 1e-5f;

    private static int Main()
    {
        Console.WriteLine(LeNet.Summary);

        var random = new Random(42);
        float[] parameters = RandomParameters(LeNet.Spec, random);
        float[] inputs = Enumerable.Range(0, Samples * LeNet.InputLength).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();

        var net = new LeNet();
        using (var file = Safetensors(LeNet.Spec, parameters)) net.LoadSafetensors(file);
        var reference = new ReferenceNetwork(LeNet.Spec);
        reference.LoadParameters(parameters);

        var outputs = new float[Samples * LeNet.OutputLength];
        var referenceOutputs = new float[outputs.Length];
        // The best of 20 runs, so that on the JIT the code has been optimized; the slow reference engine runs once.
        double generatedMicroseconds = Enumerable.Range(0, 20).Min(_ => Time(() => net.ForwardBatch(inputs, outputs)));
        double referenceMicroseconds = Time(() => reference.ForwardBatch(inputs, referenceOutputs));

        for (int n = 0; n < 3; n++)
        {
            var p = outputs.AsSpan(n * LeNet.OutputLength, LeNet.OutputLength).ToArray();
            Console.WriteLine($"sample {n}: class {Array.IndexOf(p, p.Max())}, probabilities "
                + string.Join(" ", p.Select(v => v.ToString("F3", CultureInfo.InvariantCulture))));
        }
        float maxDifference = outputs.Zip(referenceOutputs).Max(p => MathF.Abs(p.First - p.Second));
        bool agree = maxDifference <= Tolerance;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Samples} samples: generated {generatedMicroseconds:F1} us/sample, reference engine {referenceMicroseconds:F1} us/sample"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated vs reference: max |difference| = {maxDifference:G3} -> {(agree ? "agree" : "MISMATCH")}"));
        Console.WriteLine();
        bool fashionAgrees = ClassifyFashion();
        return agree && fashionAgrees ? 0 : 1;
    }

    private static readonly string[] FashionClasses =
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>
    /// The embedded Fashion-MNIST images through <c>new FashionNet()</c> (its weights embedded too), normalized as the
    /// OnnxImport sample's export.py normalized them; true if every logit is within 1e-4 of PyTorch's.
    /// </summary>
    private static bool ClassifyFashion()
    {
        byte[] pixels = Resource("fashion_images.u8");
        byte[] labels = Resource("fashion_labels.u8");
        byte[] logitBytes = Resource("fashion_logits.f32");
        int count = pixels.Length / FashionNet.InputLength;
        var expected = new float[logitBytes.Length / sizeof(float)];
        for (int i = 0; i < expected.Length; i++) expected[i] = BinaryPrimitives.ReadSingleLittleEndian(logitBytes.AsSpan(i * sizeof(float)));
        if (pixels.Length != count * FashionNet.InputLength || labels.Length != count || expected.Length != count * FashionNet.OutputLength)
            throw new InvalidDataException($"{pixels.Length} bytes of images, {labels.Length} labels and {expected.Length} logits do not make whole samples.");
        float[] inputs = pixels.Select(p => (p / 255f - 0.2860f) / 0.3530f).ToArray();

        var clock = Stopwatch.StartNew();
        var net = new FashionNet();
        double loadMicroseconds = clock.Elapsed.TotalMicroseconds;
        var logits = new float[expected.Length];
        double microseconds = Enumerable.Range(0, 20).Min(_ => Time(() => net.ForwardBatch(inputs, logits), count));

        int[] predicted = ArgMax(logits, count), pytorch = ArgMax(expected, count);
        int correct = Enumerable.Range(0, count).Count(n => predicted[n] == labels[n]);
        int same = predicted.Zip(pytorch).Count(p => p.First == p.Second);
        float maxDifference = logits.Zip(expected).Max(p => MathF.Abs(p.First - p.Second));
        bool agree = maxDifference <= 1e-4f && same == count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FashionNet ({FashionNet.ParameterCount} parameters from fashion.onnx, embedded; loaded in {loadMicroseconds:F0} us): "
            + $"{count} embedded Fashion-MNIST images, {microseconds:F1} us/image"));
        Console.WriteLine("first images: " + string.Join(", ", Enumerable.Range(0, 4).Select(n => FashionClasses[predicted[n]])));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accuracy {correct}/{count}; PyTorch's prediction on {same} of {count}, max |logit difference| = {maxDifference:G3} -> {(agree ? "agree" : "MISMATCH")}"));
        return agree;
    }

    private static byte[] Resource(string name)
    {
        using var stream = typeof(Program).Assembly.GetManifestResourceStream("NativeAot." + name)
            ?? throw new InvalidOperationException($"The resource NativeAot.{name} is not embedded.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static int[] ArgMax(float[] logits, int count)
    {
        int classes = logits.Length / count;
        var best = new int[count];
        for (int n = 0; n < count; n++)
            for (int c = 1; c < classes; c++)
                if (logits[n * classes + c] > logits[n * classes + best[n]]) best[n] = c;
        return best;
    }

    /// <summary>Kaiming-uniform weights (bound sqrt(6 / fan-in)), so signals neither die out nor blow up; biases 0.</summary>
    private static float[] RandomParameters(NetworkSpec spec, Random random)
    {
        var parameters = new float[spec.ParameterCount];
        foreach (var tensor in spec.Parameters.Where(t => t.Shape.Count > 1))
        {
            double bound = Math.Sqrt(6.0 * tensor.Shape[0] / tensor.Length);
            for (int i = 0; i < tensor.Length; i++) parameters[tensor.Offset + i] = (float)((2 * random.NextDouble() - 1) * bound);
        }
        return parameters;
    }

    /// <summary>Microseconds per sample of one run over <paramref name="samples"/> samples.</summary>
    private static double Time(Action run, int samples = Samples)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalMicroseconds / samples;
    }

    /// <summary>A safetensors file in memory holding <paramref name="parameters"/> (in parameters() order) under the names the network reads.</summary>
    private static MemoryStream Safetensors(NetworkSpec spec, float[] parameters)
    {
        string header = "{" + string.Join(",", spec.Parameters.Select(t =>
            $"\"{t.Name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", t.Shape)}],\"data_offsets\":[{4 * t.Offset},{4 * (t.Offset + t.Length)}]}}")) + "}";
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        var stream = new MemoryStream();
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(number, (ulong)headerBytes.Length);
        stream.Write(number);
        stream.Write(headerBytes);
        foreach (float value in parameters)
        {
            BinaryPrimitives.WriteSingleLittleEndian(number, value);
            stream.Write(number[..4]);
        }
        stream.Position = 0;
        return stream;
    }
}
