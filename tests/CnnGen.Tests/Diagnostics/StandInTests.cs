using System;
using System.IO;
using System.Linq;
using System.Reflection;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Diagnostics;

/// <summary>
/// A network with a mistake still gets every member a valid network's class has, with methods that
/// throw the mistake: the user's code that uses the class compiles, so the build shows our error and no
/// cascade of CS0117 and CS1061 errors beneath it.
/// </summary>
public class StandInTests
{
    /// <summary>Code that uses every member a network class has, as an application does.</summary>
    private const string User = """
        public static class App
        {
            public static object[] UseEverything()
            {
                var net = new Net();
                net.LoadParameters(new float[Net.ParameterCount]);
                net.LoadSafetensors("model.safetensors");
                net.LoadSafetensors(new System.IO.MemoryStream());
                net.Forward(new float[Net.InputLength], new float[Net.OutputLength]);
                net.ForwardBatch(new float[Net.InputLength], new float[Net.OutputLength]);
                net.ForwardBatch(new float[Net.InputLength], new float[Net.OutputLength], 2);
                CnnGen.INetwork general = net;
                return new object[] { Net.Summary, Net.TorchSource, Net.Spec, general.InputLength };
            }
        }
        """;

    [Theory]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 4, Kernel = 30)]", "CNN0009")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Kernel = 3)]", "CNN0006")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 4, Kernel = 3, InChannels = 2)]", "CNN0008")]
    [InlineData("[InputShape(0, 8, 8)] [Conv2D(Filters = 4, Kernel = 3)]", "CNN0005")]
    [InlineData("[InputShape(1 << 21, 1 << 21, 1 << 22)] [Conv2D(Filters = 16, Kernel = 1, Stride = 1 << 21)]", "CNN0017")]
    [InlineData("[InputShape(1, 8, 8)]", "CNN0002")]
    [InlineData("[Conv2D(Filters = 4, Kernel = 3)]", "CNN0001")]
    [InlineData("[InputShape(1, 8, 8)] [Flatten] [Dense(Outputs = 4)] [Conv2D(Filters = 4, Kernel = 1)]", "CNN0016")]
    public void A_network_with_a_mistake_shows_only_its_CNN_error(string attributes, string id)
    {
        var result = GeneratorHarness.Run("using CnnGen;\n" + attributes + " public partial class Net { }", User);

        Assert.Equal(new[] { id }, result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).Distinct());
        Assert.Single(result.Run.GeneratedTrees);
    }

    [Fact]
    public void InputShape_written_twice_shows_the_compilers_CS0579_and_one_CNN0004()
    {
        var result = GeneratorHarness.Run("using CnnGen;\n[InputShape(1, 8, 8)] [Conv2D(Filters = 4, Kernel = 3)] public partial class Net { } [InputShape(1, 8, 8)] public partial class Net { }", User);

        Assert.Equal(new[] { "CNN0004", "CS0579" }, result.AllDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
        Assert.Single(result.Run.GeneratedTrees);
    }

    [Fact]
    public void Layers_on_two_declarations_without_InputShape_give_one_stand_in()
    {
        var result = GeneratorHarness.Run("using CnnGen;\n[ReLU] public partial class Net { } [ReLU] public partial class Net { }", User);

        Assert.Equal(new[] { "CNN0001" }, result.AllDiagnostics.Select(d => d.Id));
        Assert.Single(result.Run.GeneratedTrees);
    }

    [Fact]
    public void Its_methods_throw_the_mistake_and_its_lengths_come_from_the_input_shape()
    {
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace Broken;\n[InputShape(2, 8, 8)] [Conv2D(Filters = 4, Kernel = 30)] public partial class Net { }");
        // the CNN error is the generator's: the compilation with the stand-in has none of its own and loads
        var type = GeneratorHarness.Load(result.Output).GetType("Broken.Net")!;
        var net = (INetwork)Activator.CreateInstance(type)!;

        Assert.Equal((2, 8, 8, 128), (Constant(type, "InputChannels"), Constant(type, "InputHeight"), Constant(type, "InputWidth"), net.InputLength));
        Assert.Equal((0, 0), (net.OutputLength, net.ParameterCount));
        var calls = new Action[]
        {
            () => net.Forward(new float[128], Array.Empty<float>()),
            () => net.ForwardBatch(new float[128], Array.Empty<float>()),
            () => net.LoadParameters(Array.Empty<float>()),
            () => net.LoadSafetensors(new MemoryStream()),
            () => _ = net.Spec,
        };
        foreach (var call in calls)
        {
            var thrown = Assert.Throws<InvalidOperationException>(call);
            Assert.StartsWith("Net has no forward pass: CNN0009: Conv2D (layer 0): the input height is 8", thrown.Message);
        }
        Assert.StartsWith("Net has no forward pass: CNN0009", (string)type.GetField("Summary")!.GetValue(null)!);
        Assert.StartsWith("# Net has no forward pass: CNN0009", (string)type.GetField("TorchSource")!.GetValue(null)!);
    }

    [Fact]
    public void An_invalid_input_shape_gives_no_shape_constants_and_an_input_length_of_0()
    {
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace Broken;\n[InputShape(-1, 8, 8)] [Conv2D(Filters = 4, Kernel = 3)] public partial class Net { }");
        var type = GeneratorHarness.Load(result.Output).GetType("Broken.Net")!;

        Assert.Null(type.GetField("InputChannels"));
        Assert.Equal(0, Constant(type, "InputLength"));
    }

    /// <summary>The stand-in's public surface is a valid network's, member for member, so no use of one fails to compile on the other.</summary>
    [Fact]
    public void It_has_the_public_members_of_a_valid_network()
    {
        var result = GeneratorHarness.Run(
            "using CnnGen;\nnamespace Pair;\n[InputShape(2, 8, 8)] [Conv2D(Filters = 4, Kernel = 3)] [Flatten] [Dense(Outputs = 3)] public partial class Valid { }",
            "using CnnGen;\nnamespace Pair;\n[InputShape(2, 8, 8)] [Conv2D(Filters = 4, Kernel = 30)] [Flatten] [Dense(Outputs = 3)] public partial class Broken { }");
        var assembly = GeneratorHarness.Load(result.Output);

        Assert.Equal(PublicSurface(assembly.GetType("Pair.Valid")!), PublicSurface(assembly.GetType("Pair.Broken")!));
    }

    [Theory]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 16, Kernel = 3, )]")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 16, Kernel = )]")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 16, Kernel = 3)] [Dense(Outputs = 4,)]")]
    [InlineData("[InputShape(1, 8, )] [Conv2D(Filters = 16, Kernel = 3)]")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 16, Kernel = 3, Stride = 2 +)]")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 16, Kernel = Undefined.Value)]")]
    [InlineData("[InputShape(1, 8, 8)] [Residual(typeof(Undefined))]")]
    public void While_an_attribute_is_half_typed_only_the_compiler_speaks(string attributes)
    {
        var result = GeneratorHarness.Run("using CnnGen;\n" + attributes + " public partial class Net { }", User);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.NotEmpty(result.AllDiagnostics);
        // the compiler's errors are in the attribute, none where the class is used
        Assert.All(result.AllDiagnostics, d => Assert.Equal("Network0.cs", d.Location.SourceTree?.FilePath));
    }

    [Theory]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 16, Kernel = 3)] public partial class  { }")]
    [InlineData("[InputShape(1, 8, 8)] [Conv2D(Filters = 16, Kernel = 3)] public partial class")]
    [InlineData("public partial class { [InputShape(1, 8, 8)] [Conv2D(Filters = 16, Kernel = 3)] public partial class Net { } }")]
    public void A_class_without_its_name_yet_gets_no_code_and_no_CNN_diagnostic(string source)
    {
        var result = GeneratorHarness.Run("using CnnGen;\n" + source);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Run.GeneratedTrees);
    }

    [Theory]
    [InlineData("public int InputLength => 3;", "'Net' cannot hold a network: its member 'InputLength' has the name of a member the generator adds; rename the member")]
    [InlineData("public void Forward(System.ReadOnlySpan<float> a, System.Span<float> b) { }", "'Net' cannot hold a network: its member 'Forward' has the name of a member the generator adds; rename the member")]
    [InlineData("private float[] _parameters = new float[1];", "'Net' cannot hold a network: its member '_parameters' has the name of a member the generator adds; rename the member")]
    [InlineData("private class CnnGenBuffers { }", "'Net' cannot hold a network: its member 'CnnGenBuffers' has the name of a member the generator adds; rename the member")]
    [InlineData("private static void Layer0Conv2D() { }", "'Net' cannot hold a network: its member 'Layer0Conv2D' has the name of a member the generator adds; rename the member")]
    public void A_member_named_like_a_generated_one_is_one_CNN0018(string member, string message)
    {
        var result = GeneratorHarness.Run("using CnnGen;\n[InputShape(1, 8, 8)] [Conv2D(Filters = 2, Kernel = 3)] public partial class Net { " + member + " }");

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(("CNN0018", message), (diagnostic.Id, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Empty(result.Run.GeneratedTrees);
    }

    [Fact]
    public void A_member_inherited_under_a_generated_name_is_one_CNN0018()
    {
        var result = GeneratorHarness.Run("using CnnGen;\npublic class Base { public void Run() { } }\n[InputShape(1, 8, 8)] [Conv2D(Filters = 2, Kernel = 3)] public partial class Net : Base { }");

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("'Net' cannot hold a network: its member 'Run' (inherited from Base) has the name of a member the generator adds; rename the member",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Members_of_other_names_are_the_users_own()
    {
        var result = GeneratorHarness.Run("using CnnGen;\nnamespace Own;\n[InputShape(1, 8, 8)] [Conv2D(Filters = 2, Kernel = 3)] public partial class Net { private int _count; public int LayerCount => _count; public void Layers() { } }");

        Assert.Empty(result.AllDiagnostics.Where(d => d.Id != "CS0649"));
        Assert.NotNull(GeneratorHarness.Load(result.Output).GetType("Own.Net"));
    }

    private static int Constant(Type type, string name) => (int)type.GetField(name)!.GetRawConstantValue()!;

    private static string[] PublicSurface(Type type) =>
        type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => m.MemberType + " " + (m is MethodInfo method ? method.ReturnType.Name + " " + method.Name + "(" + string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name + " " + p.Name)) + ")" : m.Name))
            .Concat(type.GetInterfaces().Select(i => "implements " + i.FullName))
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToArray();
}
