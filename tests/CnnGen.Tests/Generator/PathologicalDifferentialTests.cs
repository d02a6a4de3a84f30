using System.Diagnostics;
using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// A generator runs on every keystroke: its cost must follow the size of what it emits, not the shape
/// values. Valid networks with huge windows generate in seconds (the bound leaves room for a loaded CI machine)
/// and, run on every SIMD path in CI (the class name is in its filter), compute what the reference engine does.
/// </summary>
public class PathologicalDifferentialTests
{
    [Theory]
    [InlineData("[InputShape(1, 8192, 8192)] [MaxPool2D(Kernel = 8192)]")]
    [InlineData("[InputShape(1, 8192, 8192)] [AvgPool2D(Kernel = 4096, Stride = 1)]")]
    [InlineData("[InputShape(1, 16384, 16384)] [GlobalAvgPool2D]")]
    // the channel-vector path over a 2^27-wide padded row: its code follows the taps, not the columns between them
    [InlineData("[InputShape(4, 1, 8)] [Conv2D(Filters = 16, KernelHeight = 1, KernelWidth = 3, DilationWidth = 1 << 26, PaddingWidth = 1 << 26)]")]
    public void Huge_windows_generate_in_seconds(string attributes)
    {
        var watch = Stopwatch.StartNew();
        var result = GeneratorHarness.Run("using CnnGen;\n" + attributes + "\npublic partial class Net { }");
        watch.Stop();

        Assert.DoesNotContain(result.AllDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.Single(result.Run.GeneratedTrees);
        Assert.True(watch.Elapsed.TotalSeconds < 20, $"{attributes}: {watch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Just within the limits: a dilation and padding of 2^20 around an 8 x 8 input generate quickly and compute what the reference engine does.</summary>
    [Theory]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 16, KernelHeight = 2, KernelWidth = 1, DilationHeight = 1048576, PadTop = 1048576)]")]
    [InlineData("[InputShape(2, 8, 8)] [Conv2D(Filters = 16, Kernel = 3, DilationWidth = 65536, PaddingWidth = 65536)]")]
    [InlineData("[InputShape(4, 1, 8)] [Conv2D(Filters = 16, KernelHeight = 1, KernelWidth = 3, DilationWidth = 1 << 18, PaddingWidth = 1 << 18)]")]
    [InlineData("[InputShape(1, 6, 6)] [MaxPool2D(KernelHeight = 65536, KernelWidth = 2, PaddingHeight = 32768, Stride = 3)]")]
    [InlineData("[InputShape(1, 6, 6)] [AvgPool2D(Kernel = 4096, Padding = 2048, Stride = 1000, CeilMode = true)]")]
    public void Extreme_windows_within_the_limits_match_the_reference_engine(string attributes)
    {
        var watch = Stopwatch.StartNew();
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace Extreme;\n" + attributes + "\npublic partial class Net { }");
        watch.Stop();
        Assert.DoesNotContain(result.AllDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.True(watch.Elapsed.TotalSeconds < 20, $"{attributes}: {watch.Elapsed.TotalSeconds:F1} s");

        var net = (INetwork)System.Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType("Extreme.Net")!)!;
        var reference = new CnnGen.Reference.ReferenceNetwork(net.Spec);
        var parameters = Enumerable.Range(0, net.ParameterCount).Select(i => (float)System.Math.Sin(i + 1)).ToArray();
        net.LoadParameters(parameters);
        reference.LoadParameters(parameters);
        var input = Enumerable.Range(0, net.InputLength).Select(i => (float)System.Math.Cos(i)).ToArray();
        var output = new float[net.OutputLength];
        net.Forward(input, output);
        FixtureFiles.AssertMatches(reference.Forward(input), output, attributes);
    }
}
