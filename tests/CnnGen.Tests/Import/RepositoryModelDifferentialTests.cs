using System;
using System.IO;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Onnx;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Import;

/// <summary>
/// Every ONNX file of the repository (PyTorch exports of the fixtures, the benchmarks' networks, the samples' models)
/// imports through [OnnxModel]; where its PyTorch input and output lie beside it (NAME.input.f32, NAME.expected.f32,
/// a batch of samples), the generated class and the reference engine running its Spec give PyTorch's output.
/// </summary>
public sealed class RepositoryModelDifferentialTests
{
    /// <summary>
    /// The repository's models but the import fixtures' own (tests/fixtures/onnx: OnnxFixtureDifferentialTests, with their
    /// refusals) and ONNX's suite cases (tests/fixtures/onnx-suite: OnnxBackendSuiteTests, with theirs).
    /// </summary>
    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (var path in OnnxFiles.RepositoryModels().Where(p => !p.StartsWith("tests/fixtures/onnx/", StringComparison.Ordinal) && !p.StartsWith("tests/fixtures/onnx-suite/", StringComparison.Ordinal))) data.Add(path);
        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Repository_model_imports_and_matches_PyTorch(string relative)
    {
        var built = OnnxHarness.Run(OnnxFiles.ReadRepositoryFile(relative), "models/model.onnx", OnnxHarness.Declaration("Net", "models/model.onnx"));
        var network = (INetwork)Activator.CreateInstance(OnnxHarness.Load(built).GetType("Imported.Net")!)!;
        string stem = Path.Combine(OnnxFiles.RepositoryRoot(), Path.ChangeExtension(relative, null));
        if (!File.Exists(stem + ".input.f32") || !File.Exists(stem + ".expected.f32")) return;
        var input = Floats(stem + ".input.f32");
        var expected = Floats(stem + ".expected.f32");
        Assert.Equal(0, input.Length % network.InputLength);
        var output = new float[input.Length / network.InputLength * network.OutputLength];
        network.ForwardBatch(input, output);
        FixtureFiles.AssertMatches(expected, output, relative + " generated");
        var reference = new ReferenceNetwork(network.Spec);
        reference.LoadParameters(built.Parameters(network.Spec));
        var referenceOutput = new float[output.Length];
        reference.ForwardBatch(input, referenceOutput);
        FixtureFiles.AssertMatches(expected, referenceOutput, relative + " reference");
    }

    private static float[] Floats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
