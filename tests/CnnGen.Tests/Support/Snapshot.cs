using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace CnnGen.Tests.Support;

/// <summary>
/// A small stand-in for Verify (not on this machine's package mirror), with Verify's file names:
/// the text is compared with <c>{Class}.{Test}#{Hint}.verified.{ext}</c> in the calling test's source
/// directory. On a difference the test fails, <c>.received.{ext}</c> is written beside it (git-ignored)
/// and the failure message holds a unified diff. With CNNGEN_ACCEPT=1 the received text becomes the
/// verified file instead, so accepting a deliberate change is one run and a git diff to review.
/// </summary>
public static partial class Snapshot
{
    public const string AcceptVariable = "CNNGEN_ACCEPT";

    /// <summary>Compares <paramref name="text"/> with the verified file named <paramref name="name"/> beside the calling source file.</summary>
    /// <param name="name">Verify's file name without ".verified.ext": "SnapshotTests.LeNet5#Fixtures.LeNet5.g".</param>
    /// <param name="extension">"cs" for generated code, "txt" for diagnostics.</param>
    public static void Verify(string text, string name, string extension, [CallerFilePath] string callerFile = "")
    {
        bool accept = Environment.GetEnvironmentVariable(AcceptVariable) == "1";
        Verify(text, Path.GetDirectoryName(callerFile)!, name, extension, accept);
    }

    /// <summary>The comparison itself, with the directory and the accept switch explicit so the mechanism can be tested.</summary>
    public static void Verify(string text, string directory, string name, string extension, bool accept)
    {
        string received = Normalize(text);
        string verifiedPath = Path.Combine(directory, $"{name}.verified.{extension}");
        string receivedPath = Path.Combine(directory, $"{name}.received.{extension}");
        string? verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;

        if (verified == received)
        {
            File.Delete(receivedPath); // a stale one from an earlier failure would mislead
            return;
        }

        if (accept)
        {
            File.WriteAllText(verifiedPath, received);
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        string how = $"Review {Path.GetFileName(receivedPath)}; to accept it, run the tests again with {AcceptVariable}=1.";
        if (verified is null)
            throw new XunitException($"No verified snapshot {verifiedPath} yet. {how}");
        throw new XunitException($"The snapshot {Path.GetFileName(verifiedPath)} differs. {how}\n"
            + UnifiedDiff(verified, received, Path.GetFileName(verifiedPath), Path.GetFileName(receivedPath)));
    }

    /// <summary>
    /// Line endings become "\n" (the verified files are eol=lf in .gitattributes) and the generator's
    /// own version is scrubbed, so a snapshot changes with what is emitted, not with the build number.
    /// </summary>
    public static string Normalize(string text) =>
        GeneratedCodeVersion().Replace(text.Replace("\r\n", "\n"), "GeneratedCode(\"CnnGen\", \"{version}\")");

    [GeneratedRegex("GeneratedCode\\(\"CnnGen\", \"[^\"]*\"\\)")]
    private static partial Regex GeneratedCodeVersion();

    /// <summary>A unified diff (3 lines of context) of two texts, as <c>diff -u</c> prints it.</summary>
    public static string UnifiedDiff(string before, string after, string beforeName, string afterName)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        var edits = Edits(a, b);
        var text = new StringBuilder();
        text.Append("--- ").Append(beforeName).Append('\n');
        text.Append("+++ ").Append(afterName).Append('\n');
        const int Context = 3;
        int i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Kind == ' ') { i++; continue; }
            // a hunk: from Context lines before this change to Context lines after the last change within reach
            int start = Math.Max(0, i - Context);
            int end = i;
            while (true)
            {
                int next = end + 1;
                while (next < edits.Count && edits[next].Kind == ' ') next++;
                if (next < edits.Count && next - end - 1 <= 2 * Context) end = next;
                else break;
            }
            int stop = Math.Min(edits.Count, end + Context + 1);
            int aStart = 0, bStart = 0;
            for (int k = 0; k < start; k++)
            {
                if (edits[k].Kind != '+') aStart++;
                if (edits[k].Kind != '-') bStart++;
            }
            int aCount = 0, bCount = 0;
            for (int k = start; k < stop; k++)
            {
                if (edits[k].Kind != '+') aCount++;
                if (edits[k].Kind != '-') bCount++;
            }
            text.Append($"@@ -{aStart + 1},{aCount} +{bStart + 1},{bCount} @@\n");
            for (int k = start; k < stop; k++) text.Append(edits[k].Kind).Append(edits[k].Line).Append('\n');
            i = stop;
        }
        return text.ToString();
    }

    /// <summary>The lines of both texts in order, each marked ' ' (both), '-' (only before) or '+' (only after), by longest common subsequence.</summary>
    private static List<(char Kind, string Line)> Edits(string[] a, string[] b)
    {
        // the common head and tail need no table; generated files usually differ in a few lines
        int head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head]) head++;
        int tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[a.Length - 1 - tail] == b[b.Length - 1 - tail]) tail++;
        int n = a.Length - head - tail, m = b.Length - head - tail;

        var edits = new List<(char, string)>();
        for (int k = 0; k < head; k++) edits.Add((' ', a[k]));
        if ((long)n * m > 25_000_000)
        {
            // too large a middle for the table: show it as replaced wholesale
            for (int k = 0; k < n; k++) edits.Add(('-', a[head + k]));
            for (int k = 0; k < m; k++) edits.Add(('+', b[head + k]));
        }
        else
        {
            // common[x, y]: length of the longest common subsequence of a's middle from x and b's middle from y
            var common = new int[n + 1, m + 1];
            for (int x = n - 1; x >= 0; x--)
                for (int y = m - 1; y >= 0; y--)
                    common[x, y] = a[head + x] == b[head + y] ? common[x + 1, y + 1] + 1 : Math.Max(common[x + 1, y], common[x, y + 1]);
            int p = 0, q = 0;
            while (p < n || q < m)
            {
                if (p < n && q < m && a[head + p] == b[head + q]) { edits.Add((' ', a[head + p])); p++; q++; }
                else if (p < n && (q == m || common[p + 1, q] >= common[p, q + 1])) { edits.Add(('-', a[head + p])); p++; }
                else { edits.Add(('+', b[head + q])); q++; }
            }
        }
        for (int k = a.Length - tail; k < a.Length; k++) edits.Add((' ', a[k]));
        return edits;
    }
}
