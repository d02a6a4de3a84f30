using System;
using System.IO;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>What a generated network does with input it cannot use: a clear exception, and nothing changed.</summary>
public class BadInputTests
{
    [Fact]
    public void Wrong_span_lengths_throw_ArgumentException_naming_both_lengths()
    {
        var net = new Fixtures.LeNet5();

        var input = Assert.Throws<ArgumentException>(() => net.Forward(new float[Fixtures.LeNet5.InputLength + 1], new float[Fixtures.LeNet5.OutputLength]));
        var output = Assert.Throws<ArgumentException>(() => net.Forward(new float[Fixtures.LeNet5.InputLength], new float[Fixtures.LeNet5.OutputLength - 1]));
        var parameters = Assert.Throws<ArgumentException>(() => net.LoadParameters(new float[Fixtures.LeNet5.ParameterCount - 1]));
        var batch = Assert.Throws<ArgumentException>(() => net.ForwardBatch(new float[Fixtures.LeNet5.InputLength * 2 + 1], new float[Fixtures.LeNet5.OutputLength * 2]));
        var batchOut = Assert.Throws<ArgumentException>(() => net.ForwardBatch(new float[Fixtures.LeNet5.InputLength * 2], new float[Fixtures.LeNet5.OutputLength * 3]));

        Assert.Equal("input", input.ParamName);
        Assert.Contains("784", input.Message);
        Assert.Contains("785", input.Message);
        Assert.Equal("output", output.ParamName);
        Assert.Contains("9", output.Message);
        Assert.Contains("61706", parameters.Message);
        Assert.Contains("61705", parameters.Message);
        Assert.Equal("inputs", batch.ParamName);
        Assert.Equal("outputs", batchOut.ParamName);
    }

    [Fact]
    public void Overlapping_input_and_output_are_refused()
    {
        var net = new Fixtures.SameConv();
        var buffer = new float[Fixtures.SameConv.InputLength + Fixtures.SameConv.OutputLength];

        Assert.Throws<ArgumentException>(() => net.Forward(buffer.AsSpan(0, Fixtures.SameConv.InputLength), buffer.AsSpan(1, Fixtures.SameConv.OutputLength)));
        Assert.Throws<ArgumentException>(() => net.Forward(buffer.AsSpan(0, Fixtures.SameConv.InputLength), buffer.AsSpan(0, Fixtures.SameConv.OutputLength)));
        Assert.Throws<ArgumentException>(() => net.Forward(buffer.AsSpan(1, Fixtures.SameConv.InputLength), buffer.AsSpan(0, Fixtures.SameConv.OutputLength)));
    }

    [Fact]
    public void A_failed_load_leaves_the_parameters_as_they_were()
    {
        var net = new Fixtures.SameConv();
        var start = FixtureFiles.ReadFloats("SameConv.params.f32");
        for (int i = 0; i < start.Length; i++) start[i] = start[i] * 0.5f + 0.25f;
        net.LoadParameters(start);
        var input = FixtureFiles.ReadFloats("SameConv.input.f32").AsSpan(0, Fixtures.SameConv.InputLength).ToArray();
        var before = new float[Fixtures.SameConv.OutputLength];
        net.Forward(input, before);
        var good = File.ReadAllBytes(FixtureFiles.PathOf("SameConv.safetensors"));
        var truncated = good.AsSpan(0, good.Length - 4).ToArray();
        var otherNetwork = File.ReadAllBytes(FixtureFiles.PathOf("StridedConv.safetensors"));

        Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(new MemoryStream(truncated)));
        Assert.Throws<InvalidDataException>(() => net.LoadSafetensors(new MemoryStream(otherNetwork)));
        Assert.Throws<ArgumentException>(() => net.LoadParameters(new float[Fixtures.SameConv.ParameterCount + 1]));
        Assert.Throws<ArgumentException>(() => net.LoadParameters(new float[Fixtures.SameConv.ParameterCount - 1]));
        Assert.Throws<ArgumentException>(() => net.LoadParameters(ReadOnlySpan<float>.Empty));

