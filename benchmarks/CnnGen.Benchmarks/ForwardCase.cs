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
    private readonly ReferenceNetwork? _reference;
    private readonly InferenceSession? _session;
    private readonly OrtIoBinding? _binding;
    private readonly RunOptions? _runOptions;
    private readonly OrtValue? _ortInput;
    private readonly OrtValue? _ortOutput;

    /// <param name="name">The case's name, and its fixtures' (NAME.params.f32, .input.f32, .onnx, .expected.f32) where they exist.</param>
    /// <param name="generated">The generated network.</param>
    /// <param name="weightsOf">Another fixture to take the parameters and input from (a part of that network timed alone), or null.</param>
    public ForwardCase(string name, INetwork generated, string? weightsOf = null)
        : this(name, generated, weightsOf, PathOf(name + ".onnx"), embeddedWeights: false)
    {
    }

    /// <param name="onnxPath">The ONNX file ONNX Runtime runs, where it exists.</param>
    /// <param name="embeddedWeights">
    /// Whether the generated network runs the weights it embeds (an [OnnxModel] import of <paramref name="onnxPath"/>):
    /// no parameters are loaded, and the reference engine, which has none to load, is not built.
    /// </param>
    private ForwardCase(string name, INetwork generated, string? weightsOf, string onnxPath, bool embeddedWeights)
    {
        Name = name;
        Generated = generated;
        var random = new Random(1);
        string source = weightsOf ?? name;
        if (!embeddedWeights)
        {
            var parameters = File.Exists(PathOf(source + ".params.f32"))
                ? ReadFloats(source + ".params.f32")
                : Enumerable.Range(0, generated.ParameterCount).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
            generated.LoadParameters(parameters);
            _reference = new ReferenceNetwork(generated.Spec);
            _reference.LoadParameters(parameters);
        }
        _input = File.Exists(PathOf(source + ".input.f32"))
            ? ReadFloats(source + ".input.f32").AsSpan(0, generated.InputLength).ToArray()
            : Enumerable.Range(0, generated.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        _output = new float[generated.OutputLength];
        MultiplyAdds = CountMultiplyAdds(generated.Spec);

        if (File.Exists(onnxPath))
        {
            var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            if (ProfileOnnxRuntime)
            {
                // the prefix first: enabling passes the prefix set at that moment to ONNX Runtime
                options.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "cnngen-ort-" + name);
                options.EnableProfiling = true;
            }
            _session = new InferenceSession(onnxPath, options);
            long[] inputShape = new long[] { 1 }.Concat(generated.Spec.InputShape.Select(d => (long)d)).ToArray();
            _ortInput = OrtValue.CreateTensorValueFromMemory(_input, inputShape);
            // the output's own shape: [1, N] for a vector, [1, C, H, W] for a map (ORT checks a bound output's shape)
            long[] outputShape = new long[] { 1 }.Concat(generated.Spec.OutputShape.Select(d => (long)d)).ToArray();
            _ortOutput = OrtValue.CreateTensorValueFromMemory(_output, outputShape);
            _binding = _session.CreateIoBinding();
            _binding.BindInput(_session.InputNames[0], _ortInput);
            _binding.BindOutput(_session.OutputNames[0], _ortOutput);
            _runOptions = new RunOptions();
        }
    }

    /// <summary>Whether cases created from now on have ONNX Runtime write its per-node profile (<see cref="EndOnnxRuntimeProfile"/>).</summary>
    public static bool ProfileOnnxRuntime { get; set; }

    /// <summary>Ends ONNX Runtime's profile of this case and returns its JSON file's path.</summary>
    public string EndOnnxRuntimeProfile() => _session!.EndProfiling();

    public string Name { get; }

    public INetwork Generated { get; }

    public bool HasOnnxModel => _session is not null;

    /// <summary>Whether the reference engine runs this case (not for a network that runs the weights it embeds).</summary>
    public bool HasReference => _reference is not null;

    /// <summary>Multiply-adds of one forward pass (convolutions and dense layers); FLOPs are twice this.</summary>
    public long MultiplyAdds { get; }

    public void RunGenerated() => Generated.Forward(_input, _output);

    public void RunReference() =>
        (_reference ?? throw new InvalidOperationException($"{Name} runs the weights its ONNX import embeds: the reference engine has none to load")).Forward(_input, _output);

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

    /// <summary>
    /// From the weights: a Conv2D's [F, C/groups, KH, KW] is applied at each output pixel, a Dense's [O, I] once, a
    /// ConvTranspose2D's [C, F/groups, KH, KW] at each input pixel (every input pixel scatters a whole kernel; the
    /// taps that padding crops are counted too).
    /// </summary>
    private static long CountMultiplyAdds(NetworkSpec spec)
    {
        long total = 0;
        foreach (var tensor in spec.Parameters)
        {
            var node = spec.Nodes[tensor.LayerIndex];
            // the weight, not its bias: by rank, as an ONNX import names its tensors after the file's initializers
            if (tensor.IsBuffer || tensor.Shape.Count < 2) continue;
            total += node.Kind switch
            {
                "Conv2D" => (long)node.OutputShape[1] * node.OutputShape[2] * tensor.Length,
                "ConvTranspose2D" => (long)node.InputShapes[0][1] * node.InputShapes[0][2] * tensor.Length,
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
        // NetworksPerf.cs: the CIFAR networks the performance targets name, with torch/networks_perf.py's fixtures
        "ResNet8Cifar" => new ForwardCase("ResNet8Cifar", new global::Benchmarks.ResNet8Cifar()),
        "MobileNetV2Cifar" => new ForwardCase("MobileNetV2Cifar", new global::Benchmarks.MobileNetV2Cifar()),
        // NetworksPerf.cs: torchvision's resnet18 and mobilenet_v2 on 96 x 96, networks the generator was not tuned on
        "ResNet18Small" => Made("ResNet18Small", new global::Benchmarks.ResNet18Small()),
        "MobileNetV2Small" => Made("MobileNetV2Small", new global::Benchmarks.MobileNetV2Small()),
        "ResNet18At224" => Made("ResNet18At224", new global::Benchmarks.ResNet18At224()),
        "MobileNetV2At224" => Made("MobileNetV2At224", new global::Benchmarks.MobileNetV2At224()),
        "M5" => new ForwardCase("M5", new global::Benchmarks.M5()),
        "Tcn" => new ForwardCase("Tcn", new global::Benchmarks.Tcn()),
        "Conv1DRate" => new ForwardCase("Conv1DRate", new global::Benchmarks.Conv1DRate()),
        "Conv2DRate" => new ForwardCase("Conv2DRate", new global::Benchmarks.Conv2DRate()),
        "WeightStream" => new ForwardCase("WeightStream", new global::Benchmarks.WeightStream()),
        "DenseStream" => new ForwardCase("DenseStream", new global::Benchmarks.DenseStream()),
        // NetworksVariety.cs: shapes the generator was not tuned on, beside torch/networks_variety.py's ONNX exports
        "ResNet20Cifar" => Exported("ResNet20Cifar", new global::Benchmarks.ResNet20Cifar()),
        "ResNet50Cifar" => Exported("ResNet50Cifar", new global::Benchmarks.ResNet50Cifar()),
        "ResNet26Bottleneck64" => Exported("ResNet26Bottleneck64", new global::Benchmarks.ResNet26Bottleneck64()),
        "ResNetOdd64" => Exported("ResNetOdd64", new global::Benchmarks.ResNetOdd64()),
        "ResNet10Wide" => Exported("ResNet10Wide", new global::Benchmarks.ResNet10Wide()),
        "MobileNetHalf64" => Exported("MobileNetHalf64", new global::Benchmarks.MobileNetHalf64()),
        "MobileNetCifar40" => Exported("MobileNetCifar40", new global::Benchmarks.MobileNetCifar40()),
        "ResNet36At48" => Exported("ResNet36At48", new global::Benchmarks.ResNet36At48()),
        "Bottleneck24At56" => Exported("Bottleneck24At56", new global::Benchmarks.Bottleneck24At56()),
        "MobileNet075At56" => Exported("MobileNet075At56", new global::Benchmarks.MobileNet075At56()),
        "ResNeXt8At32" => Exported("ResNeXt8At32", new global::Benchmarks.ResNeXt8At32()),
        "ResNeXt32x4At32" => Exported("ResNeXt32x4At32", new global::Benchmarks.ResNeXt32x4At32()),
        "MobileNetV3Small96" => Exported("MobileNetV3Small96", new global::Benchmarks.MobileNetV3Small96()),
        "MobileNetV2At32" => Exported("MobileNetV2At32", new global::Benchmarks.MobileNetV2At32()),
        "MobileNetV3Small224" => Exported("MobileNetV3Small224", new global::Benchmarks.MobileNetV3Small224()),
        "MobileNetV3Large128" => Exported("MobileNetV3Large128", new global::Benchmarks.MobileNetV3Large128()),
        "ShuffleNetV2Half64" => Exported("ShuffleNetV2Half64", new global::Benchmarks.ShuffleNetV2Half64()),
        "ShuffleNetV2At96" => Exported("ShuffleNetV2At96", new global::Benchmarks.ShuffleNetV2At96()),
        "PreActResNet18Cifar" => Exported("PreActResNet18Cifar", new global::Benchmarks.PreActResNet18Cifar()),
        "WRN16x4Cifar" => Exported("WRN16x4Cifar", new global::Benchmarks.WRN16x4Cifar()),
        "ResNet34At112" => Exported("ResNet34At112", new global::Benchmarks.ResNet34At112()),
        "ResNet18At99x131" => Exported("ResNet18At99x131", new global::Benchmarks.ResNet18At99x131()),
        "GeluBlock64" => Exported("GeluBlock64", new global::Benchmarks.GeluBlock64()),
        "MishBlock64" => Exported("MishBlock64", new global::Benchmarks.MishBlock64()),
        "DepthwiseInput56" => Exported("DepthwiseInput56", new global::Benchmarks.DepthwiseInput56()),
        "SppPools32" => Exported("SppPools32", new global::Benchmarks.SppPools32()),
        "GroupedStride6At32" => Exported("GroupedStride6At32", new global::Benchmarks.GroupedStride6At32()),
        // DenseLayerRates.cs: ConvTranspose2D beside its stride-1 twin and its adjoint Conv2D
        "ConvTUNetUp" => new ForwardCase("ConvTUNetUp", new global::Benchmarks.ConvTUNetUp()),
        "ConvUNetUp" => new ForwardCase("ConvUNetUp", new global::Benchmarks.ConvUNetUp()),
        "ConvUNetUpAdj" => new ForwardCase("ConvUNetUpAdj", new global::Benchmarks.ConvUNetUpAdj()),
        "ConvTDcganUp" => new ForwardCase("ConvTDcganUp", new global::Benchmarks.ConvTDcganUp()),
        "ConvDcganUp" => new ForwardCase("ConvDcganUp", new global::Benchmarks.ConvDcganUp()),
        "ConvDcganUpAdj" => new ForwardCase("ConvDcganUpAdj", new global::Benchmarks.ConvDcganUpAdj()),
        "ConvTResNetUp" => new ForwardCase("ConvTResNetUp", new global::Benchmarks.ConvTResNetUp()),
        "ConvResNetUp" => new ForwardCase("ConvResNetUp", new global::Benchmarks.ConvResNetUp()),
        "ConvResNetUpAdj" => new ForwardCase("ConvResNetUpAdj", new global::Benchmarks.ConvResNetUpAdj()),
        "ConvTStride1" => new ForwardCase("ConvTStride1", new global::Benchmarks.ConvTStride1()),
        "ConvStride1" => new ForwardCase("ConvStride1", new global::Benchmarks.ConvStride1()),
        // NetworksDense.cs: the networks, with torch/networks_dense.py's fixtures, and their upsampling steps alone
        "UNetSmall" => new ForwardCase("UNetSmall", new global::Benchmarks.UNetSmall()),
        "Espcn" => new ForwardCase("Espcn", new global::Benchmarks.Espcn()),
        "DecoderNearest" => new ForwardCase("DecoderNearest", new global::Benchmarks.DecoderNearest()),
        "DecoderBilinear" => new ForwardCase("DecoderBilinear", new global::Benchmarks.DecoderBilinear()),
        "EspcnTrunk" => new ForwardCase("EspcnTrunk", new global::Benchmarks.EspcnTrunk(), weightsOf: "Espcn"),
        "EspcnShuffle" => new ForwardCase("EspcnShuffle", new global::Benchmarks.EspcnShuffle()),
        "DecoderNearestUp1" => new ForwardCase("DecoderNearestUp1", new global::Benchmarks.DecoderNearestUp1()),
        "DecoderNearestUp2" => new ForwardCase("DecoderNearestUp2", new global::Benchmarks.DecoderNearestUp2()),
        "DecoderBilinearUp1" => new ForwardCase("DecoderBilinearUp1", new global::Benchmarks.DecoderBilinearUp1()),
        "DecoderBilinearUp2" => new ForwardCase("DecoderBilinearUp2", new global::Benchmarks.DecoderBilinearUp2()),
        "UNetUp3" => new ForwardCase("UNetUp3", new global::Benchmarks.UNetUp3()),
        "UNetUp2" => new ForwardCase("UNetUp2", new global::Benchmarks.UNetUp2()),
        "UNetUp1" => new ForwardCase("UNetUp1", new global::Benchmarks.UNetUp1()),
        _ when TorchvisionExports.FirstOrDefault(e => e.Name == name).Create is { } create => Imported(name, create()),
        _ => throw new ArgumentException("unknown network " + name),
    };

    /// <summary>A case whose generated network is the [OnnxModel] import of fixtures/torchvision/NAME.onnx, timed beside ONNX Runtime on that file.</summary>
    private static ForwardCase Imported(string name, INetwork generated) =>
        new(name, generated, null, PathOf(Path.Combine("torchvision", name + ".onnx")), embeddedWeights: true);

#if TORCHVISION_EXPORTS
    private static readonly (string Name, Func<INetwork> Create)[] TorchvisionExports = global::Benchmarks.Torchvision.Exports.All;
#else
    private static readonly (string Name, Func<INetwork> Create)[] TorchvisionExports = [];
#endif

    /// <summary>
    /// A case whose fixtures are not in git (ResNet18Small's weights and ONNX export alone are 90 MB): torch/networks_perf.py
    /// writes them, and without them there is nothing to compare with.
    /// </summary>
    private static ForwardCase Made(string name, INetwork generated) =>
        File.Exists(PathOf(name + ".onnx")) && File.Exists(PathOf(name + ".params.f32"))
            ? new ForwardCase(name, generated)
            : throw new InvalidOperationException($"{name}'s weights and ONNX export are not in git: make them with `/usr/bin/python3 benchmarks/CnnGen.Benchmarks/torch/networks_perf.py` (PyTorch and onnx), then build the benchmarks again.");

    public static readonly string[] Names = { "Lecture5x5", "LeNet5", "SmallCifar", "DepthwiseSeparable", "VggSmall", "MobileNetTiny", "CifarBnSiLU", "ResNet8", "MobileNetV2", "ResNet8Cifar", "MobileNetV2Cifar", "M5", "Tcn", "Conv1DRate", "Conv2DRate" };

    /// <summary>ConvTranspose2D's rates (DenseLayerRates.cs): each ConvTranspose2D, then its stride-1 twin and its adjoint Conv2D.</summary>
    public static readonly string[] DenseRates = { "ConvTUNetUp", "ConvUNetUp", "ConvUNetUpAdj", "ConvTDcganUp", "ConvDcganUp", "ConvDcganUpAdj", "ConvTResNetUp", "ConvResNetUp", "ConvResNetUpAdj", "ConvTStride1", "ConvStride1" };

    /// <summary>The dense-prediction networks beside ONNX Runtime (NetworksDense.cs).</summary>
    public static readonly string[] DenseNetworks = { "UNetSmall", "Espcn", "DecoderNearest", "DecoderBilinear" };

    /// <summary>
    /// Per dense network, its upsampling steps timed alone (the networks of NetworksDense.cs that hold one step each),
    /// and where there is one, the network without its step (its output the map before the step).
    /// </summary>
    public static readonly (string Network, string[] Steps, string? Without)[] DenseSteps =
    {
        ("UNetSmall", new[] { "UNetUp3", "UNetUp2", "UNetUp1" }, null),
        ("Espcn", new[] { "EspcnShuffle" }, "EspcnTrunk"),
        ("DecoderNearest", new[] { "DecoderNearestUp1", "DecoderNearestUp2" }, null),
        ("DecoderBilinear", new[] { "DecoderBilinearUp1", "DecoderBilinearUp2" }, null),
    };

    /// <summary>
    /// A case timed beside an ONNX export that is not in git (torch/networks_variety.py writes it), on random weights:
    /// without the export there is nothing to compare with.
    /// </summary>
    private static ForwardCase Exported(string name, INetwork generated) =>
        File.Exists(PathOf(name + ".onnx"))
            ? new ForwardCase(name, generated)
            : throw new InvalidOperationException($"{name}'s ONNX export is not in git: make it with `/usr/bin/python3 benchmarks/CnnGen.Benchmarks/torch/networks_variety.py` (PyTorch and onnx), then build the benchmarks again.");

    /// <summary>ResNet- and MobileNet-style networks of shapes the generator was not tuned on (NetworksVariety.cs).</summary>
    public static readonly string[] Variety = { "ResNet20Cifar", "ResNetOdd64", "ResNet10Wide", "ResNet50Cifar", "ResNet26Bottleneck64", "MobileNetHalf64", "MobileNetCifar40", "ResNet36At48", "Bottleneck24At56", "MobileNet075At56", "ResNeXt8At32", "ResNeXt32x4At32", "MobileNetV3Small96", "MobileNetV2At32", "MobileNetV3Small224", "MobileNetV3Large128", "ShuffleNetV2Half64", "ShuffleNetV2At96", "PreActResNet18Cifar", "WRN16x4Cifar", "ResNet34At112", "ResNet18At99x131" };

    /// <summary>Layers that ran scalar loops or direct windows until a sweep of shapes found them (NetworksVariety.cs): GELU, Mish, a strided depthwise convolution on the network's input, YOLO's stride-1 max pools.</summary>
    public static readonly string[] Cliffs = { "GeluBlock64", "MishBlock64", "DepthwiseInput56", "SppPools32", "GroupedStride6At32" };

    /// <summary>The networks our performance targets name (Program.cs's --ratios times them by default).</summary>
    public static readonly string[] Targets = { "LeNet5", "SmallCifar", "ResNet8Cifar", "MobileNetV2Cifar", "M5", "UNetSmall" };

    /// <summary>torchvision's resnet18 and mobilenet_v2 as users bring them, on 96 x 96 (NetworksPerf.cs): larger than the targets, and not tuned for.</summary>
    public static readonly string[] Unseen = { "ResNet18Small", "MobileNetV2Small" };

    /// <summary>The same two as torchvision builds them by default, on 224 x 224 with 1000 classes (NetworksPerf.cs): maps whose activations L2 does not hold.</summary>
    public static readonly string[] ImageNet = { "ResNet18At224", "MobileNetV2At224" };

    /// <summary>
    /// torchvision's classifiers as users export them (ResNet-50, ResNeXt-50, MobileNetV2 and V3, EfficientNet-B0, RegNet,
    /// MnasNet, ShuffleNetV2, SqueezeNet, DenseNet-121, GoogLeNet), compiled from their ONNX files with [OnnxModel]: the
    /// exports torch/networks_torchvision.py wrote before the build (none in git).
    /// </summary>
    public static readonly string[] Torchvision = TorchvisionExports.Select(e => e.Name).ToArray();

    /// <summary>A group's names ("DenseRates", "DenseNetworks", "Targets", "Unseen", "ImageNet", "Variety", "Cliffs"), or the name itself.</summary>
    public static string[] Expand(string name) => name switch
    {
        "Targets" => Targets,
        "Unseen" => Unseen,
        "ImageNet" => ImageNet,
        "Variety" => Variety,
        "Cliffs" => Cliffs,
        "Torchvision" => Torchvision.Length > 0
            ? Torchvision
            : throw new InvalidOperationException("the Torchvision group's exports are not in git: make them with `/usr/bin/python3 benchmarks/CnnGen.Benchmarks/torch/networks_torchvision.py` (PyTorch, torchvision and onnx), then build the benchmarks again."),
        "DenseRates" => DenseRates,
        "DenseNetworks" => DenseNetworks,
        _ => new[] { name },
    };
}
