using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.Build.Framework;

namespace CnnGen.Build;

/// <summary>
/// The cheap half of the build step, run on every build: names each .onnx and .safetensors file's outputs without
/// reading any file, so that build/CnnGen.targets can add them to AdditionalFiles and EmbeddedResource whether or not
/// <see cref="ConvertModelFiles"/> runs, and can give MSBuild the Inputs and Outputs that let it skip the conversion
/// of files that have not changed. The names come from <see cref="ModelFilePlan"/>, as the converter's do.
/// </summary>
public sealed class PlanModelFiles : Microsoft.Build.Utilities.Task
{
    /// <summary>The .onnx and .safetensors files, as the project lists them in AdditionalFiles.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The project's directory: a file's key is its path relative to it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>Where the converter puts the text forms, blobs and stamps.</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>
    /// The models, each with metadata CnnGenUpToDate: the file whose time stamp tells MSBuild the conversion is up
    /// to date, that is its stamp, unless its text form or blob is missing (deleted by hand), then that missing file,
    /// so the conversion runs again.
    /// </summary>
    [Output]
    public ITaskItem[] Planned { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>The text forms, as <see cref="ConvertModelFiles.TextFiles"/> gives them.</summary>
    [Output]
    public ITaskItem[] TextFiles { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>The files to embed, as <see cref="ConvertModelFiles.Resources"/> gives them.</summary>
    [Output]
    public ITaskItem[] Resources { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>Every file the converter writes (text forms, ONNX blobs, stamps), for FileWrites.</summary>
    [Output]
    public ITaskItem[] Writes { get; private set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var planned = new List<ITaskItem>();
        var texts = new List<ITaskItem>();
        var resources = new List<ITaskItem>();
        var writes = new List<ITaskItem>();
        foreach (var item in Models)
        {
            var plan = ModelFilePlan.For(item, ProjectDirectory, OutputDirectory, out string? error);
            if (plan is null)
            {
                Log.LogError(null, "CNN0100", null, item.GetMetadata("FullPath"), 0, 0, 0, 0, error);
                continue;
            }
            var source = new Microsoft.Build.Utilities.TaskItem(item);
            string upToDate = !File.Exists(plan.TextPath) ? plan.TextPath
                : !File.Exists(plan.ResourcePath) ? plan.ResourcePath
                : plan.StampPath;
            source.SetMetadata("CnnGenUpToDate", upToDate);
            planned.Add(source);
            texts.Add(plan.TextItem());
            resources.Add(plan.ResourceItem());
            foreach (string path in plan.Writes()) writes.Add(new Microsoft.Build.Utilities.TaskItem(path));
        }
        Planned = planned.ToArray();
        TextFiles = texts.ToArray();
        Resources = resources.ToArray();
        Writes = writes.ToArray();
        return !Log.HasLoggedErrors;
    }
}