        var after = new float[Fixtures.SameConv.OutputLength];
        net.Forward(input, after);
        Assert.Equal(before, after);
    }

    [Fact]
    public void LoadSafetensors_without_a_readable_source_throws_the_documented_exception_and_loads_nothing()
    {
        var net = new Fixtures.SameConv();
        net.LoadParameters(FixtureFiles.ReadFloats("SameConv.params.f32"));
        var input = FixtureFiles.ReadFloats("SameConv.input.f32").AsSpan(0, Fixtures.SameConv.InputLength).ToArray();
        var before = new float[Fixtures.SameConv.OutputLength];
        net.Forward(input, before);
        var closed = new MemoryStream(File.ReadAllBytes(FixtureFiles.PathOf("SameConv.safetensors")));
        closed.Dispose();
        string missingDirectory = Path.Combine(Path.GetTempPath(), $"cnngen-{Guid.NewGuid():N}");

        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => net.LoadSafetensors((Stream)null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => net.LoadSafetensors((string)null!)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => net.LoadSafetensors(closed)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentException>(() => net.LoadSafetensors(new WriteOnlyStream())).ParamName);
        Assert.Throws<FileNotFoundException>(() => net.LoadSafetensors(FixtureFiles.PathOf("NoSuchFile.safetensors")));
        Assert.Throws<DirectoryNotFoundException>(() => net.LoadSafetensors(Path.Combine(missingDirectory, "net.safetensors")));

        var after = new float[Fixtures.SameConv.OutputLength];
        net.Forward(input, after);
        Assert.Equal(before, after);
    }

    /// <summary>
    /// A 2D network; 1D ones: M5 (BatchNorm1D folded, LogSoftmax), a residual TCN, padding modes, a [C, 1] gate; and dense
    /// prediction: a U-Net (stride phases, concatenations), a transposed convolution with its BatchNorm folded into its phases,
    /// ESPCN (PixelShuffle), bilinear upsampling.
    /// </summary>
    public static TheoryData<string> AllocationCases() => new()
    {
        "SmallCifar", "sequences/M5", "sequences/Tcn", "sequences/PadCausalReflect", "sequences/SqueezeExcite1D",
        "upsampling/UNet", "upsampling/ConvTransposeBnRelu", "upsampling/Espcn", "upsampling/UNetBilinear",
    };

    [Theory]
    [MemberData(nameof(AllocationCases))]
    public void Forward_allocates_nothing_after_construction(string fixture)
    {
        string name = fixture.Split('/')[^1];
        string? folder = fixture.Contains('/') ? fixture.Split('/')[0] : null;
        // a folder's fixtures are in its namespace: sequences/M5 is Fixtures.Sequences.M5
        string space = folder is null ? "Fixtures." : "Fixtures." + char.ToUpperInvariant(folder[0]) + folder.Substring(1) + ".";
        var type = typeof(BadInputTests).Assembly.GetType(space + name)!;
        var net = (INetwork)Activator.CreateInstance(type)!;
        net.LoadParameters(FixtureFiles.ReadFloats(name + ".params.f32", folder));
        var input = new float[net.InputLength];
        var output = new float[net.OutputLength];
        net.Forward(input, output); // JIT and type initialisation happen here

        // the runtime may allocate on this thread while it recompiles a hot method at a higher tier (seen
        // once in CI: 8 KB); an allocation of Forward's own is in every round, so one clean round of the
        // five shows there is none
        var rounds = new long[5];
        for (int round = 0; round < rounds.Length && (round == 0 || rounds[round - 1] != 0); round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 3; i++) net.Forward(input, output);
            rounds[round] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(rounds.Contains(0), "bytes allocated by three calls, round by round: " + string.Join(", ", rounds));
    }

    private sealed class WriteOnlyStream : MemoryStream
    {
        public override bool CanRead => false;
    }
}
