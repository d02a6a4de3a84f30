using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using CnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CnnGen.Tests.Support;

/// <summary>
/// Runs the generator in memory over source text, as the compiler would for a user's project:
/// reference assemblies for net10.0 plus the CnnGen library, then compiles and loads the result.
/// </summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly ImmutableArray<MetadataReference> References =
        Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(INetwork).Assembly.Location))
            .ToImmutableArray();

    public sealed record Result(Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Run)
    {
        /// <summary>Errors and warnings of the compiled output, the generator's own included.</summary>
        public ImmutableArray<Diagnostic> AllDiagnostics =>
            Output.GetDiagnostics().Concat(GeneratorDiagnostics).Where(d => d.Severity >= DiagnosticSeverity.Warning).Distinct().ToImmutableArray();

        /// <summary>The one source the generator added, for one declared network.</summary>
        public string GeneratedSource => Run.Results.Single().GeneratedSources.Single().SourceText.ToString();
    }

    public static CSharpCompilation Compilation(params string[] sources) => Compilation(ImmutableDictionary<string, ReportDiagnostic>.Empty, sources);

    /// <summary>A compilation with some diagnostics' severities set, as .editorconfig's dotnet_diagnostic.ID.severity does.</summary>
    public static CSharpCompilation Compilation(ImmutableDictionary<string, ReportDiagnostic> severities, params string[] sources) =>
        CSharpCompilation.Create("Networks" + Guid.NewGuid().ToString("N"),
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Network{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(severities));

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static Result Run(params string[] sources) => Run(ImmutableDictionary<string, ReportDiagnostic>.Empty, sources);

    /// <summary>Runs the generator with a diagnostic turned on that is off by default (CNN0014), as a user's .editorconfig would.</summary>
    public static Result RunWith(string enabledDiagnostic, params string[] sources) =>
        Run(ImmutableDictionary<string, ReportDiagnostic>.Empty.Add(enabledDiagnostic, ReportDiagnostic.Warn), sources);

    private static Result Run(ImmutableDictionary<string, ReportDiagnostic> severities, string[] sources)
    {
        var driver = Driver().RunGeneratorsAndUpdateCompilation(Compilation(severities, sources), out var output, out var diagnostics);
        return new Result(output, diagnostics, driver.GetRunResult());
    }

    /// <summary>
    /// A network with an error gets no forward pass, only its stand-in: the members of a network's class,
    /// whose methods throw the error.
    /// </summary>
    public static void AssertNoForwardPass(Result result) =>
        Assert.All(result.Run.GeneratedTrees, tree => Assert.Contains("private const string CnnGenError = ", tree.ToString()));

    /// <summary>Compiles the generated output, fails the test on any error, and loads it.</summary>
    /// <summary>
    /// Each random network's class from <paramref name="assembly"/> (namespace Differential), through
    /// <paramref name="check"/> with the context a failure reports: the seed and the network's source, to replay it.
    /// An exception other than an assertion's fails with that context too.
    /// </summary>
    public static void CheckEach(Assembly assembly, System.Collections.Generic.IEnumerable<RandomNetwork> networks, int seed, Action<RandomNetwork, INetwork, string> check)
    {
        foreach (var network in networks)
        {
            string context = $"seed {seed}, {network.ClassName}:\n{network.Source}";
            try
            {
                check(network, (INetwork)Activator.CreateInstance(assembly.GetType("Differential." + network.ClassName)!)!, context);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"{context}\nthrew {e}");
            }
        }
    }

    /// <summary>
    /// The generated network against the reference engine running <paramref name="spec"/>: both loaded with the same
    /// random state (<see cref="RandomNetworks.Parameters"/>), then two random inputs through each.
    /// </summary>
    public static void AssertForwardMatchesReference(NetworkSpec spec, INetwork generated, Random random, string context)
    {
        var reference = new CnnGen.Reference.ReferenceNetwork(spec);
        var parameters = RandomNetworks.Parameters(spec, random);
        generated.LoadParameters(parameters);
        reference.LoadParameters(parameters);
        for (int sample = 0; sample < 2; sample++)
        {
            var input = RandomNetworks.Inputs(random, spec.InputLength);
            var expected = reference.Forward(input);
            var actual = new float[generated.OutputLength];
            generated.Forward(input, actual);
            FixtureFiles.AssertMatches(expected, actual, context);
        }
    }

    /// <summary>The generated code's test for the 512-bit path: <c>if (...IsHardwareAccelerated)</c> before each layer's wide method.</summary>
    public const string WideGuard = "global::System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated";

    /// <summary>
    /// CNNGEN_WIDE_IN_SOFTWARE=1: every network these tests compile in memory takes its 512-bit path (and the 256- and
    /// 128-bit kernels that run only beside it) whatever the machine, as <see cref="ForceWidePath"/> writes it. CI sets
    /// it for one run of the differential tests, so that a machine without AVX-512 still runs each wide method.
    /// </summary>
    public static bool WideInSoftware { get; } = Environment.GetEnvironmentVariable("CNNGEN_WIDE_IN_SOFTWARE") == "1";

    /// <summary>
    /// <paramref name="output"/> with each generated tree's <see cref="WideGuard"/> replaced by <c>true</c>. Vector512's
    /// operations are defined without AVX-512 too (in software, on two 256-bit halves), and the AVX-512 instructions the
    /// generated code calls by name (vscalefps, the transposes) keep their own IsSupported tests, so the wide methods
    /// then run on any machine and compute what they compute on one with AVX-512.
    /// </summary>
    public static Compilation ForceWidePath(Compilation output)
    {
        foreach (var tree in output.SyntaxTrees.ToList())
        {
            string text = tree.ToString();
            if (text.Contains(WideGuard, StringComparison.Ordinal))
                output = output.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(text.Replace(WideGuard, "true", StringComparison.Ordinal), (CSharpParseOptions)tree.Options, tree.FilePath));
        }
        return output;
    }

    /// <summary>The compilation these tests emit: <paramref name="output"/>, its wide path forced where <see cref="WideInSoftware"/> asks.</summary>
    public static Compilation AsConfigured(Compilation output) => WideInSoftware ? ForceWidePath(output) : output;

    public static Assembly Load(Compilation output)
    {
        using var image = new MemoryStream();
        var emitted = AsConfigured(output).Emit(image);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The generated code does not compile:\n" + string.Join("\n", errors.Take(20)));
        image.Position = 0;
        return AssemblyLoadContext.Default.LoadFromStream(image);
    }
}
