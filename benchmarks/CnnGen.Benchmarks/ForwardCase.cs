using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using CnnGen.Reference;
using Microsoft.ML.OnnxRuntime;

namespace CnnGen.Benchmarks;

/// <summary>
/// One network three ways, on the same weights and input: the generated class, the reference engine,
/// and ONNX Runtime called its fastest way (one thread, all graph optimizations, input and output
/// bound once through an IoBinding over pinned arrays, RunWithBinding per call: 0 B per call).
/// </summary>
public sealed class ForwardCase : IDisposable
{
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly ReferenceNetwork _reference;
    private readonly InferenceSession? _session;
    private readonly OrtIoBinding? _binding;
    private readonly RunOptions? _runOptions;
    private readonly OrtValue? _ortInput;
    private readonly OrtValue? _ortOutput;

    public ForwardCase(string name, INetwork generated)
    {
        Name = name;
        Generated = generated;
        var random = new Random(1);
        var parameters = File.Exists(PathOf(name + ".params.f32"))
            ? ReadFloats(name + ".params.f32")
            : Enumerable.Range(0, generated.ParameterCount).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        generated.LoadParameters(parameters);
        _reference = new ReferenceNetwork(generated.Spec);
        _reference.LoadParameters(parameters);
        _input = File.Exists(PathOf(name + ".input.f32"))
            ? ReadFloats(name + ".input.f32").AsSpan(0, generated.InputLength).ToArray()
            : Enumerable.Range(0, generated.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        _output = new float[generated.OutputLength];
        MultiplyAdds = CountMultiplyAdds(generated.Spec);

        if (File.Exists(PathOf(name + ".onnx")))
        {
            var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            _session = new InferenceSession(PathOf(name + ".onnx"), options);
            long[] inputShape = new long[] { 1 }.Concat(generated.Spec.InputShape.Select(d => (long)d)).ToArray();
            _ortInput = OrtValue.CreateTensorValueFromMemory(_input, inputShape);
            _ortOutput = OrtValue.CreateTensorValueFromMemory(_output, new long[] { 1, generated.OutputLength });
            _binding = _session.CreateIoBinding();
            _binding.BindInput(_session.InputNames[0], _ortInput);
            _binding.BindOutput(_session.OutputNames[0], _ortOutput);
            _runOptions = new RunOptions();
        }
    }

    public string Name { get; }

    public INetwork Generated { get; }

    public bool HasOnnxModel => _session is not null;

    /// <summary>Multiply-adds of one forward pass (convolutions and dense layers); FLOPs are twice this.</summary>
    public long MultiplyAdds { get; }

    public void RunGenerated() => Generated.Forward(_input, _output);

    public void RunReference() => _reference.Forward(_input, _output);

    public void RunOnnxRuntime() => _session!.RunWithBinding(_runOptions!, _binding!);

    /// <summary>The largest difference between the generated output and ONNX Runtime's, to show they computed the same thing.</summary>
    public float OnnxDifference()
    {
        RunOnnxRuntime();
        var ort = _output.ToArray();
        RunGenerated();
        return ort.Zip(_output, (a, b) => Math.Abs(a - b)).Max();
    }

    /// <summary>The largest difference between the generated output and the reference engine's.</summary>
    public float ReferenceDifference()
    {
        RunReference();
        var reference = _output.ToArray();
        RunGenerated();
        return reference.Zip(_output, (a, b) => Math.Abs(a - b)).Max();
    }

    /// <summary>The largest difference between the generated output and PyTorch's (NAME.expected.f32, its first sample), or NaN without that file.</summary>
    public float PyTorchDifference()
    {
        if (!File.Exists(PathOf(Name + ".expected.f32"))) return float.NaN;
        var expected = ReadFloats(Name + ".expected.f32").AsSpan(0, _output.Length).ToArray();
        RunGenerated();
        return expected.Zip(_output, (a, b) => Math.Abs(a - b)).Max();
    }

    public void Dispose()
    {
        _binding?.Dispose();
        _ortInput?.Dispose();
        _ortOutput?.Dispose();
        _runOptions?.Dispose();
        _session?.Dispose();
    }

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "fixtures", file);

    private static float[] ReadFloats(string file) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(PathOf(file))).ToArray();

    /// <summary>From the weights: a Conv2D's [F, C/groups, KH, KW] is applied at each output pixel, a Dense's [O, I] once.</summary>
    private static long CountMultiplyAdds(NetworkSpec spec)
    {
        long total = 0;
        foreach (var tensor in spec.Parameters)
        {
            var node = spec.Nodes[tensor.LayerIndex];
            if (!tensor.Name.EndsWith(".weight", StringComparison.Ordinal)) continue;
            total += node.Kind switch
            {
                "Conv2D" => (long)node.OutputShape[1] * node.OutputShape[2] * tensor.Length,
                "Conv1D" => (long)node.OutputShape[1] * tensor.Length,
                "Dense" => tensor.Length,
                _ => 0,
            };
        }
        return total;
    }

    /// <summary>The networks the forward-pass benchmarks run.</summary>
    public static ForwardCase Create(string name) => name switch
    {
        "Lecture5x5" => new ForwardCase("SeedStride1", new Fixtures.SeedStride1()),
        "LeNet5" => new ForwardCase("LeNet5", new Fixtures.LeNet5()),
        "SmallCifar" => new ForwardCase("SmallCifar", new Fixtures.SmallCifar()),
        "DepthwiseSeparable" => new ForwardCase("DepthwiseSeparable", new global::Benchmarks.DepthwiseSeparable()),
        "VggSmall" => new ForwardCase("VggSmall", new Fixtures.Layers.VggSmall()),
        "MobileNetTiny" => new ForwardCase("MobileNetTiny", new Fixtures.Layers.MobileNetTiny()),
        "CifarBnSiLU" => new ForwardCase("CifarBnSiLU", new Fixtures.Layers.CifarBnSiLU()),
        "ResNet8" => new ForwardCase("ResNet8", new Fixtures.Blocks.ResNet8()),
        "MobileNetV2" => new ForwardCase("MobileNetV2", new Fixtures.Blocks.MobileNetV2()),
        "M5" => new ForwardCase("M5", new global::Benchmarks.M5()),
        "Tcn" => new ForwardCase("Tcn", new global::Benchmarks.Tcn()),
        "Conv1DRate" => new ForwardCase("Conv1DRate", new global::Benchmarks.Conv1DRate()),
        "Conv2DRate" => new ForwardCase("Conv2DRate", new global::Benchmarks.Conv2DRate()),
        _ => throw new ArgumentException("unknown network " + name),
    };

    public static readonly string[] Names = { "Lecture5x5", "LeNet5", "SmallCifar", "DepthwiseSeparable", "VggSmall", "MobileNetTiny", "CifarBnSiLU", "ResNet8", "MobileNetV2", "M5", "Tcn", "Conv1DRate", "Conv2DRate" };
}
