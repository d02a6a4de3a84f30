using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace CnnGen.Tests.Import;

/// <summary>
/// A model outside the project (a monorepo's shared models folder: &lt;AdditionalFiles Include="../shared/net.onnx" /&gt;)
/// is keyed by the build step as "../shared/net.onnx", and [OnnxModel] finds it however the path is spelled: with '\',
/// "./" or "x/.." in it, or as the full path where the project's directory is known. Before, the build step keyed it by
/// its full path and the attribute's relative path was "in AdditionalFiles but was not converted".
/// </summary>
public sealed class ModelPathTests
{
    private const string Key = "../shared/LeNet5.onnx";

    private static byte[] LeNet => File.ReadAllBytes(Path.Combine(FixtureCase.SourceDirectory("onnx"), "LeNet5.onnx"));

    [Theory]
    [InlineData("../shared/LeNet5.onnx")]
    [InlineData("..\\shared\\LeNet5.onnx")]
    [InlineData("./../shared/models/../LeNet5.onnx")]
    public void A_model_outside_the_project_is_found_by_its_relative_path(string path)
    {
        var built = OnnxHarness.Run(LeNet, Key, OnnxHarness.Declaration("Net", path));
        Assert.Empty(built.Result.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.NotNull(OnnxHarness.Load(built).GetType("Imported.Net"));
    }

    [Theory]
    [InlineData("/work/shared/LeNet5.onnx")]
    [InlineData("/work/app/../shared/LeNet5.onnx")]
    public void A_model_is_found_by_its_full_path_where_the_project_directory_is_known(string path)
    {
        var read = CnnGen.Build.OnnxProtobuf.Read(LeNet);
        var file = new OnnxHarness.InMemoryText("/work/app/obj/cnngen/LeNet5.cnngen.txt", CnnGen.Onnx.OnnxText.Write(read.Model!));
        var options = new ProjectOptions("/work/app/", new Dictionary<string, string>
        {
            ["build_metadata.AdditionalFiles.CnnGenModel"] = Key,
            ["build_metadata.AdditionalFiles.CnnGenResource"] = "CnnGen.Weights." + Key,
        });
        var result = OnnxHarness.RunWith(new AdditionalText[] { file }, options, OnnxHarness.Declaration("Net", path));
        Assert.Empty(result.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void A_path_that_names_another_file_is_still_an_error_naming_it()
    {
        var built = OnnxHarness.Run(LeNet, Key, OnnxHarness.Declaration("Net", "../other/LeNet5.onnx"));
        var error = Assert.Single(built.Result.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal("CNN0031", error.Id);
        Assert.Contains("'../other/LeNet5.onnx' is not among the project's AdditionalFiles", error.GetMessage());
    }

    /// <summary>A project directory as MSBuild gives it (build_property.projectdir) and the same metadata on every additional file.</summary>
    private sealed class ProjectOptions : AnalyzerConfigOptionsProvider
    {
        private readonly AnalyzerConfigOptions _file;

        public ProjectOptions(string projectDirectory, Dictionary<string, string> metadata)
        {
            GlobalOptions = new Options(new Dictionary<string, string> { ["build_property.projectdir"] = projectDirectory });
            _file = new Options(metadata);
        }

        public override AnalyzerConfigOptions GlobalOptions { get; }

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(new Dictionary<string, string>());

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _file;

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
