using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Snapshots;

/// <summary>
/// What the generator emits for the sample networks, compared line by line with the committed
/// <c>SnapshotTests.{Test}#{HintName}.verified.cs</c> files beside this one. They are documentation
/// as much as tests: open one to see the code a network declaration turns into. After a deliberate
/// change to the emitter, run the tests with CNNGEN_ACCEPT=1 and review the git diff.
/// </summary>
public class SnapshotTests
{
    /// <summary>A depthwise convolution (one filter per channel, Groups == channels) followed by a pointwise one: no PyTorch fixture, so declared here.</summary>
    public const string DepthwiseSeparableSource = """
        using CnnGen;

        namespace Samples;

        [InputShape(4, 6, 6)]
        [Conv2D(Filters = 4, Kernel = 3, Padding = 1, Groups = 4)]
        [Conv2D(Filters = 8, Kernel = 1)]
        public partial class DepthwiseSeparable { }
        """;

    // the lecture's 5x5 input and 3x3 kernel, stride 1 and stride 2
    [Fact] public void SeedStride1() => VerifyGenerated(Fixture("SeedStride1"));

    [Fact] public void SeedStride2() => VerifyGenerated(Fixture("SeedStride2"));

    // padding 1 on two input channels, three filters
    [Fact] public void SameConv() => VerifyGenerated(Fixture("SameConv"));

    [Fact] public void MaxPool() => VerifyGenerated(Fixture("MaxPool"));

    [Fact] public void AvgPool() => VerifyGenerated(Fixture("AvgPool"));

    [Fact] public void MinPool() => VerifyGenerated(Fixture("MinPool"));

    // padded max pooling, then average pooling in ceil mode with a clipped last window
    [Fact] public void PoolPadCeil() => VerifyGenerated(Fixture("PoolPadCeil"));

    [Fact] public void LeNet5() => VerifyGenerated(Fixture("LeNet5"));

    [Fact] public void SmallCifar() => VerifyGenerated(Fixture("SmallCifar"));

    /// <summary>A 1D network: its convolution and pool are the 2D code on one row; no Height constants.</summary>
    [Fact] public void Conv1D() => VerifyGenerated(Fixture("Conv1D"));

    /// <summary>PaddingMode: a pad step of the mode (the border read at fixed indices), then the convolution without padding.</summary>
    [Fact] public void PadCausalReflect() => VerifyGenerated(Fixture("sequences/PadCausalReflect"));

    [Fact] public void DepthwiseSeparable() => VerifyGenerated(DepthwiseSeparableSource);

    // BatchNorm folded into each convolution at load time, ReLU6 in the stores, a depthwise convolution, global average pooling
    [Fact] public void MobileNetTiny() => VerifyGenerated(Fixture("layers/MobileNetTiny"));

    // SiLU through the emitted vector exp, applied before the fused max pool (SiLU is not monotone), then Hardswish and LogSoftmax
    [Fact] public void CifarBnSiLU() => VerifyGenerated(Fixture("layers/CifarBnSiLU"));

    // blocks: torchvision's ResNet layout, identity and projection shortcuts (each Residual joined in one node), the tensors named by their modules;
    [Fact] public void ResNet8() => VerifyGenerated(Fixture("blocks/ResNet8"));

    // blocks: MobileNetV2's inverted residuals (expand, depthwise, project, added to the input) nested three deep
    [Fact] public void MobileNetV2() => VerifyGenerated(Fixture("blocks/MobileNetV2"));

    // a transposed convolution (4x4, stride 2, padding 1) as its four stride phases: 2x2 convolutions over the input with kernels derived at load time, then an interleave
    [Fact] public void ConvTransposeK4S2P1() => VerifyGenerated(Fixture("upsampling/ConvTransposeK4S2P1"));

    // ESPCN's super-resolution: convolutions to 9 channels, then PixelShuffle(3) moves them to 3x3 blocks of pixels
    [Fact] public void Espcn() => VerifyGenerated(Fixture("upsampling/Espcn"));

    [Fact] public void Upsample() => VerifyGenerated("using CnnGen;\nnamespace Resize;\n[InputShape(2, 3, 5)] [Upsample(Mode = \"bilinear\")] [Upsample(ScaleHeight = 3, ScaleWidth = 2)]\npublic partial class Up { }");

    /// <summary>An invalid network: the diagnostics as the user sees them, and no generated file.</summary>
    [Fact]
    public void BadInChannels()
    {
        var result = GeneratorHarness.Run(Fixture("BadInChannels"));

        GeneratorHarness.AssertNoForwardPass(result);
        Snapshot.Verify(DiagnosticsText(result.AllDiagnostics), $"{nameof(SnapshotTests)}.{nameof(BadInChannels)}#diagnostics", "txt");
        // the stand-in: the members of a network's class, each method throwing the error
        var standIn = Assert.Single(result.Run.Results.Single().GeneratedSources);
        Snapshot.Verify(standIn.SourceText.ToString(), $"{nameof(SnapshotTests)}.{nameof(BadInChannels)}#{Path.GetFileNameWithoutExtension(standIn.HintName)}", "cs");
    }

