using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Support;

/// <summary>The dotnet CLI as the package tests run it: a fresh environment free of the test host's MSBuild settings, a time limit, the output kept.</summary>
internal static class DotnetCommand
{
    /// <summary>The xunit collection of the tests that pack the repository: they must not build it at the same time.</summary>
    public const string PackingCollection = "Packing the repository";

    /// <summary>Runs dotnet with a time limit; a non-zero exit fails the test with the end of what it printed.</summary>
    public static string Run(ITestOutputHelper log, TimeSpan timeout, string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        // the test host runs under `dotnet test`: its MSBuild settings must not steer these builds
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var text = new StringBuilder();
        using var outDone = new ManualResetEventSlim();
        using var errDone = new ManualResetEventSlim();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is null) outDone.Set(); else lock (text) text.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is null) errDone.Set(); else lock (text) text.AppendLine(e.Data); };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string command = "dotnet " + string.Join(" ", args) + " (in " + directory + ")";
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not finish in {timeout.TotalMinutes} minutes:\n{Tail(Snapshot(text))}");
        }
        // a process that outlives dotnet (a build server) may hold the pipes open: do not wait for it forever
        outDone.Wait(TimeSpan.FromSeconds(10));
        errDone.Wait(TimeSpan.FromSeconds(10));
        string output = Snapshot(text);
        log.WriteLine($"$ {command}: exit {process.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(process.ExitCode == 0, $"{command} exited with {process.ExitCode}:\n{Tail(output)}");
        return output;
    }

    private static string Snapshot(StringBuilder text)
    {
        lock (text) return text.ToString();
    }

    /// <summary>The last 20,000 characters: a failed build's log can be long, its end says why.</summary>
    private static string Tail(string output) => output.Length > 20000 ? output.Substring(output.Length - 20000) : output;
}
