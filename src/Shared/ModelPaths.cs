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
        string file = path.Replace('\\', '/'), project = projectDirectory.Replace('\\', '/');
        if (project.Length == 0) return string.Join("/", Resolve(file));
        if (!IsRooted(file)) file = project.TrimEnd('/') + "/" + file;
        var target = Resolve(file);
        var root = Resolve(project);
        // Windows paths compare without case, as its file systems do
        var comparison = LooksLikeWindows(project) || LooksLikeWindows(file) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (target.Count == 0 || root.Count == 0 || !string.Equals(target[0], root[0], comparison)) return string.Join("/", target);
        int common = 1;
        while (common < target.Count && common < root.Count && string.Equals(target[common], root[common], comparison)) common++;
        var parts = new List<string>();
        for (int i = common; i < root.Count; i++) parts.Add("..");
        for (int i = common; i < target.Count; i++) parts.Add(target[i]);
        return string.Join("/", parts);
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
    public static bool IsRooted(string path) => path.StartsWith("/", StringComparison.Ordinal) || (path.Length >= 2 && path[1] == ':' && char.IsLetter(path[0]));

    private static bool LooksLikeWindows(string path) => path.Length >= 2 && path[1] == ':' && char.IsLetter(path[0]);
}
