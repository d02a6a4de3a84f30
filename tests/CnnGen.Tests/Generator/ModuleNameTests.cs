using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>A module name may hold any character PyTorch allows (all but "."): the emitted code must still compile and keep it exactly.</summary>
public class ModuleNameTests
{
    [Theory]
    [InlineData("\\\"quoted\\\\path\\\"")]
    [InlineData("line\\nbreak\\r\\u2028\\u0085tab\\t")]
    [InlineData("\\ud83d\\ude00 smile, then a lone \\ud800 half")]
    [InlineData("*/ /* // #error")]
    public void Any_name_compiles_and_keys_the_tensors_as_written(string escaped)
    {
        var result = GeneratorHarness.Run($$"""
            using CnnGen;
            namespace Names;
            [InputShape(1, 4, 4)]
            [Flatten]
            [Dense(Outputs = 2, Name = "{{escaped}}")]
            public partial class Net { }
            """);
        Assert.Empty(result.AllDiagnostics);
        var assembly = GeneratorHarness.Load(result.Output);
        var spec = (NetworkSpec)assembly.GetType("Names.Net")!.GetProperty("Spec")!.GetValue(null)!;

        string name = System.Text.RegularExpressions.Regex.Unescape(escaped);
        Assert.Equal(new[] { name + ".weight", name + ".bias" }, spec.Parameters.Select(p => p.Name));
    }
}
