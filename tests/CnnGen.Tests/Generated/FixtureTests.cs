using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// Every PyTorch fixture, compiled by the generator at build time as a user's class would be, run
/// through each way in: LoadParameters + Forward, LoadSafetensors, ForwardBatch, and the reference engine.
/// </summary>
public class FixtureTests
{
    private const int Batch = 3;

    private static readonly Dictionary<string, Func<INetwork>> Networks = new()
    {
        ["SeedStride1"] = () => new Fixtures.SeedStride1(),
        ["SeedStride2"] = () => new Fixtures.SeedStride2(),
        ["SameConv"] = () => new Fixtures.SameConv(),
        ["StridedConv"] = () => new Fixtures.StridedConv(),
        ["MultiFilter"] = () => new Fixtures.MultiFilter(),
        ["RectDilated"] = () => new Fixtures.RectDilated(),
        ["MaxPool"] = () => new Fixtures.MaxPool(),
        ["AvgPool"] = () => new Fixtures.AvgPool(),
        ["MinPool"] = () => new Fixtures.MinPool(),
        ["PoolPadCeil"] = () => new Fixtures.PoolPadCeil(),
        ["DenseSoftmax"] = () => new Fixtures.DenseSoftmax(),
        ["LeNet5"] = () => new Fixtures.LeNet5(),
        ["SmallCifar"] = () => new Fixtures.SmallCifar(),
        ["Conv1D"] = () => new Fixtures.Conv1D(),
    };

    public static TheoryData<string> Cases() => new(Networks.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_PyTorch(string name)
    {
        var net = Networks[name]();
        net.LoadParameters(FixtureFiles.ReadFloats(name + ".params.f32"));

        FixtureFiles.AssertMatches(Expected(name), RunOneByOne(net, name), name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LoadSafetensors_reads_the_state_dict_keys(string name)
    {
        var fromFile = Networks[name]();
        fromFile.LoadSafetensors(FixtureFiles.PathOf(name + ".safetensors"));
        var fromStream = Networks[name]();
        using (var stream = File.OpenRead(FixtureFiles.PathOf(name + ".safetensors"))) fromStream.LoadSafetensors(stream);

        FixtureFiles.AssertMatches(Expected(name), RunOneByOne(fromFile, name), name + " from a path");
        FixtureFiles.AssertMatches(Expected(name), RunOneByOne(fromStream, name), name + " from a stream");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardBatch_runs_the_samples_back_to_back(string name)
    {
        var net = Networks[name]();
        net.LoadParameters(FixtureFiles.ReadFloats(name + ".params.f32"));
        var outputs = new float[Batch * net.OutputLength];

        net.ForwardBatch(FixtureFiles.ReadFloats(name + ".input.f32"), outputs);

        FixtureFiles.AssertMatches(Expected(name), outputs, name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_engine_on_the_generated_Spec_matches_PyTorch(string name)
    {
        var reference = new ReferenceNetwork(Networks[name]().Spec);
        reference.LoadParameters(FixtureFiles.ReadFloats(name + ".params.f32"));

        FixtureFiles.AssertMatches(Expected(name), RunOneByOne(reference, name), name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Constants_agree_with_the_case(string name)
    {
        var net = Networks[name]();
        var parameters = FixtureFiles.ReadFloats(name + ".params.f32");

        Assert.Equal(parameters.Length, net.ParameterCount);
        Assert.Equal(FixtureFiles.ReadFloats(name + ".input.f32").Length, Batch * net.InputLength);
        Assert.Equal(Expected(name).Length, Batch * net.OutputLength);
        Assert.Equal(net.Spec.ParameterCount, net.ParameterCount);
    }

    [Fact]
    public void The_lecture_example_comes_out_exactly()
    {
        float[] input = [0, 2, -3, 2, -3, -2, -2, -2, -1, -2, -3, -3, 2, -2, 1, -3, -2, 1, -3, 1, 0, -1, 0, 2, -3];
        float[] parameters = [-1, 0, -2, 1, 1, -1, -1, -1, 0, /* bias */ -1];
        var stride1 = new Fixtures.SeedStride1();
        var stride2 = new Fixtures.SeedStride2();
        stride1.LoadParameters(parameters);
        stride2.LoadParameters(parameters);
        var out1 = new float[Fixtures.SeedStride1.OutputLength];
        var out2 = new float[Fixtures.SeedStride2.OutputLength];

        stride1.Forward(input, out1);
        stride2.Forward(input, out2);

        Assert.Equal([9, -9, 7, 2, 5, 6, -7, 9, -10], out1);
        Assert.Equal([9, 7, -7, -10], out2);
        Assert.Equal((3, 3), (Fixtures.SeedStride1.OutputHeight, Fixtures.SeedStride1.OutputWidth));
        Assert.Equal((2, 2), (Fixtures.SeedStride2.OutputHeight, Fixtures.SeedStride2.OutputWidth));
    }

    private static float[] Expected(string name) => FixtureFiles.ReadFloats(name + ".expected.f32");

    private static float[] RunOneByOne(INetwork net, string name)
    {
        var inputs = FixtureFiles.ReadFloats(name + ".input.f32");
        var outputs = new float[Batch * net.OutputLength];
        for (int n = 0; n < Batch; n++)
            net.Forward(inputs.AsSpan(n * net.InputLength, net.InputLength), outputs.AsSpan(n * net.OutputLength, net.OutputLength));
        return outputs;
    }
}
