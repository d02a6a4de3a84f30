using System;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>A new instance holds the all-zero state and the weights derived from it, as a new reference engine does.</summary>
public class ZeroStateTests
{
    [Fact]
    public void A_BatchNorm_without_Affine_divides_by_sqrt_eps_before_anything_is_loaded()
    {
        var result = GeneratorHarness.Run("""
            using CnnGen;
            namespace Zero;
            [InputShape(2, 3, 3)]
            [BatchNorm2D(Affine = false, Epsilon = 0.25f)]
            public partial class Net { }
            """);
        Assert.Empty(result.AllDiagnostics);
        var net = (INetwork)Activator.CreateInstance(GeneratorHarness.Load(result.Output).GetType("Zero.Net")!)!;
        var input = Enumerable.Range(0, net.InputLength).Select(i => i - 8f).ToArray();
        var output = new float[net.OutputLength];

        net.Forward(input, output);

        // (x - 0) / sqrt(0 + 0.25)
        Assert.Equal(input.Select(x => 2f * x), output);
        Assert.Equal(new ReferenceNetwork(net.Spec).Forward(input), output);
    }
}
