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
        var groups = files.GroupBy(f => f.HintName, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        return files.Select(f => groups[f.HintName] == 1 ? f : f with { HintName = WithHash(f.HintName) }).ToImmutableArray();
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
