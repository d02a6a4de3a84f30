using System;
using System.Diagnostics;
using System.Linq;
using BenchmarkDotNet.Running;
using CnnGen.Benchmarks;

// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks              BenchmarkDotNet, pick from the list
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --quick    best-of timings of every forward pass and of the generator
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --quick M5 Tcn    the forward passes of the networks named only
//   (DenseRates, DenseNetworks, Targets, Unseen, ImageNet, Variety and Cliffs name groups: ConvTranspose2D's rates beside
//   Conv2D's, the dense-prediction networks, the networks the performance targets name, torchvision's resnet18 and
//   mobilenet_v2 on 96 x 96 and on 224 x 224 with 1000 classes, ResNet- and MobileNet-style networks of untuned shapes,
//   layers a sweep of shapes found running scalar loops (GELU, Mish, a strided depthwise convolution on the input);
//   Torchvision: torchvision's classifiers compiled from their ONNX exports with [OnnxModel], torch/networks_torchvision.py;
//   WeightStream and DenseStream time a 33 MB convolution stream and a 32 MiB Dense one alone)
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --generator    the generator's time alone (20 networks)
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --profile NAME    the generated forward pass alone for 10 s, for perf
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --shares    the dense networks' upsampling steps timed alone
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --ratios [names or groups]    the generated forward pass
//   against ONNX Runtime's as the performance targets measure it: per network 5 runs, each timing both in this process
//   one after the other; the medians and the 5 ratios; then ForwardBatch on all cores (default: the Targets group)
if (args.Contains("--ratios"))
{
    var only = args.Where(a => a != "--ratios").SelectMany(ForwardCase.Expand).ToArray();
    RatioTiming(only.Length == 0 ? ForwardCase.Targets : only);
    Console.WriteLine();
    QuickBatchTiming();
    return;
}
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --warmup [names or groups]    the first calls of each
//   forward pass in this process, each timed alone: the generated code's compilation at its first call, ONNX Runtime's
//   first runs after its session is made (default: the Targets group)
if (args.Contains("--warmup"))
{
    var only = args.Where(a => a != "--warmup").SelectMany(ForwardCase.Expand).ToArray();
    WarmupTiming(only.Length == 0 ? ForwardCase.Targets : only);
    return;
}
if (args.Contains("--profile"))
{
    // for a sampling profiler: the generated forward pass alone, over and over for 10 s, so that its optimized code
    // outweighs the warm-up's unoptimized versions (perf record ... dotnet CnnGen.Benchmarks.dll --profile NAME)
    using var c = ForwardCase.Create(args.Single(a => a != "--profile"));
    var clock = Stopwatch.StartNew();
    long calls = 0;
    while (clock.ElapsedMilliseconds < 10_000)
    {
        c.RunGenerated();
        calls++;
    }
    Console.WriteLine($"{c.Name}: {calls} calls, {clock.Elapsed.TotalMilliseconds * 1e3 / calls:F1} us each");
    return;
}
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --ort-profile NAME    ONNX Runtime's mean time per node
//   over 2,000 calls, from its own profiler, in graph order (what to set beside perf's samples of the generated layers)
if (args.Contains("--ort-profile"))
{
    ForwardCase.ProfileOnnxRuntime = true;
    using var c = ForwardCase.Create(args.Single(a => a != "--ort-profile"));
    if (!c.HasOnnxModel)
    {
        Console.Error.WriteLine($"{c.Name} has no ONNX export among the fixtures: nothing for ONNX Runtime to run.");
        Environment.Exit(1);
    }
    for (int i = 0; i < 2_000; i++)
        c.RunOnnxRuntime();
    OnnxRuntimeProfile.Print(c.EndOnnxRuntimeProfile(), Console.Out);
    return;
}
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --batch    ForwardBatch's scaling alone (5 paired runs), beside
//   two instances each running half the batch on a thread of its own, and one thread's time beside a neighbour that keeps the other cores' FMA units busy (what sharing the chip costs)
if (args.Contains("--batch"))
{
    QuickBatchTiming();
    QuickBatchAgainstInstances();
    QuickNeighbourTiming();
    return;
}
// dotnet run -c Release --project benchmarks/CnnGen.Benchmarks -- --activations    the emitted activation helpers, each a
//   step alone on 98,304 floats of standard deviation 1 and of 6 (ActivationRates.cs): ns per 16 values, and the tails' cost
if (args.Contains("--activations"))
{
    QuickActivationTiming();
    return;
}
if (args.Contains("--generator"))
{
    QuickGeneratorTiming();
    return;
}
if (args.Contains("--shares"))
{
    QuickStepShares();
    return;
}
if (args.Contains("--quick"))
{
    var only = args.Where(a => a != "--quick").SelectMany(ForwardCase.Expand).ToArray();
    QuickForwardTiming(only.Length == 0 ? ForwardCase.Names : only);
    if (only.Length == 0)
    {
        QuickBatchTiming();
        Console.WriteLine();
        QuickGeneratorTiming();
    }
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GeneratorBenchmarks).Assembly).Run(args);

