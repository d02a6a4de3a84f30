using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using CnnGen.Generator.Model;

namespace CnnGen.Generator;

/// <summary>
/// Roslyn requires a generator's hint names to differ ignoring case; C# names may differ in case
/// alone (Net and NET, Foo.Net and foo.Net). Each file of such a group gets a hash of its exact name
/// appended; every other file keeps its name.
/// </summary>
internal static class HintNames
{
    public static ImmutableArray<GeneratedFile> Unique(ImmutableArray<GeneratedFile> files)
    {
        // one class reached by two pipelines (its layers on two partial declarations) gives the same file twice
        var distinct = files.Distinct().ToList();
        var groups = distinct.GroupBy(f => f.HintName, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        var renamed = distinct.Select(f => groups[f.HintName] == 1 ? f : f with { HintName = WithHash(f.HintName) }).ToList();
        // two different files under one exact name would be the generator's failure (CS8785): never, but numbered rather than lost
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < renamed.Count; i++)
        {
            string name = renamed[i].HintName;
            for (int n = 2; !taken.Add(name); n++) name = renamed[i].HintName.Replace(".g.cs", "-" + n.ToString(CultureInfo.InvariantCulture) + ".g.cs");
            renamed[i] = renamed[i] with { HintName = name };
        }
        return renamed.ToImmutableArray();
    }

    /// <summary>"Foo.Net.g.cs" becomes "Foo.Net-1a2b3c4d.g.cs": FNV-1a of the exact name, and a "-", which no C# name holds.</summary>
    private static string WithHash(string hintName)
    {
        const string suffix = ".g.cs";
        string stem = hintName.EndsWith(suffix, StringComparison.Ordinal) ? hintName.Substring(0, hintName.Length - suffix.Length) : hintName;
        uint hash = 2166136261;
        foreach (char c in stem)
        {
            hash = (hash ^ c) * 16777619;
        }
        return stem + "-" + hash.ToString("x8", CultureInfo.InvariantCulture) + suffix;
    }
}
