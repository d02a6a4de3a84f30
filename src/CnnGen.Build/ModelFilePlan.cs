using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace CnnGen.Build;

/// <summary>What a source file is: a network (.onnx) or weights (.safetensors).</summary>
internal enum ModelFileKind
{
    Onnx,
    Safetensors,
}

/// <summary>
/// Where one source file's outputs go and what the build calls them, computed from its path alone (no file is read).
/// The planning task (<see cref="PlanModelFiles"/>, every build) and the converter (<see cref="ConvertModelFiles"/>,
/// only for out-of-date files) both take their names from here, so MSBuild's up-to-date check and the files the
/// converter writes cannot disagree.
/// </summary>
internal sealed class ModelFilePlan
{
    private ModelFilePlan(ModelFileKind kind, string sourcePath, string key, string stem)
    {
        Kind = kind;
        SourcePath = sourcePath;
        Key = key;
        ResourceName = "CnnGen.Weights." + key;
        TextPath = stem + ".cnngen.txt";
        // an ONNX file's weights are cut out of it; a safetensors file is embedded as it is
        ResourcePath = kind == ModelFileKind.Onnx ? stem + ".weights" : sourcePath;
        StampPath = stem + ".stamp";
    }

    public ModelFileKind Kind { get; }

    /// <summary>The source file's full path.</summary>
    public string SourcePath { get; }

    /// <summary>The file's path relative to the project with '/' separators (<see cref="ConvertModelFiles.ModelKey"/>), as the attribute names it.</summary>
    public string Key { get; }

    /// <summary>The manifest resource name the generated code opens: "CnnGen.Weights." and the key.</summary>
    public string ResourceName { get; }

    /// <summary>The text form the generator reads: the graph (<c>OnnxText</c>) or the tensor list (<c>SafetensorsHeaderText</c>).</summary>
    public string TextPath { get; }

    /// <summary>The file embedded as <see cref="ResourceName"/>: the ONNX weights blob under obj/, or the safetensors file itself.</summary>
    public string ResourcePath { get; }

    /// <summary>
    /// Touched each time the file is converted, so MSBuild can tell it is up to date: the text and the blob are
    /// rewritten only when their content changes (so an unchanged model costs the compiler nothing) and may stay
    /// older than a touched model.
    /// </summary>
    public string StampPath { get; }

    /// <summary>The metadata naming the key on the text item: the generator tells models from weights by it.</summary>
    public string KeyMetadata => Kind == ModelFileKind.Onnx ? "CnnGenModel" : "CnnGenWeights";

    /// <summary>The plan for <paramref name="source"/>, or null and an error for a file that is neither .onnx nor .safetensors.</summary>
    public static ModelFilePlan? For(ITaskItem source, string projectDirectory, string outputDirectory, out string? error)
    {
        string path = source.GetMetadata("FullPath");
        string extension = Path.GetExtension(path);
        // MSBuild compares '%(Extension)' without case, so the targets hand over "NET.ONNX" too
        ModelFileKind kind;
        if (string.Equals(extension, ".onnx", StringComparison.OrdinalIgnoreCase)) kind = ModelFileKind.Onnx;
        else if (string.Equals(extension, ".safetensors", StringComparison.OrdinalIgnoreCase)) kind = ModelFileKind.Safetensors;
        else
        {
            error = $"CnnGen converts .onnx and .safetensors files, not '{extension}'";
            return null;
        }
        error = null;
        string key = ConvertModelFiles.ModelKey(projectDirectory, path);
        return new ModelFilePlan(kind, path, key, Path.Combine(outputDirectory, ConvertModelFiles.FileStem(key)));
    }

    /// <summary>The text form as an AdditionalFiles item: the key (CnnGenModel or CnnGenWeights) and CnnGenResource as metadata.</summary>
    public ITaskItem TextItem()
    {
        var item = new TaskItem(TextPath);
        item.SetMetadata(KeyMetadata, Key);
        item.SetMetadata("CnnGenResource", ResourceName);
        return item;
    }

    /// <summary>The file to embed as an EmbeddedResource item with its LogicalName.</summary>
    public ITaskItem ResourceItem()
    {
        var item = new TaskItem(ResourcePath);
        item.SetMetadata("LogicalName", ResourceName);
        return item;
    }

    /// <summary>The files the conversion writes (for FileWrites, so Clean removes them); never the user's safetensors file.</summary>
    public IEnumerable<string> Writes()
    {
        yield return TextPath;
        if (Kind == ModelFileKind.Onnx) yield return ResourcePath;
        yield return StampPath;
    }
}
