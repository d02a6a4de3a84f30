using System.Diagnostics;
using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// A generator runs on every keystroke: its cost must follow the size of what it emits, not the shape
/// values. Valid networks with huge windows generate in seconds (the bound leaves room for a loaded CI machine).
/// </summary>
public class PathologicalNetworkTests
{
    [Theory]
    [InlineData("[InputShape(1, 8192, 8192)] [MaxPool2D(Kernel = 8192)]")]
    [InlineData("[InputShape(1, 8192, 8192)] [AvgPool2D(Kernel = 4096, Stride = 1)]")]
    [InlineData("[InputShape(1, 16384, 16384)] [GlobalAvgPool2D]")]
    public void Huge_windows_generate_in_seconds(string attributes)
    {
        var watch = Stopwatch.StartNew();
        var result = GeneratorHarness.Run("using CnnGen;\n" + attributes + "\npublic partial class Net { }");
        watch.Stop();

        Assert.DoesNotContain(result.AllDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.Single(result.Run.GeneratedTrees);
        Assert.True(watch.Elapsed.TotalSeconds < 20, $"{attributes}: {watch.Elapsed.TotalSeconds:F1} s");
    }
}