static void WarmupTiming(string[] names)
{
    int[] calls = { 1, 2, 3, 10, 30, 100, 300, 1000 };
    Console.WriteLine("the first calls of a forward pass, each timed alone, us (a fresh process: the generated layers are compiled at their first call)");
    Console.WriteLine($"{"network",-20} {"engine",-13}" + string.Concat(calls.Select(n => $" {"#" + n,8}")));
    foreach (var name in names)
    {
        using var c = ForwardCase.Create(name);
        Console.WriteLine($"{name,-20} {"generated",-13}" + string.Concat(CallTimes(c.RunGenerated, calls).Select(t => $" {t,8:F1}")));
        if (c.HasOnnxModel)
            Console.WriteLine($"{"",-20} {"ONNX Runtime",-13}" + string.Concat(CallTimes(c.RunOnnxRuntime, calls).Select(t => $" {t,8:F1}")));
    }
}

/// <summary>The times of the calls numbered in <paramref name="calls"/> (ascending, from 1) among consecutive calls.</summary>
static double[] CallTimes(Action call, int[] calls)
{
    var times = new double[calls.Length];
    for (int n = 1, next = 0; next < calls.Length; n++)
    {
        long start = Stopwatch.GetTimestamp();
        call();
        if (n == calls[next]) times[next++] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
    return times;
}

static void QuickForwardTiming(string[] names)
{
    Console.WriteLine($"forward pass, batch 1, one thread, best of 7 runs; {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}, "
        + $"Vector<float> {System.Numerics.Vector<float>.Count * 32} bits, AVX-512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
    Console.WriteLine($"{"network",-20} {"MFLOP",8} {"generated us",13} {"GFLOP/s",8} {"ORT us",9} {"gen/ORT",8} {"reference us",13} {"ref/gen",8} {"B/call",7}");
    foreach (var name in names)
    {
        using var c = ForwardCase.Create(name);
        double generated = BestMicroseconds(c.RunGenerated);
        double reference = c.HasReference ? BestMicroseconds(c.RunReference, budgetMs: 300) : double.NaN;
        double ort = c.HasOnnxModel ? BestMicroseconds(c.RunOnnxRuntime) : double.NaN;
        long before = GC.GetAllocatedBytesForCurrentThread();
        c.RunGenerated();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        double mflop = 2.0 * c.MultiplyAdds / 1e6;
        string ortText = c.HasOnnxModel ? $"{ort,9:F1} {generated / ort,8:F2}" : $"{"-",9} {"-",8}";
        Console.WriteLine($"{name,-20} {mflop,8:F2} {generated,13:F2} {mflop / generated * 1e3,8:F1} {ortText} {reference,13:F0} {reference / generated,8:F0} {allocated,7}");
        string onnxText = c.HasOnnxModel ? $"ONNX Runtime's output: {c.OnnxDifference():g3}, " : "";
        float pytorch = c.PyTorchDifference();
        string pytorchText = float.IsNaN(pytorch) ? "" : $", PyTorch's: {pytorch:g3}";
        string referenceText = c.HasReference ? $"the reference engine's: {c.ReferenceDifference():g3}" : "no reference engine: the import runs its embedded weights";
        Console.WriteLine($"{"",20} (largest difference from {onnxText}{referenceText}{pytorchText})");
    }
}

// the performance targets' measure: per network, 5 runs, each timing the generated forward pass and then ONNX Runtime's
// call (each the best of 7 after a warm-up, as BestMicroseconds does) in this one process; the medians of the 5 times,
// and the 5 ratios generated / ORT sorted, with their median (the target's figure)
static void RatioTiming(string[] names)
{
    const int Runs = 5;
    Console.WriteLine(MachineText());
    double peak = PeakGigaflops();
    Console.WriteLine($"FMA peak of one core: {peak:F1} GFLOP/s (12 independent chains of {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Vector512" : "Vector<float>")} fused multiply-adds)");
    Console.WriteLine($"forward pass, batch 1, one thread: {Runs} runs of (generated, then ONNX Runtime), each time the best of 7 after a warm-up; medians of the {Runs}");
    Console.WriteLine($"{"network",-20} {"MFLOP",8} {"generated us",13} {"ORT us",9} {"GFLOP/s",8} {"peak",5} {"gen/ORT, the runs sorted",-29} {"median",7} {"B/call",7}");
    foreach (var name in names)
    {
        using var c = ForwardCase.Create(name);
        var generated = new double[Runs];
        var ort = new double[Runs];
        for (int r = 0; r < Runs; r++)
        {
            generated[r] = BestMicroseconds(c.RunGenerated);
            ort[r] = c.HasOnnxModel ? BestMicroseconds(c.RunOnnxRuntime) : double.NaN;
        }
        var ratios = generated.Zip(ort, (g, o) => g / o).Order().ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        c.RunGenerated();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        double mflop = 2.0 * c.MultiplyAdds / 1e6;
        double generatedMedian = Median(generated);
        string ortText = c.HasOnnxModel
            ? $"{Median(ort),9:F1} {mflop / generatedMedian * 1e3,8:F1} {mflop / generatedMedian * 1e3 / peak,5:P0} {string.Join(" ", ratios.Select(q => $"{q,5:F2}")),-29} {Median(ratios),7:F2}"
            : $"{"-",9} {mflop / generatedMedian * 1e3,8:F1} {mflop / generatedMedian * 1e3 / peak,5:P0} {"-",-29} {"-",7}";
        Console.WriteLine($"{name,-20} {mflop,8:F2} {generatedMedian,13:F2} {ortText} {allocated,7}");
    }
}

// the core's measured peak: 12 independent chains of fused multiply-adds (enough to cover the FMA latency on every
// port), the best of 7 runs; 2 flops a lane
static double PeakGigaflops()
{
    const int Iterations = 2_000_000;
    double best = double.MaxValue;
    float sum = 0;
    for (int r = 0; r < 8; r++)
    {
        var watch = Stopwatch.StartNew();
        sum += FmaChains(Iterations);
        if (r > 0) best = Math.Min(best, watch.Elapsed.TotalSeconds);
    }
    int lanes = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 16 : System.Numerics.Vector<float>.Count;
    return sum == 1234.5f ? 0 : 12.0 * lanes * 2 * Iterations / best / 1e9;
}

static float FmaChains(int iterations)
{
    if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
    {
        var m = System.Runtime.Intrinsics.Vector512.Create(0.999f);
        var a = System.Runtime.Intrinsics.Vector512.Create(0.001f);
        System.Runtime.Intrinsics.Vector512<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m;
        for (int i = 0; i < iterations; i++)
        {
            c0 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c0, m, a); c1 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c2, m, a); c3 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c4, m, a); c5 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c6, m, a); c7 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c8, m, a); c9 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c10, m, a); c11 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(c11, m, a);
        }
        return System.Runtime.Intrinsics.Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
    var n = new System.Numerics.Vector<float>(0.999f);
    var b = new System.Numerics.Vector<float>(0.001f);
    System.Numerics.Vector<float> d0 = n, d1 = n, d2 = n, d3 = n, d4 = n, d5 = n, d6 = n, d7 = n, d8 = n, d9 = n, d10 = n, d11 = n;
    for (int i = 0; i < iterations; i++)
    {
        d0 = System.Numerics.Vector.FusedMultiplyAdd(d0, n, b); d1 = System.Numerics.Vector.FusedMultiplyAdd(d1, n, b);
        d2 = System.Numerics.Vector.FusedMultiplyAdd(d2, n, b); d3 = System.Numerics.Vector.FusedMultiplyAdd(d3, n, b);
        d4 = System.Numerics.Vector.FusedMultiplyAdd(d4, n, b); d5 = System.Numerics.Vector.FusedMultiplyAdd(d5, n, b);
        d6 = System.Numerics.Vector.FusedMultiplyAdd(d6, n, b); d7 = System.Numerics.Vector.FusedMultiplyAdd(d7, n, b);
        d8 = System.Numerics.Vector.FusedMultiplyAdd(d8, n, b); d9 = System.Numerics.Vector.FusedMultiplyAdd(d9, n, b);
        d10 = System.Numerics.Vector.FusedMultiplyAdd(d10, n, b); d11 = System.Numerics.Vector.FusedMultiplyAdd(d11, n, b);
    }
    return System.Numerics.Vector.Sum(d0 + d1 + d2 + d3 + d4 + d5 + d6 + d7 + d8 + d9 + d10 + d11);
}

