using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Build;
using CnnGen.Onnx;
using CnnGen.Tests.Build;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Xunit;

namespace CnnGen.Tests.Onnx;

/// <summary>
/// The build task before compilation: each .onnx file becomes its text form (what the generator reads) and its
/// weights blob (what the assembly embeds), each .safetensors file the list of its tensors (the file itself is
/// embedded), rewritten only when they change; an unreadable file is a build error on it. The planning task names
/// the same files without reading any.
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
        var blob = Assert.Single(task.Resources);
        Assert.Equal(expected.Weights, File.ReadAllBytes(blob.ItemSpec));
        Assert.Equal(text.GetMetadata("CnnGenResource"), blob.GetMetadata("LogicalName"));
    }

    [Fact]
    public void An_unchanged_model_leaves_its_files_untouched()
    {
        File.WriteAllBytes(Path.Combine(_project, "models", "net.onnx"), OnnxFiles.ReadRepositoryFile("tests/fixtures/LeNet5.onnx"));
        var (first, _) = Task("models/net.onnx");
        Assert.True(first.Execute());
        string text = first.TextFiles[0].ItemSpec, blob = first.Resources[0].ItemSpec;
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
        Assert.Equal(2, task.Resources.Select(t => t.GetMetadata("LogicalName")).Distinct().Count());
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

    [Fact]
    public void A_safetensors_file_becomes_the_list_of_its_tensors_and_is_embedded_as_it_is()
    {
        byte[] file = SafetensorsFiles.Of(("0.weight", new long[] { 2, 1, 3, 3 }), ("0.bias", new long[] { 2 }));
        string path = Path.Combine(_project, "models", "net.safetensors");
        File.WriteAllBytes(path, file);
        var (task, engine) = Task("models/net.safetensors");

        Assert.True(task.Execute(), string.Join("\n", engine.Errors));

        var text = Assert.Single(task.TextFiles);
        Assert.Equal("models/net.safetensors", text.GetMetadata("CnnGenWeights"));
        Assert.Equal("", text.GetMetadata("CnnGenModel"));
        Assert.Equal("CnnGen.Weights.models/net.safetensors", text.GetMetadata("CnnGenResource"));
        Assert.Equal(Path.Combine(_project, "obj", "cnngen"), Path.GetDirectoryName(text.ItemSpec));
        Assert.Matches(@"^net\.safetensors\.[0-9a-f]{16}\.cnngen\.txt$", Path.GetFileName(text.ItemSpec));
        Assert.Equal("cnngen-safetensors 1\ntensor 0.weight F32 4 2 1 3 3\ntensor 0.bias F32 1 2\nend\n", File.ReadAllText(text.ItemSpec, Encoding.UTF8));
        var resource = Assert.Single(task.Resources);
        Assert.Equal(path, resource.ItemSpec);
        Assert.Equal("CnnGen.Weights.models/net.safetensors", resource.GetMetadata("LogicalName"));
        // nothing but the text and the stamp is written: the data is embedded from the user's file
        Assert.Equal(
            new[] { Path.GetFileName(text.ItemSpec), Path.GetFileName(text.ItemSpec).Replace(".cnngen.txt", ".stamp") },
            Directory.GetFiles(Path.Combine(_project, "obj", "cnngen")).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(file, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_model_and_its_weights_of_the_same_name_get_files_and_resources_of_their_own()
    {
        File.WriteAllBytes(Path.Combine(_project, "models", "net.onnx"), OnnxFiles.ReadRepositoryFile("tests/fixtures/LeNet5.onnx"));
        File.WriteAllBytes(Path.Combine(_project, "models", "net.safetensors"), SafetensorsFiles.Of(("w", new long[] { 1 })));
        var (task, engine) = Task("models/net.onnx", "models/net.safetensors");

        Assert.True(task.Execute(), string.Join("\n", engine.Errors));

        Assert.Equal(2, task.TextFiles.Select(t => t.ItemSpec).Distinct().Count());
        Assert.Equal(new[] { "CnnGen.Weights.models/net.onnx", "CnnGen.Weights.models/net.safetensors" }, task.Resources.Select(r => r.GetMetadata("LogicalName")));
    }

    [Fact]
    public void An_unchanged_safetensors_file_leaves_its_text_untouched_and_moves_its_stamp()
    {
        string path = Path.Combine(_project, "models", "net.safetensors");
        File.WriteAllBytes(path, SafetensorsFiles.Of(("w", new long[] { 3 })));
        var (first, _) = Task("models/net.safetensors");
        Assert.True(first.Execute());
        string text = first.TextFiles[0].ItemSpec, stamp = text.Replace(".cnngen.txt", ".stamp");
        var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(text, old);
        File.SetLastWriteTimeUtc(stamp, old);

        var (second, _) = Task("models/net.safetensors");
        Assert.True(second.Execute());
        Assert.Equal(old, File.GetLastWriteTimeUtc(text));
        Assert.True(File.GetLastWriteTimeUtc(stamp) > old.AddYears(20));

        // new content: the text changes with it
        File.WriteAllBytes(path, SafetensorsFiles.Of(("w", new long[] { 3 }), ("b", new long[] { 1 })));
        var (third, _) = Task("models/net.safetensors");
        Assert.True(third.Execute());
        Assert.Contains("tensor b F32 1 1\n", File.ReadAllText(text));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "CnnGen cannot read this safetensors file: the file is 3 bytes long")]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x' }, "CnnGen cannot read this safetensors file: expected a key in quotes")]
    public void A_file_that_is_not_safetensors_is_an_error_on_it_and_gets_no_stamp(byte[] content, string message)
    {
        string path = Path.Combine(_project, "models", "bad.safetensors");
        File.WriteAllBytes(path, content);
        var (task, engine) = Task("models/bad.safetensors");

        Assert.False(task.Execute());

        var error = Assert.Single(engine.ErrorEvents);
        Assert.Equal(("CNN0100", path), (error.Code, error.File));
        Assert.StartsWith(message, error.Message);
        Assert.Empty(task.TextFiles);
        Assert.Empty(task.Resources);
        Assert.False(Directory.Exists(Path.Combine(_project, "obj", "cnngen")) && Directory.GetFiles(Path.Combine(_project, "obj", "cnngen")).Length > 0);
    }

    [Fact]
    public void One_bad_file_does_not_stop_the_others()
    {
        File.WriteAllText(Path.Combine(_project, "models", "bad.safetensors"), "nope");
        File.WriteAllBytes(Path.Combine(_project, "models", "good.safetensors"), SafetensorsFiles.Of(("w", new long[] { 1 })));
        var (task, engine) = Task("models/bad.safetensors", "models/good.safetensors");

        Assert.False(task.Execute());

        Assert.Single(engine.ErrorEvents);
        Assert.Equal("models/good.safetensors", Assert.Single(task.TextFiles).GetMetadata("CnnGenWeights"));
        Assert.True(File.Exists(task.TextFiles[0].ItemSpec.Replace(".cnngen.txt", ".stamp")));
    }

    [Fact]
    public void A_missing_safetensors_file_is_an_error_on_it()
    {
        var (task, engine) = Task("models/absent.safetensors");

        Assert.False(task.Execute());

        Assert.StartsWith("CnnGen cannot read the weights file: ", Assert.Single(engine.ErrorEvents).Message);
    }

    [Fact]
    public void A_file_of_another_kind_is_an_error_on_it()
    {
        File.WriteAllText(Path.Combine(_project, "models", "net.pt"), "");
        var (task, engine) = Task("models/net.pt");

        Assert.False(task.Execute());

        Assert.Equal("CnnGen converts .onnx and .safetensors files, not '.pt'", Assert.Single(engine.ErrorEvents).Message);
    }

    [Fact]
    public void The_plan_names_what_the_converter_writes_without_reading_a_file()
    {
        string[] models = { "models/net.onnx", "models/net.safetensors", "other/NET.ONNX" };
        var engine = new RecordingEngine();
        var plan = new PlanModelFiles
        {
            BuildEngine = engine,
            Models = models.Select(m => (ITaskItem)new TaskItem(Path.Combine(_project, m))).ToArray(),
            ProjectDirectory = _project,
            OutputDirectory = Path.Combine(_project, "obj", "cnngen"),
        };

        // none of the files exists yet
        Assert.True(plan.Execute(), string.Join("\n", engine.Errors));

        // nothing converted yet: each file's missing text form makes it out of date
        Assert.Equal(plan.TextFiles.Select(t => t.ItemSpec), plan.Planned.Select(p => p.GetMetadata("CnnGenUpToDate")));
        Assert.Equal(models.Select(m => Path.Combine(_project, m)), plan.Planned.Select(p => p.ItemSpec));
        Assert.Equal(8, plan.Writes.Length); // text and stamp each, and the two ONNX blobs
        Assert.DoesNotContain(plan.Writes, w => w.ItemSpec.EndsWith(".safetensors", StringComparison.Ordinal));

        byte[] onnx = OnnxFiles.ReadRepositoryFile("tests/fixtures/LeNet5.onnx");
        Directory.CreateDirectory(Path.Combine(_project, "other"));
        File.WriteAllBytes(Path.Combine(_project, "models", "net.onnx"), onnx);
        File.WriteAllBytes(Path.Combine(_project, "other", "NET.ONNX"), onnx);
        File.WriteAllBytes(Path.Combine(_project, "models", "net.safetensors"), SafetensorsFiles.Of(("w", new long[] { 1 })));
        var (task, taskEngine) = Task(models);
        Assert.True(task.Execute(), string.Join("\n", taskEngine.Errors));

        Assert.Equal(Describe(plan.TextFiles), Describe(task.TextFiles));
        Assert.Equal(Describe(plan.Resources), Describe(task.Resources));
        Assert.All(plan.Writes, w => Assert.True(File.Exists(w.ItemSpec), w.ItemSpec + " was not written"));
        Assert.Equal(8, Directory.GetFiles(Path.Combine(_project, "obj", "cnngen")).Length);

        // converted: the stamps say whether each is up to date, until a text form goes missing
        Assert.True(plan.Execute());
        Assert.All(plan.Planned, p => Assert.EndsWith(".stamp", p.GetMetadata("CnnGenUpToDate"), StringComparison.Ordinal));
        File.Delete(plan.TextFiles[1].ItemSpec);
        File.Delete(task.Resources[2].ItemSpec);
        Assert.True(plan.Execute());
        Assert.Equal(new[] { "stamp", "txt", "weights" }, plan.Planned.Select(p => Path.GetExtension(p.GetMetadata("CnnGenUpToDate")).TrimStart('.')));
    }

    private static string[] Describe(ITaskItem[] items) =>
        items.Select(i => i.ItemSpec + " " + string.Join(" ", i.MetadataNames.Cast<string>().Where(n => n.StartsWith("CnnGen", StringComparison.Ordinal) || n == "LogicalName")
            .OrderBy(n => n, StringComparer.Ordinal).Select(n => n + "=" + i.GetMetadata(n)))).ToArray();

    [Theory]
    [InlineData("/p/proj", "/p/proj/models/net.onnx", "models/net.onnx")]
    [InlineData("/p/proj/", "/p/proj/net.onnx", "net.onnx")]
    [InlineData("/p/proj", "/p/other/net.onnx", "../other/net.onnx")]
    [InlineData("/p/proj", "/p/project/net.onnx", "../project/net.onnx")]
    [InlineData("/p/proj/app", "/p/proj/app/../../shared/models/./net.onnx", "../../shared/models/net.onnx")]
    [InlineData("/p/proj", "/net.onnx", "../../net.onnx")]
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
