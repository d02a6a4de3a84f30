using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Build;
using CnnGen.Onnx;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Xunit;

namespace CnnGen.Tests.Onnx;

/// <summary>
/// The build task before compilation: each .onnx file becomes its text form (what the generator reads) and its
/// weights blob (what the assembly embeds), rewritten only when they change; an unreadable file is a build error on it.
/// </summary>
public sealed class ConvertModelFilesTests : IDisposable
{
    private readonly string _project = Path.Combine(Path.GetTempPath(), "cnngen-task-" + Guid.NewGuid().ToString("N"));

    public ConvertModelFilesTests() => Directory.CreateDirectory(Path.Combine(_project, "models"));

    public void Dispose() => Directory.Delete(_project, recursive: true);

    private (ConvertModelFiles Task, RecordingEngine Engine) Task(params string[] models)
    {
        var engine = new RecordingEngine();
        var task = new ConvertModelFiles
        {
            BuildEngine = engine,
            Models = models.Select(m => (ITaskItem)new TaskItem(Path.Combine(_project, m))).ToArray(),
            ProjectDirectory = _project,
            OutputDirectory = Path.Combine(_project, "obj", "cnngen"),
        };
        return (task, engine);
    }

    [Fact]
    public void A_model_becomes_its_text_form_and_its_weights_blob()
    {
        byte[] onnx = OnnxFiles.ReadRepositoryFile("tests/fixtures/LeNet5.onnx");
        File.WriteAllBytes(Path.Combine(_project, "models", "LeNet5.onnx"), onnx);
        var (task, engine) = Task("models/LeNet5.onnx");

        Assert.True(task.Execute(), string.Join("\n", engine.Errors));

        var expected = OnnxProtobuf.Read(onnx);
        var text = Assert.Single(task.TextFiles);
        Assert.Equal("models/LeNet5.onnx", text.GetMetadata("CnnGenModel"));
        var read = OnnxText.Read(File.ReadAllText(text.ItemSpec, Encoding.UTF8));
        Assert.Equal(expected.Model, read.Model);
        var blob = Assert.Single(task.Blobs);
        Assert.Equal(expected.Weights, File.ReadAllBytes(blob.ItemSpec));
        Assert.Equal(text.GetMetadata("CnnGenResource"), blob.GetMetadata("LogicalName"));
    }

    [Fact]
    public void An_unchanged_model_leaves_its_files_untouched()
    {
        File.WriteAllBytes(Path.Combine(_project, "models", "net.onnx"), OnnxFiles.ReadRepositoryFile("tests/fixtures/LeNet5.onnx"));
        var (first, _) = Task("models/net.onnx");
        Assert.True(first.Execute());
        string text = first.TextFiles[0].ItemSpec, blob = first.Blobs[0].ItemSpec;
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(text, stamp);
        File.SetLastWriteTimeUtc(blob, stamp);

        var (second, _) = Task("models/net.onnx");
        Assert.True(second.Execute());

        Assert.Equal(stamp, File.GetLastWriteTimeUtc(text));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(blob));
    }

    [Fact]
    public void Models_of_the_same_name_in_two_folders_get_files_of_their_own()
    {
        byte[] onnx = OnnxFiles.ReadRepositoryFile("tests/fixtures/LeNet5.onnx");
        Directory.CreateDirectory(Path.Combine(_project, "other"));
        File.WriteAllBytes(Path.Combine(_project, "models", "net.onnx"), onnx);
        File.WriteAllBytes(Path.Combine(_project, "other", "net.onnx"), onnx);
        var (task, _) = Task("models/net.onnx", "other/net.onnx");

        Assert.True(task.Execute());

        Assert.Equal(new[] { "models/net.onnx", "other/net.onnx" }, task.TextFiles.Select(t => t.GetMetadata("CnnGenModel")));
        Assert.Equal(2, task.TextFiles.Select(t => t.ItemSpec).Distinct().Count());
        Assert.Equal(2, task.Blobs.Select(t => t.GetMetadata("LogicalName")).Distinct().Count());
    }

    [Theory]
    [InlineData("not a model at all")]
    [InlineData("")]
    public void A_file_that_is_not_an_ONNX_model_is_an_error_on_it(string content)
    {
        File.WriteAllText(Path.Combine(_project, "models", "bad.onnx"), content);
        var (task, engine) = Task("models/bad.onnx");

        Assert.False(task.Execute());

        var error = Assert.Single(engine.ErrorEvents);
        Assert.Equal(("CNN0100", Path.Combine(_project, "models", "bad.onnx")), (error.Code, error.File));
        Assert.StartsWith("CnnGen cannot read this ONNX model: ", error.Message);
        Assert.Empty(task.TextFiles);
    }

    [Fact]
    public void A_missing_file_is_an_error_on_it()
    {
        var (task, engine) = Task("models/absent.onnx");

        Assert.False(task.Execute());

        Assert.StartsWith("CnnGen cannot read the model file: ", Assert.Single(engine.ErrorEvents).Message);
    }

    [Theory]
    [InlineData("/p/proj", "/p/proj/models/net.onnx", "models/net.onnx")]
    [InlineData("/p/proj/", "/p/proj/net.onnx", "net.onnx")]
    [InlineData("/p/proj", "/p/other/net.onnx", "/p/other/net.onnx")]
    [InlineData("/p/proj", "/p/project/net.onnx", "/p/project/net.onnx")]
    public void A_models_key_is_its_path_relative_to_the_project(string project, string path, string key)
    {
        if (Path.DirectorySeparatorChar == '\\') return; // the cases are written with Unix paths
        Assert.Equal(key, ConvertModelFiles.ModelKey(project, path));
    }

    /// <summary>An MSBuild engine that keeps what the task logs.</summary>
    private sealed class RecordingEngine : IBuildEngine
    {
        public List<BuildErrorEventArgs> ErrorEvents { get; } = new();

        public IEnumerable<string> Errors => ErrorEvents.Select(e => e.Message ?? "");

        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => "test.csproj";

        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => throw new NotSupportedException();
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public void LogErrorEvent(BuildErrorEventArgs e) => ErrorEvents.Add(e);
        public void LogMessageEvent(BuildMessageEventArgs e) { }
        public void LogWarningEvent(BuildWarningEventArgs e) { }
    }
}
