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
/// The build step before compilation that [OnnxModel] needs: Roslyn gives a generator its additional files only as
/// text, and a binary .onnx file arrives garbled. For each model file this writes the graph's text form
/// (<see cref="OnnxText"/>), which the generator reads as an additional file, and the large weights as a blob for
/// the assembly to embed as a manifest resource. Files are rewritten only when their content changes, so an
/// unchanged model costs the compiler and the generator nothing on an incremental build.
/// </summary>
public sealed class ConvertModelFiles : Task
{
    /// <summary>The .onnx files, as the project lists them in AdditionalFiles.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The project's directory: a model's key is its path relative to it, as [OnnxModel("...")] names it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>Where the text forms and blobs go (under obj/).</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>The text forms, with metadata CnnGenModel (the model's key) and CnnGenResource (its blob's resource name).</summary>
    [Output]
    public ITaskItem[] TextFiles { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>The weights blobs, with metadata LogicalName (the manifest resource name the generated code opens).</summary>
    [Output]
    public ITaskItem[] Blobs { get; private set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var texts = new List<ITaskItem>();
        var blobs = new List<ITaskItem>();
        foreach (var item in Models)
        {
            string path = item.GetMetadata("FullPath");
            string key = ModelKey(ProjectDirectory, path);
            byte[] file;
            try
            {
                file = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.LogError(null, "CNN0100", null, path, 0, 0, 0, 0, $"CnnGen cannot read the model file: {e.Message}");
                continue;
            }
            var read = OnnxProtobuf.Read(file);
            if (read.Model is null)
            {
                Log.LogError(null, "CNN0100", null, path, 0, 0, 0, 0, $"CnnGen cannot read this ONNX model: {read.Error}");
                continue;
            }
            string stem = Path.Combine(OutputDirectory, FileStem(key));
            string resource = "CnnGen.Weights." + key;
            Directory.CreateDirectory(OutputDirectory);
            WriteIfChanged(stem + ".cnngen.txt", Encoding.UTF8.GetBytes(OnnxText.Write(read.Model)));
            WriteIfChanged(stem + ".weights", read.Weights);
            var text = new TaskItem(stem + ".cnngen.txt");
            text.SetMetadata("CnnGenModel", key);
            text.SetMetadata("CnnGenResource", resource);
            texts.Add(text);
            var blob = new TaskItem(stem + ".weights");
            blob.SetMetadata("LogicalName", resource);
            blobs.Add(blob);
        }
        TextFiles = texts.ToArray();
        Blobs = blobs.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>The model's path relative to the project with '/' separators ("models/net.onnx"), or its full path outside the project.</summary>
    public static string ModelKey(string projectDirectory, string fullPath)
    {
        string root = Path.GetFullPath(projectDirectory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string full = Path.GetFullPath(fullPath);
        var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        string relative = full.StartsWith(root, comparison) ? full.Substring(root.Length) : full;
        return relative.Replace('\\', '/');
    }

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

    // no spans: the task runs in MSBuild on .NET Framework too, which need not have System.Memory
    private static bool Same(byte[] a, byte[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i]) return false;
        return true;
    }
}
