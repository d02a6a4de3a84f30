using System;
using System.Diagnostics;
using System.Linq;
using BenchmarkDotNet.Running;
using CnnGen.Benchmarks;

// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks              BenchmarkDotNet, pick from the list
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --quick    a few timed runs of the generator, in seconds
if (args.Contains("--quick"))
{
    QuickGeneratorTiming();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GeneratorBenchmarks).Assembly).Run(args);

static void QuickGeneratorTiming()
{
    var benchmark = new GeneratorBenchmarks();
    benchmark.Setup();
    for (int i = 0; i < 3; i++) benchmark.Generate20Networks(); // JIT and first-use costs out of the way

    const int Runs = 10;
    var cold = Stopwatch.StartNew();
    for (int i = 0; i < Runs; i++) benchmark.Generate20Networks();
    double coldMs = cold.Elapsed.TotalMilliseconds / Runs;

    var warm = Stopwatch.StartNew();
    for (int i = 0; i < Runs; i++) benchmark.RerunAfterUnrelatedEdit();
    double warmMs = warm.Elapsed.TotalMilliseconds / Runs;

    int n = GeneratorBenchmarks.NetworkCount;
    Console.WriteLine($"generator, {n} networks, mean of {Runs} runs:");
    Console.WriteLine($"  cold run:                  {coldMs,8:F2} ms  ({coldMs / n:F2} ms per network; target < 100)");
    Console.WriteLine($"  rerun after unrelated edit: {warmMs,7:F2} ms  ({warmMs / n:F2} ms per network)");
}
