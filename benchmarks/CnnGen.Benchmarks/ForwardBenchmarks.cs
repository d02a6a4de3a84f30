using BenchmarkDotNet.Attributes;

namespace CnnGen.Benchmarks;

/// <summary>Batch 1, one thread: the generated Forward against the reference engine and ONNX Runtime.</summary>
[MemoryDiagnoser]
public class ForwardBenchmarks
{
    private ForwardCase _case = null!;

    [Params("Lecture5x5", "LeNet5", "SmallCifar", "DepthwiseSeparable", "M5", "Tcn", "UNetSmall", "Espcn", "DecoderNearest", "DecoderBilinear")]
    public string Network { get; set; } = "LeNet5";

    [GlobalSetup]
    public void Setup() => _case = ForwardCase.Create(Network);

    [GlobalCleanup]
    public void Cleanup() => _case.Dispose();

    [Benchmark(Baseline = true)]
    public void Generated() => _case.RunGenerated();

    [Benchmark]
    public void OnnxRuntime()
    {
        // Lecture5x5 and DepthwiseSeparable have no ONNX export: for them this row measures nothing
        if (_case.HasOnnxModel) _case.RunOnnxRuntime();
    }

    [Benchmark]
    public void Reference() => _case.RunReference();
}