static double Median(double[] values)
{
    var sorted = values.Order().ToArray();
    int n = sorted.Length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

// the machine, so that a reader can tell which one measured: cores, vector width, and /proc/cpuinfo's CPU family and
// model where there is that file (AMD's Zen 4 is family 25, Zen 5 family 26)
static string MachineText()
{
    string text = $"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}, "
        + $"Vector<float> {System.Numerics.Vector<float>.Count * 32} bits, Vector512.IsHardwareAccelerated {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}";
    const string CpuInfo = "/proc/cpuinfo";
    if (!System.IO.File.Exists(CpuInfo)) return text;
    string? Field(string key) => System.IO.File.ReadLines(CpuInfo)
        .Select(line => line.Split(':', 2))
        .Where(parts => parts.Length == 2 && parts[0].Trim() == key)
        .Select(parts => parts[1].Trim())
        .FirstOrDefault();
    string? modelName = Field("model name");
    return text + $", cpu family {Field("cpu family") ?? "?"}, model {Field("model") ?? "?"}" + (modelName is null ? "" : $" ({modelName})");
}

// ForwardBatch's throughput on every core against one thread, SmallCifar, 64 samples and 4 (where a worker's late
// start would show): 5 runs, each timing one thread and then every core (each the best of 7 after a warm-up), as
// RatioTiming pairs the engines, so that the VM's slower and faster periods fall on both sides of each ratio; the
// medians of the 5 times, and the 5 ratios sorted with their median
static void QuickBatchTiming()
{
    const int Runs = 5;
    foreach (int count in new[] { 64, 4 })
    {
        var net = new Fixtures.SmallCifar();
        net.LoadParameters(new float[Fixtures.SmallCifar.ParameterCount]);
        var inputs = new float[count * Fixtures.SmallCifar.InputLength];
        var outputs = new float[count * Fixtures.SmallCifar.OutputLength];
        int cores = Environment.ProcessorCount;
        var one = new double[Runs];
        var all = new double[Runs];
        for (int r = 0; r < Runs; r++)
        {
            one[r] = BestMicroseconds(() => net.ForwardBatch(inputs, outputs, 1));
            all[r] = BestMicroseconds(() => net.ForwardBatch(inputs, outputs, cores));
        }
        var ratios = one.Zip(all, (o, a) => o / a).Order().ToArray();
        Console.WriteLine($"ForwardBatch, SmallCifar x {count}: 1 thread {Median(one) / count:F1} us per sample, {cores} threads {Median(all) / count:F1} us per sample (medians of {Runs} runs): " +
            $"{Median(ratios):F2}x the throughput (the runs: {string.Join(" ", ratios.Select(q => q.ToString("F2")))})");
    }
}

// ForwardBatch on 2 threads against what two threads do without it: two instances, each running Forward over half the
// batch on a thread of its own, started together (a barrier) and timed to the later one's end; 5 runs, each timing one
// thread, ForwardBatch and the two instances. Where ForwardBatch's throughput matches the instances', what it loses
// against one thread is the chip's (two forward passes sharing it), not the batch's scheduling
static void QuickBatchAgainstInstances()
{
    const int Runs = 5, Count = 64;
    int inputLength = Fixtures.SmallCifar.InputLength, outputLength = Fixtures.SmallCifar.OutputLength;
    var first = new Fixtures.SmallCifar();
    first.LoadParameters(new float[Fixtures.SmallCifar.ParameterCount]);
    var second = new Fixtures.SmallCifar();
    second.LoadParameters(new float[Fixtures.SmallCifar.ParameterCount]);
    var inputs = new float[Count * inputLength];
    var outputs = new float[Count * outputLength];
    using var barrier = new System.Threading.Barrier(2);
    bool done = false;
    var helper = new System.Threading.Thread(() =>
    {
        while (true)
        {
            barrier.SignalAndWait();
            if (System.Threading.Volatile.Read(ref done)) return;
            for (int n = Count / 2; n < Count; n++) second.Forward(inputs.AsSpan(n * inputLength, inputLength), outputs.AsSpan(n * outputLength, outputLength));
            barrier.SignalAndWait();
        }
    }) { IsBackground = true };
    helper.Start();
    var one = new double[Runs];
    var batch = new double[Runs];
    var instances = new double[Runs];
    for (int r = 0; r < Runs; r++)
    {
        one[r] = BestMicroseconds(() => first.ForwardBatch(inputs, outputs, 1));
        batch[r] = BestMicroseconds(() => first.ForwardBatch(inputs, outputs, 2));
        instances[r] = BestMicroseconds(() =>
        {
            barrier.SignalAndWait();
            for (int n = 0; n < Count / 2; n++) first.Forward(inputs.AsSpan(n * inputLength, inputLength), outputs.AsSpan(n * outputLength, outputLength));
            barrier.SignalAndWait();
        });
    }
    System.Threading.Volatile.Write(ref done, true);
    barrier.SignalAndWait();
    helper.Join();
    Console.WriteLine($"SmallCifar x {Count} on 2 threads (medians of {Runs} runs): ForwardBatch {Median(one) / Median(batch):F2}x one thread's throughput, " +
        $"two instances by halves {Median(one) / Median(instances):F2}x (ForwardBatch / instances, the runs: {string.Join(" ", instances.Zip(batch, (i, b) => i / b).Order().Select(q => q.ToString("F2")))})");
}

// SmallCifar's Forward on one thread, alone and while every other core runs multiply-adds on registers only: the
// share of ForwardBatch's lost throughput that is the chip's (clock, shared caches), not the batch's scheduling
static void QuickNeighbourTiming()
{
    var net = new Fixtures.SmallCifar();
    net.LoadParameters(new float[Fixtures.SmallCifar.ParameterCount]);
    var input = new float[Fixtures.SmallCifar.InputLength];
    var output = new float[Fixtures.SmallCifar.OutputLength];
    double alone = BestMicroseconds(() => net.Forward(input, output), budgetMs: 1500);
    using var stop = new System.Threading.CancellationTokenSource();
    var neighbours = Enumerable.Range(1, Environment.ProcessorCount - 1).Select(_ => new System.Threading.Thread(() =>
    {
        var a = System.Runtime.Intrinsics.Vector512.Create(1f);
        var b = System.Runtime.Intrinsics.Vector512.Create(0.999999f);
        System.Runtime.Intrinsics.Vector512<float> s0 = a, s1 = a, s2 = a, s3 = a, s4 = a, s5 = a, s6 = a, s7 = a;
        while (!stop.IsCancellationRequested)
            for (int i = 0; i < 100_000; i++)
            {
                s0 = System.Runtime.Intrinsics.Vector512.MultiplyAddEstimate(s0, b, a); s1 = System.Runtime.Intrinsics.Vector512.MultiplyAddEstimate(s1, b, a);
                s2 = System.Runtime.Intrinsics.Vector512.MultiplyAddEstimate(s2, b, a); s3 = System.Runtime.Intrinsics.Vector512.MultiplyAddEstimate(s3, b, a);
                s4 = System.Runtime.Intrinsics.Vector512.MultiplyAddEstimate(s4, b, a); s5 = System.Runtime.Intrinsics.Vector512.MultiplyAddEstimate(s5, b, a);
                s6 = System.Runtime.Intrinsics.Vector512.MultiplyAddEstimate(s6, b, a); s7 = System.Runtime.Intrinsics.Vector512.MultiplyAddEstimate(s7, b, a);
            }
        GC.KeepAlive(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7);
    }) { IsBackground = true }).ToList();
    neighbours.ForEach(t => t.Start());
    double busy = BestMicroseconds(() => net.Forward(input, output), budgetMs: 1500);
    stop.Cancel();
    neighbours.ForEach(t => t.Join());
    Console.WriteLine($"SmallCifar Forward on one thread: {alone:F1} us alone, {busy:F1} us beside {neighbours.Count} busy core(s): {alone / busy:F3} of its speed");
}

static void QuickActivationTiming()
{
    Console.WriteLine("each activation as a step alone, batch 1, one thread, best of 7 runs: ns per 16 values on inputs of standard deviation 1 and 6");
    global::CnnGen.INetwork[] steps = { new Benchmarks.GeluStep(), new Benchmarks.GeluTanhStep(), new Benchmarks.MishStep(), new Benchmarks.SiLUStep(), new Benchmarks.ELUStep() };
    foreach (var net in steps)
    {
        var output = new float[net.OutputLength];
        double Time(double deviation)
        {
            var random = new Random(7);
            // Box-Muller: normal inputs, as a BatchNorm's outputs times the deviation
            var input = Enumerable.Range(0, net.InputLength)
                .Select(_ => (float)(deviation * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))
                .ToArray();
            return BestMicroseconds(() => net.Forward(input, output)) * 1000 / (net.InputLength / 16.0);
        }
        double one = Time(1), six = Time(6);
        Console.WriteLine($"{net.GetType().Name,-14} {one,7:F2} ns  {six,7:F2} ns  (x{six / one:F2} in the tails)");
    }
}

// the best per-call time over 7 runs, each as long as about budgetMs / 7, after a warm-up
static double BestMicroseconds(Action run, double budgetMs = 700)
{
    // long enough for tiered compilation to replace the first, unoptimized code
    var warmUp = Stopwatch.StartNew();
    while (warmUp.Elapsed.TotalMilliseconds < 400) run();
    var probe = Stopwatch.StartNew();
    int calls = 0;
    while (probe.Elapsed.TotalMilliseconds < budgetMs / 70) { run(); calls++; }
    // a call longer than the probe (the reference engine on the U-Net: over a second) runs once a run, not 10 times
    int perRun = calls > 1 ? calls * 10 : Math.Max(1, (int)(budgetMs / 7 / probe.Elapsed.TotalMilliseconds));
    double best = double.MaxValue;
    for (int r = 0; r < 7; r++)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < perRun; i++) run();
        best = Math.Min(best, watch.Elapsed.TotalMilliseconds * 1000 / perRun);
    }
    return best;
}

