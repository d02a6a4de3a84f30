using System;
using System.Linq;
using System.Reflection;
using CnnGen.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// RyuJIT gives up optimizing a method (MinOpts) past 20,000 IL instructions or 2,000 locals, and the
/// forward pass would silently run several times slower. Every generated method must stay far below:
/// fewer IL bytes than that instruction count (an instruction is at least one byte), and few locals.
/// </summary>
public class MethodSizeTests
{
    private const int MaxIlBytes = 20_000;
    private const int MaxLocals = 500;

    private readonly ITestOutputHelper _output;

    public MethodSizeTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Fixture_networks_and_the_layers_fixtures_have_no_method_the_JIT_would_leave_unoptimized()
    {
        var types = typeof(MethodSizeTests).Assembly.GetTypes().Where(t => t.Namespace is "Fixtures" or "Fixtures.Layers" && typeof(INetwork).IsAssignableFrom(t));

        AssertMethodsSmall(types);
    }

    /// <summary>The largest windows and filter counts the unroll budgets still unroll, on inputs wide enough for every SIMD path.</summary>
    [Fact]
    public void The_largest_unrolled_layers_stay_within_the_JIT_limits()
    {
        string source = """
            using CnnGen;
            namespace Large;
            [InputShape(16, 40, 40)] [Conv2D(Filters = 64, Kernel = 8, Padding = 3)] public partial class WideWindow { }
            [InputShape(64, 20, 20)] [Conv2D(Filters = 64, KernelHeight = 8, KernelWidth = 8, Dilation = 2, Padding = 7)] public partial class DilatedWindow { }
            [InputShape(8, 40, 40)] [Conv2D(Filters = 32, Kernel = 9, Padding = 4)] public partial class LoopedWindow { }
            [InputShape(2, 6, 6)] [Conv2D(Filters = 4, Kernel = 3, Padding = 1)] [ReLU] public partial class StraightLine { }
            [InputShape(256, 12, 12)] [AvgPool2D(Kernel = 8, Stride = 1, Padding = 4)] [Flatten] [Dense(Outputs = 1000)] [Softmax] public partial class WidePool { }
            """;
        var result = GeneratorHarness.Run(source);
        var assembly = GeneratorHarness.Load(result.Output);

        AssertMethodsSmall(assembly.GetTypes().Where(t => t.Namespace == "Large"));
    }

    /// <summary>Every layer added with BatchNorm, and the largest unrolled convolutions with a BatchNorm folded in and the longest epilogues.</summary>
    [Fact]
    public void Every_layer_stays_within_the_JIT_limits()
    {
        var result = GeneratorHarness.Run(EveryLayerNetworks.Sources);
        Assert.Empty(result.GeneratorDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        var assembly = GeneratorHarness.Load(result.Output);

        var types = assembly.GetTypes().Where(t => t.Namespace == "EveryLayer" && typeof(INetwork).IsAssignableFrom(t)).ToList();
        Assert.Equal(EveryLayerNetworks.Sources.Length, types.Count);
        AssertMethodsSmall(types);
    }

    private void AssertMethodsSmall(System.Collections.Generic.IEnumerable<Type> types)
    {
        var methods = types
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Body: m.GetMethodBody()))
            .Where(m => m.Body is not null)
            .Select(m => (Name: m.Method.DeclaringType!.Name + "." + m.Method.Name, Il: m.Body!.GetILAsByteArray()!.Length, Locals: m.Body.LocalVariables.Count))
            .ToList();
        Assert.NotEmpty(methods);
        var largest = methods.MaxBy(m => m.Il);
        _output.WriteLine($"{methods.Count} methods; largest {largest.Name}: {largest.Il} IL bytes, {largest.Locals} locals");

        var tooLarge = methods.Where(m => m.Il >= MaxIlBytes || m.Locals >= MaxLocals).ToList();
        Assert.True(tooLarge.Count == 0, "methods the JIT would compile with MinOpts: " + string.Join(", ", tooLarge.Select(m => $"{m.Name} ({m.Il} IL bytes, {m.Locals} locals)")));
    }
}