    [Fact]
    public void Summary_is_the_layer_table_of_the_file_header()
    {
        var generated = GeneratorHarness.Run(Fixture("LeNet5")).Run.GeneratedTrees.Single().ToString();
        var header = generated.Split('\n').SkipWhile(l => !l.StartsWith("// LeNet5:", StringComparison.Ordinal)).TakeWhile(l => l.StartsWith("// ", StringComparison.Ordinal));

        Assert.Equal(Fixtures.LeNet5.Summary, string.Join("\n", header.Select(l => l.Substring(3))));
        Assert.StartsWith("LeNet5: input [1, 28, 28], output [10], 61706 parameters\n", Fixtures.LeNet5.Summary, StringComparison.Ordinal);
    }

    // ---- the mini-Verify itself: a snapshot test that could not fail would document nothing ----

    [Fact]
    public void A_difference_fails_writes_the_received_file_and_shows_a_unified_diff()
    {
        string directory = Directory.CreateTempSubdirectory("cnngen-snapshot").FullName;
        try
        {
            string verified = string.Join("\n", Enumerable.Range(1, 20).Select(i => $"line {i}")) + "\n";
            File.WriteAllText(Path.Combine(directory, "T.M#x.verified.cs"), verified);
            string changed = verified.Replace("line 10\n", "line ten\n", StringComparison.Ordinal);

            var failure = Assert.ThrowsAny<Exception>(() => Snapshot.Verify(changed, directory, "T.M#x", "cs", accept: false));

            Assert.Equal(changed, File.ReadAllText(Path.Combine(directory, "T.M#x.received.cs")));
            Assert.Contains("@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n line 13\n", failure.Message, StringComparison.Ordinal);
            Assert.Contains("CNNGEN_ACCEPT=1", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Accepting_replaces_the_verified_file_and_a_match_removes_the_received_one()
    {
        string directory = Directory.CreateTempSubdirectory("cnngen-snapshot").FullName;
        try
        {
            string verifiedPath = Path.Combine(directory, "T.M#x.verified.cs"), receivedPath = Path.Combine(directory, "T.M#x.received.cs");
            Assert.ThrowsAny<Exception>(() => Snapshot.Verify("new\n", directory, "T.M#x", "cs", accept: false));
            Assert.True(File.Exists(receivedPath), "a missing verified file is a failure that leaves the received one to review");

            Snapshot.Verify("new\r\n", directory, "T.M#x", "cs", accept: true);

            Assert.Equal("new\n", File.ReadAllText(verifiedPath));
            Assert.False(File.Exists(receivedPath));
            Snapshot.Verify("new\n", directory, "T.M#x", "cs", accept: false);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_generator_version_is_scrubbed()
    {
        Assert.Equal("[GeneratedCode(\"CnnGen\", \"{version}\")]", Snapshot.Normalize("[GeneratedCode(\"CnnGen\", \"1.2.3.4\")]"));
    }

    // ---- helpers ----

    /// <summary>Generates one network and compares every generated file (and the lack of diagnostics) with its snapshot.</summary>
    private static void VerifyGenerated(string source, [CallerMemberName] string test = "")
    {
        var result = GeneratorHarness.Run(source);

        Assert.True(result.AllDiagnostics.IsEmpty, "unexpected diagnostics:\n" + DiagnosticsText(result.AllDiagnostics));
        var files = result.Run.Results.Single().GeneratedSources;
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            string text = file.SourceText.ToString();
            Assert.StartsWith("// <auto-generated/>\n#nullable enable\n", text, StringComparison.Ordinal);
            Snapshot.Verify(text, $"{nameof(SnapshotTests)}.{test}#{Path.GetFileNameWithoutExtension(file.HintName)}", "cs");
        }
    }

    /// <summary>Each diagnostic as the compiler prints it, then the source text it points at.</summary>
    private static string DiagnosticsText(System.Collections.Generic.IEnumerable<Diagnostic> diagnostics)
    {
        var text = new StringBuilder();
        foreach (var d in diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal))
        {
            var position = d.Location.GetLineSpan().StartLinePosition;
            text.Append(CultureInfo.InvariantCulture, $"({position.Line + 1},{position.Character + 1}): {d.Severity.ToString().ToLowerInvariant()} {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}\n");
            if (d.Location.IsInSource) text.Append("    at: ").Append(d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A PyTorch fixture's network declaration, from tests/fixtures.</summary>
    private static string Fixture(string name, [CallerFilePath] string thisFile = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "fixtures", name + ".cs"));
}
