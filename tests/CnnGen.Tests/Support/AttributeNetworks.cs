using System;
using System.Globalization;
using System.Linq;
using CnnGen.Reference;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Support;

/// <summary>
/// Networks written as one line of attributes, generated in memory: the checks the differential tests of
/// each layer family share (the generated code against the reference engine built from its Spec, and a
/// mistake as one error on its argument).
/// </summary>
internal static class AttributeNetworks
{
    /// <summary>The class Net of <paramref name="namespace"/> declared by <paramref name="attributes"/> (and any [Block] classes before it), generated without errors.</summary>
    public static INetwork Generate(string attributes, string @namespace = "Attributes") => GenerateWithSource(attributes, @namespace).Net;

    /// <summary><see cref="Generate"/>, with the generated source, for tests that check which kernel it chose.</summary>
    public static (INetwork Net, string Source) GenerateWithSource(string attributes, string @namespace = "Attributes")
    {
        var result = GeneratorHarness.Run($"using CnnGen;\nnamespace {@namespace};\n{attributes}\npublic partial class Net {{ }}");
        Assert.Empty(result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        string source = result.GeneratedSource;
        return ((INetwork)Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType(@namespace + ".Net")!)!, source);
    }

    /// <summary>
    /// Forward on a fixed input equals the reference engine's, both with the parameters sin(0.7 i) (running
    /// variances made positive, as a trained BatchNorm's are) and the input cos(0.3 i).
    /// </summary>
    public static void AssertMatchesReference(string attributes) => AssertMatchesReference(Generate(attributes), attributes);

    /// <summary><see cref="AssertMatchesReference(string)"/> for a network generated already (<paramref name="context"/> names it).</summary>
    public static void AssertMatchesReference(INetwork net, string context)
    {
        var reference = new ReferenceNetwork(net.Spec);
        var parameters = Enumerable.Range(0, net.ParameterCount).Select(i => (float)Math.Sin(0.7 * i)).ToArray();
        foreach (var tensor in net.Spec.Parameters.Where(t => t.Name.EndsWith("running_var", StringComparison.Ordinal)))
            for (int i = tensor.Offset; i < tensor.Offset + tensor.Length; i++) parameters[i] = 0.1f + Math.Abs(parameters[i]);
        net.LoadParameters(parameters);
        reference.LoadParameters(parameters);
        var input = Enumerable.Range(0, net.InputLength).Select(i => (float)Math.Cos(0.3 * i)).ToArray();
        var output = new float[net.OutputLength];
        net.Forward(input, output);
        FixtureFiles.AssertMatches(reference.Forward(input), output, context);
    }

    /// <summary>
    /// The network and the reference engine built from its Spec, loaded with the same parameters (uniform in [-1, 1],
    /// drawn first from a generator seeded by the context's length; running variances in [0.1, 1.1], as a trained
    /// BatchNorm's are positive), agree on each of <paramref name="calls"/> inputs (<paramref name="input"/> of the call
    /// and that generator): NaN where the other gives NaN, else equal or within <paramref name="allowed"/> of the
    /// reference's value. Some output of some call must be finite, so that NaN everywhere cannot pass for agreement.
    /// </summary>
    public static void AssertMatchesReference(INetwork net, string context, int calls, Func<int, Random, float[]> input, Func<float, double> allowed)
    {
        var reference = new ReferenceNetwork(net.Spec);
        var random = new Random(context.Length);
        var parameters = Enumerable.Range(0, net.ParameterCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        foreach (var tensor in net.Spec.Parameters.Where(t => t.Name.EndsWith("running_var", StringComparison.Ordinal)))
            for (int i = tensor.Offset; i < tensor.Offset + tensor.Length; i++) parameters[i] = 0.1f + Math.Abs(parameters[i]);
        net.LoadParameters(parameters);
        reference.LoadParameters(parameters);
        bool finite = false;
        for (int call = 0; call < calls; call++)
        {
            var x = input(call, random);
            var actual = new float[net.OutputLength];
            net.Forward(x, actual);
            var expected = reference.Forward(x);
            finite |= expected.Any(float.IsFinite);
            for (int i = 0; i < actual.Length; i++)
            {
                bool agree = float.IsNaN(expected[i]) || float.IsNaN(actual[i])
                    ? float.IsNaN(expected[i]) && float.IsNaN(actual[i])
                    : actual[i] == expected[i] || Math.Abs(actual[i] - (double)expected[i]) <= allowed(expected[i]);
                Assert.True(agree, $"{context}, call {call}: output {i} is {actual[i]:R}, the reference's {expected[i]:R}");
            }
        }
        Assert.True(finite, $"{context}: the reference's outputs are all infinite or NaN");
    }

    /// <summary>The attributes fail with one error, <paramref name="id"/> on <paramref name="span"/>, saying <paramref name="message"/> (any message when null), and the class gets no forward pass.</summary>
    public static void AssertOneError(string attributes, string id, string span, string? message)
    {
        var result = GeneratorHarness.Run("using CnnGen;\n" + attributes + "\npublic partial class Net { }");

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        string text = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        Assert.Equal((id, span, message ?? text), (diagnostic.Id, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan), text));
        GeneratorHarness.AssertNoForwardPass(result);
    }
}