// the dense networks' upsampling steps (ConvTranspose2D, Upsample, PixelShuffle) each timed alone, as a network of
// that one layer on the shape it has in the network, beside the whole forward pass; and the network without its
// step where it is the last (ESPCN without its PixelShuffle), whose difference from the whole is the step's time
static void QuickStepShares()
{
    Console.WriteLine("generated forward pass, batch 1, one thread, best of 7 runs: each upsampling step alone, and its share of the network's time");
    foreach (var (network, steps, without) in ForwardCase.DenseSteps)
    {
        double whole;
        using (var c = ForwardCase.Create(network)) whole = BestMicroseconds(c.RunGenerated, budgetMs: 1400);
        Console.WriteLine($"{network,-20} {whole,10:F1} us");
        double sum = 0;
        foreach (var step in steps)
        {
            using var c = ForwardCase.Create(step);
            double alone = BestMicroseconds(c.RunGenerated, budgetMs: 1400);
            sum += alone;
            string rate = c.MultiplyAdds > 0 ? $", {2.0 * c.MultiplyAdds / alone / 1e3:F1} GFLOP/s" : "";
            Console.WriteLine($"  {step,-22} {alone,10:F1} us  {alone / whole,6:P1}{rate}");
        }
        if (steps.Length > 1) Console.WriteLine($"  {"together",-22} {sum,10:F1} us  {sum / whole,6:P1}");
        if (without is not null)
        {
            using var c = ForwardCase.Create(without);
            double rest = BestMicroseconds(c.RunGenerated, budgetMs: 1400);
            Console.WriteLine($"  {without,-22} {rest,10:F1} us: the step is the difference, {whole - rest:F1} us, {(whole - rest) / whole:P1}");
        }
    }
}

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
