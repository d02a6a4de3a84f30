using System;
using System.Linq;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Diagnostics;

/// <summary>
/// Every form of declaration that can carry the attributes gets working code or one CNN diagnostic,
/// and the generator never fails (CS8785) on any of them: keywords as names, records, file-local
/// classes, type parameters named like generated members, [InputShape] written twice.
/// </summary>
public class DeclarationFormTests
{
    private const string Layers = "[InputShape(2, 4, 4)] [Conv2D(Filters = 3, Kernel = 3)] [ReLU]";

    [Theory]
    [InlineData("namespace @class;\n" + Layers + " public partial class Net { }", "class.Net")]
    [InlineData("namespace Keywords;\n" + Layers + " public partial class @class { }", "Keywords.class")]
    [InlineData("namespace Keywords;\npublic partial class @int { " + Layers + " public partial class @void { } }", "Keywords.int+void")]
    [InlineData("namespace Records;\n" + Layers + " public partial record Net;", "Records.Net")]
    [InlineData("namespace Records;\n" + Layers + " public partial record class Net { }", "Records.Net")]
    [InlineData("namespace Records;\npublic partial record Outer { " + Layers + " public partial class Inner { } }", "Records.Outer+Inner")]
    public void Keywords_as_names_and_records_get_working_code(string source, string typeName)
    {
        var result = GeneratorHarness.Run("using CnnGen;\n" + source);

        Assert.Empty(result.AllDiagnostics);
        var net = (INetwork)Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType(typeName)!)!;
        var reference = new CnnGen.Reference.ReferenceNetwork(net.Spec);
        var parameters = Enumerable.Range(0, net.ParameterCount).Select(i => (float)Math.Sin(i)).ToArray();
        net.LoadParameters(parameters);
        reference.LoadParameters(parameters);
        var input = Enumerable.Range(0, net.InputLength).Select(i => (float)Math.Cos(i)).ToArray();
        var output = new float[net.OutputLength];
        net.Forward(input, output);
        FixtureFiles.AssertMatches(reference.Forward(input), output, source);
    }

    [Theory]
    [InlineData(Layers + " file partial class Net { }", "'Net' cannot hold a network: 'Net' is file-local, and the generated part of the class is another file; remove 'file'")]
    [InlineData("file partial class Outer { " + Layers + " public partial class Net { } }", "'Net' cannot hold a network: 'Outer' is file-local, and the generated part of the class is another file; remove 'file'")]
    [InlineData(Layers + " public partial class Net<Spec> { }", "'Net' cannot hold a network: its type parameter 'Spec' has the name of a member the generator adds; rename the type parameter")]
    [InlineData("public partial class Outer<Forward> { " + Layers + " public partial class Net { } }", "'Net' cannot hold a network: its type parameter 'Forward' has the name of a member the generator adds; rename the type parameter")]
    [InlineData(Layers + " public partial record struct Net;", "'Net' must be a non-static class to hold a network")]
    [InlineData(Layers + " public partial struct Net { }", "'Net' must be a non-static class to hold a network")]
    [InlineData(Layers + " public partial interface Net { }", "'Net' must be a non-static class to hold a network")]
    public void Declarations_that_cannot_hold_a_network_get_one_CNN0018(string source, string message)
    {
        var result = GeneratorHarness.Run("using CnnGen;\n" + source);

        Assert.DoesNotContain(result.AllDiagnostics, d => d.Id == "CS8785");
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(("CNN0018", message), (diagnostic.Id, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Empty(result.Run.GeneratedTrees);
    }

    /// <summary>Roslyn wants hint names that differ ignoring case; C# names may differ in case alone.</summary>
    [Theory]
    [InlineData("namespace Foo { " + Layers + " public partial class Net { } }\nnamespace foo { " + Layers + " public partial class Net { } }", "Foo.Net", "foo.Net")]
    [InlineData("namespace Cased; " + Layers + " public partial class Net { } " + Layers + " public partial class NET { }", "Cased.Net", "Cased.NET")]
    public void Names_that_differ_only_in_case_each_get_their_code(string source, string first, string second)
    {
        var result = GeneratorHarness.Run("using CnnGen;\n" + source);

        Assert.Empty(result.AllDiagnostics);
        Assert.Equal(2, result.Run.GeneratedTrees.Length);
        var assembly = GeneratorHarness.Load(result.Output);
        foreach (var name in new[] { first, second })
            Assert.Equal(3 * 2 * 2, ((INetwork)Activator.CreateInstance(assembly.GetType(name)!)!).OutputLength);
    }

    [Fact]
    public void InputShape_on_two_partial_declarations_is_one_CNN0004_on_the_second_beside_the_compilers_CS0579()
    {
        var result = GeneratorHarness.Run("using CnnGen;\n" + Layers + " public partial class Net { }\n[InputShape(2, 4, 4)] public partial class Net { }");

        Assert.DoesNotContain(result.AllDiagnostics, d => d.Id == "CS8785");
        Assert.True(result.GeneratorDiagnostics.Length == 1, string.Join("\n", result.GeneratorDiagnostics));
        var diagnostic = result.GeneratorDiagnostics[0];
        Assert.Equal("CNN0004", diagnostic.Id);
        Assert.Equal(3, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Contains(result.AllDiagnostics, d => d.Id == "CS0579");
    }
}
