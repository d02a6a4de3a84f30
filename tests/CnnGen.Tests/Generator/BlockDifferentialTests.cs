using System;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Random valid networks of nested blocks through the generator (in memory, one compilation), each
/// compared with the reference engine twice: built from the generated class's own Spec, and from a
/// spec the test builds independently from SequentialSpec, ResidualSpec, ConcatSpec and MultiplySpec
/// (so a misread attribute, a wrong key or a wrong graph in the generated Spec shows up too).
/// CNNGEN_FUZZ_SEED replays a run; CNNGEN_FUZZ_COUNT raises the count for a long soak.
/// </summary>
public class BlockDifferentialTests
{
    private readonly ITestOutputHelper _output;

    public BlockDifferentialTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Generated_Forward_matches_the_reference_engine_on_random_networks_of_blocks() =>
        CompareRandomNetworks(TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 300) / 10, wide: false);

    /// <summary>Inputs 16 to 40 wide: the SIMD paths of the layers inside blocks, and joins over long rows.</summary>
    [Fact]
    public void Wide_random_networks_of_blocks_take_the_SIMD_paths_and_still_match() =>
        CompareRandomNetworks(TestEnvironment.Int("CNNGEN_FUZZ_COUNT", 300) / 40, wide: true);

    /// <summary>The drawing itself: over a run every kind of block, both gate shapes, shortcuts, included inputs, inserted children and reused classes occur.</summary>
    [Fact]
    public void The_random_networks_cover_every_kind_of_block()
    {
        var draw = new RandomBlockNetworks(TestEnvironment.Int("CNNGEN_FUZZ_SEED", 20261124));
        var networks = Enumerable.Range(0, 75).Select(i => draw.Next("Net" + i)).ToList();
        var nodes = networks.SelectMany(n => n.Spec.Nodes).ToList();
        string sources = string.Concat(networks.Select(n => n.Source));

        foreach (var kind in new[] { "Residual", "Concat", "Multiply" })
            Assert.Contains(nodes, n => n.Kind == kind);
        Assert.Contains(nodes, n => n.Kind == "Multiply" && n.InputShapes[1][1] == 1 && n.InputShapes[1][2] == 1 && n.InputShapes[0][1] * n.InputShapes[0][2] > 1);
        Assert.Contains(nodes, n => n.Kind == "Multiply" && n.InputShapes[1].SequenceEqual(n.InputShapes[0]));
        Assert.Contains(nodes, n => n.Kind == "Concat" && n.Inputs[0] < n.Output - 1 && n.Inputs.Count > 2);
        Assert.Contains("Shortcut = typeof(", sources, StringComparison.Ordinal);
        Assert.Contains("IncludeInput = true", sources, StringComparison.Ordinal);
        Assert.Contains("[Sequential(typeof(", sources, StringComparison.Ordinal);
        Assert.Contains("Name = \"\")]", sources, StringComparison.Ordinal);
        // blocks inside blocks inside blocks: a key four modules deep
        Assert.Contains(networks.SelectMany(n => n.Spec.Parameters), p => p.Name.Count(ch => ch == '.') >= 4);
    }

    private void CompareRandomNetworks(int count, bool wide)
    {
        int seed = TestEnvironment.Int("CNNGEN_FUZZ_SEED", 20261124);
        _output.WriteLine($"block differential: {count} {(wide ? "wide " : "")}networks, seed {seed} (replay with CNNGEN_FUZZ_SEED={seed})");

        var draw = new RandomBlockNetworks(wide ? seed + 1 : seed);
        var networks = Enumerable.Range(0, count).Select(i => draw.Next((wide ? "Wide" : "Net") + i, wide)).ToArray();
        var result = GeneratorHarness.Run(networks.Select(n => n.Source).ToArray());
        // CNN0014 (input never reached) is an expected warning on random strides; anything else is a bug
        var unexpected = result.AllDiagnostics.Where(d => d.Id != "CNN0014").ToList();
        Assert.True(unexpected.Count == 0, $"seed {seed}: unexpected diagnostics:\n" + string.Join("\n", unexpected.Take(10)));
        var assembly = GeneratorHarness.Load(result.Output);

        var random = new Random(seed);
        GeneratorHarness.CheckEach(assembly, networks, seed, (network, generated, context) => Compare(network.Spec, generated, random, context));
        _output.WriteLine($"block differential: {count} networks matched the reference engine on both specs");
    }

    private static void Compare(NetworkSpec expected, INetwork generated, Random random, string context)
    {
        var spec = generated.Spec;
        Assert.True(expected.InputShape.SequenceEqual(spec.InputShape), "input shape differs; " + context);
        Assert.True(expected.OutputShape.SequenceEqual(spec.OutputShape), "output shape differs; " + context);
        Assert.Equal(expected.ParameterCount, generated.ParameterCount);
        // the modules as the attributes name them: the state_dict keys, their shapes, and which tensors are buffers
        Assert.True(expected.Parameters.Select(Tensor).SequenceEqual(spec.Parameters.Select(Tensor)),
            $"state tensors differ; {context}\nexpected: {string.Join(", ", expected.Parameters.Select(Tensor))}\nactual:   {string.Join(", ", spec.Parameters.Select(Tensor))}");
        // the graph: every node's kind, module, place in messages, inputs and shapes
        Assert.True(expected.Nodes.Select(Node).SequenceEqual(spec.Nodes.Select(Node)),
            $"graphs differ; {context}\nexpected: {string.Join("\n          ", expected.Nodes.Select(Node))}\nactual:   {string.Join("\n          ", spec.Nodes.Select(Node))}");

        var independent = new ReferenceNetwork(expected);
        var own = new ReferenceNetwork(spec);
        var parameters = RandomNetworks.Parameters(expected, random);
        generated.LoadParameters(parameters);
        independent.LoadParameters(parameters);
        own.LoadParameters(parameters);
        for (int sample = 0; sample < 2; sample++)
        {
            var input = RandomNetworks.Inputs(random, expected.InputLength);
            var actual = new float[generated.OutputLength];
            generated.Forward(input, actual);
            FixtureFiles.AssertMatches(independent.Forward(input), actual, "against the spec built in the test; " + context);
            FixtureFiles.AssertMatches(own.Forward(input), actual, "against the generated Spec; " + context);
        }
    }

    private static string Tensor(ParameterTensor t) =>
        $"{t.Name} [{string.Join(", ", t.Shape)}] @{t.Offset}{(t.IsBuffer ? " buffer" : "")}";

    private static string Node(NetworkNode n) =>
        $"{n.Kind} '{n.Module}' {n.Description} ({string.Join(", ", n.Inputs)}) -> {n.Output} [{string.Join(" | ", n.InputShapes.Select(s => string.Join(", ", s)))}] -> [{string.Join(", ", n.OutputShape)}]";

}
