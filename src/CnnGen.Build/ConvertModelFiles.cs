using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using CnnGen.Onnx;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace CnnGen.Build;

/// <summary>
/// The build step before compilation that [OnnxModel] and [Weights] need: Roslyn gives a generator its additional
/// files only as text, and a binary .onnx or .safetensors file arrives garbled. For each .onnx file this writes the
/// graph's text form (<see cref="OnnxText"/>) and its large weights as a blob for the assembly to embed; for each
/// .safetensors file, the list of its tensors (<see cref="SafetensorsHeaderText"/>), the file itself being embedded
/// as it is. Files are rewritten only when their content changes, so an unchanged model costs the compiler and the
/// generator nothing; each converted file's stamp (<see cref="ModelFilePlan.StampPath"/>) is touched, so MSBuild can
/// skip the conversion next time (build/CnnGen.targets). Where the outputs go comes from <see cref="ModelFilePlan"/>.
/// </summary>
public sealed class ConvertModelFiles : Task
{
    /// <summary>The .onnx and .safetensors files, as the project lists them in AdditionalFiles.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The project's directory: a file's key is its path relative to it, as [OnnxModel("...")] names it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>Where the text forms, blobs and stamps go (under obj/).</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>The text forms of the files converted, with metadata CnnGenModel or CnnGenWeights (the file's key) and CnnGenResource (its resource name).</summary>
    [Output]
    public ITaskItem[] TextFiles { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>The files to embed (ONNX weights blobs, safetensors files), with metadata LogicalName (the manifest resource name the generated code opens).</summary>
    [Output]
    public ITaskItem[] Resources { get; private set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var texts = new List<ITaskItem>();
        var resources = new List<ITaskItem>();
        foreach (var item in Models)
        {
            var plan = ModelFilePlan.For(item, ProjectDirectory, OutputDirectory, out string? planError);
            if (plan is null)
            {
                Log.LogError(null, "CNN0100", null, item.GetMetadata("FullPath"), 0, 0, 0, 0, planError);
                continue;
            }
            if (!Convert(plan)) continue;
            texts.Add(plan.TextItem());
            resources.Add(plan.ResourceItem());
        }
        TextFiles = texts.ToArray();
        Resources = resources.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>Writes the plan's files; false, with an error on the file, when it cannot be read.</summary>
    private bool Convert(ModelFilePlan plan)
    {
        string path = plan.SourcePath;
        try
        {
            switch (plan.Kind)
            {
                case ModelFileKind.Onnx:
                    var read = OnnxProtobuf.Read(File.ReadAllBytes(path));
                    if (read.Model is null)
                    {
                        Log.LogError(null, "CNN0100", null, path, 0, 0, 0, 0, $"CnnGen cannot read this ONNX model: {read.Error}");
                        return false;
                    }
                    Directory.CreateDirectory(OutputDirectory);
                    WriteIfChanged(plan.TextPath, Encoding.UTF8.GetBytes(OnnxText.Write(read.Model)));
                    WriteIfChanged(plan.ResourcePath, read.Weights);
                    break;
                case ModelFileKind.Safetensors:
                    SafetensorsReadResult header;
                    // only the header is read: the data may be gigabytes, and it is embedded as it is
                    using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096))
                        header = SafetensorsHeaderReader.Read(file);
                    if (header.Header is null)
                    {
                        Log.LogError(null, "CNN0100", null, path, 0, 0, 0, 0, $"CnnGen cannot read this safetensors file: {header.Error}");
                        return false;
                    }
                    Directory.CreateDirectory(OutputDirectory);
                    WriteIfChanged(plan.TextPath, Encoding.UTF8.GetBytes(SafetensorsHeaderText.Write(header.Header)));
                    break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, "CNN0100", null, path, 0, 0, 0, 0, $"CnnGen cannot read the {(plan.Kind == ModelFileKind.Onnx ? "model" : "weights")} file: {e.Message}");
            return false;
        }
        Touch(plan.StampPath);
        return true;
    }

    /// <summary>The model's path relative to the project with '/' separators ("models/net.onnx", "../shared/net.onnx"; <see cref="ModelPaths.Key"/>), or its full path on another drive.</summary>
    public static string ModelKey(string projectDirectory, string fullPath) => ModelPaths.Key(Path.GetFullPath(projectDirectory), Path.GetFullPath(fullPath));

    /// <summary>A file name for a key: its last part, readable, and a hash of the whole, so that models of the same name in two folders never meet.</summary>
    public static string FileStem(string key)
    {
        string name = key.Substring(key.LastIndexOf('/') + 1);
        using var sha = SHA256.Create();
        byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(key));
        var hex = new StringBuilder(name.Length + 17).Append(name).Append('.');
        for (int i = 0; i < 8; i++) hex.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return hex.ToString();
    }

    /// <summary>Writes the bytes unless the file already holds exactly them: an unchanged file keeps its time stamp.</summary>
    private static void WriteIfChanged(string path, byte[] bytes)
    {
        if (File.Exists(path) && new FileInfo(path).Length == bytes.Length && Same(File.ReadAllBytes(path), bytes)) return;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Creates the empty stamp or moves its time stamp to now (rewriting an empty file need not change it).</summary>
    private static void Touch(string path)
    {
        if (!File.Exists(path)) File.WriteAllBytes(path, Array.Empty<byte>());
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
    }

    // no spans: the task runs in MSBuild on .NET Framework too, which need not have System.Memory
    private static bool Same(byte[] a, byte[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i]) return false;
        return true;
    }
}
