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
/// Runs LeNet with seeded random (Kaiming-uniform) weights, loaded through an in-memory safetensors file, on a batch of
/// random inputs, with the generated code and the reference engine; prints the results and the time per
/// sample. Meant to be published as a native executable (see the README); exits 1 if the engines disagree.
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
        return agree ? 0 : 1;
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

    private static double Time(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalMicroseconds / Samples;
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
