using System;
using System.Collections.Generic;

namespace CnnGen;

/// <summary>
/// How a model or weights file is named between the build step and the generator: its path relative to the project
/// directory, parts joined by '/', "." and ".." resolved, so that [OnnxModel("models/net.onnx")] and
/// [OnnxModel("../shared/net.onnx")] name what AdditionalFiles lists however it spells the path. Pure string work (the
/// generator may not touch the file system); a file on another drive than the project keeps its full path.
/// </summary>
internal static class ModelPaths
{
    /// <summary>The key of <paramref name="path"/> (full, or relative to the project) for a project in <paramref name="projectDirectory"/> (empty when unknown: the path as it is, resolved).</summary>
    public static string Key(string projectDirectory, string path)
    {
        string project = projectDirectory.Replace('\\', '/');
        var target = Resolved(project, path);
        if (project.Length == 0) return string.Join("/", target);
        var root = Resolve(project);
        // Windows paths compare without case, as its file systems do
        var comparison = HasDrive(project) || (target.Count > 0 && HasDrive(target[0])) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (target.Count == 0 || root.Count == 0 || !string.Equals(target[0], root[0], comparison)) return string.Join("/", target);
        int common = 1;
        while (common < target.Count && common < root.Count && string.Equals(target[common], root[common], comparison)) common++;
        var parts = new List<string>();
        for (int i = common; i < root.Count; i++) parts.Add("..");
        for (int i = common; i < target.Count; i++) parts.Add(target[i]);
        return string.Join("/", parts);
    }

    /// <summary>
    /// The full path of <paramref name="path"/> (full, or relative to the project) with '/' separators and "." and ".."
    /// resolved; relative still where the project's directory is unknown (empty).
    /// </summary>
    public static string Full(string projectDirectory, string path) => string.Join("/", Resolved(projectDirectory.Replace('\\', '/'), path));

    /// <summary>The parts of <paramref name="path"/>, taken relative to <paramref name="project"/> ('/' separators) unless it is full or the project is unknown.</summary>
    private static List<string> Resolved(string project, string path)
    {
        string file = path.Replace('\\', '/');
        if (project.Length > 0 && !IsRooted(file)) file = project.TrimEnd('/') + "/" + file;
        return Resolve(file);
    }

    /// <summary>A path's parts with "." dropped and each ".." taking the part before it; a rooted path's first part is its root ("" for '/', "C:" for a drive), which ".." never passes.</summary>
    private static List<string> Resolve(string path)
    {
        bool rooted = IsRooted(path);
        var parts = new List<string>();
        string[] pieces = path.Split('/');
        int start = 0;
        if (rooted)
        {
            parts.Add(pieces[0]);
            start = 1;
        }
        for (int i = start; i < pieces.Length; i++)
        {
            string piece = pieces[i];
            if (piece.Length == 0 || piece == ".") continue;
            if (piece == "..")
            {
                if (parts.Count > (rooted ? 1 : 0) && parts[parts.Count - 1] != "..") parts.RemoveAt(parts.Count - 1);
                else if (!rooted) parts.Add("..");
                continue;
            }
            parts.Add(piece);
        }
        return parts;
    }

    /// <summary>"/..." or "C:/...": a full path, with '/' separators already.</summary>
    private static bool IsRooted(string path) => path.StartsWith("/", StringComparison.Ordinal) || HasDrive(path);

    /// <summary>"C:...": a Windows path, whose file systems compare names without case.</summary>
    private static bool HasDrive(string path) => path.Length >= 2 && path[1] == ':' && char.IsLetter(path[0]);
}
