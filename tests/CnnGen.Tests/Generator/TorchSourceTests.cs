using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using CnnGen.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Generator;

/// <summary>
/// Every fixture network's TorchSource, run by Debian's python3-torch (tests/torch/check_torch_source.py):
/// it imports with torch alone, its state_dict has the network's keys, shapes and order, and loaded
/// with the fixture's parameters its forward gives PyTorch's expected outputs. Skipped, saying so,
/// where python3-torch is not installed.
/// </summary>
public class TorchSourceTests
{
    private readonly ITestOutputHelper _output;

    public TorchSourceTests(ITestOutputHelper output) => _output = output;

    /// <summary>The generated networks of the fixtures compiled into this assembly, with the folder of their files.</summary>
    private static IEnumerable<(Type Type, string? Folder)> FixtureNetworks() =>
        typeof(TorchSourceTests).Assembly.GetTypes()
            .Where(t => typeof(INetwork).IsAssignableFrom(t) && !t.IsAbstract && t.Namespace is "Fixtures" or "Fixtures.Layers" or "Fixtures.Blocks" or "Fixtures.Sequences" or "Fixtures.Upsampling" or "Fixtures.Channels")
            .Select(t => (t, t.Namespace switch { "Fixtures.Layers" => (string?)"layers", "Fixtures.Blocks" => "blocks", "Fixtures.Sequences" => "sequences", "Fixtures.Upsampling" => "upsampling", "Fixtures.Channels" => "channels", _ => null }))
            .OrderBy(p => p.t.FullName, StringComparer.Ordinal);

    private static string TorchSourceOf(Type type) =>
        (string)type.GetField("TorchSource", BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;

    [Fact]
    public void Every_generated_network_has_a_TorchSource_defining_its_class()
    {
        var networks = FixtureNetworks().ToList();
        Assert.True(networks.Count > 60, $"only {networks.Count} fixture networks found");
        foreach (var (type, _) in networks)
        {
            string source = TorchSourceOf(type);
            Assert.Contains("import torch\n", source);
            Assert.Contains($"\nclass {type.Name}(Sequential):\n", source);
            Assert.DoesNotContain("\r", source);
        }
    }

    [Fact]
    public void The_helpers_in_TorchSource_are_python_cnngen_py_as_it_is()
    {
        var helpers = File.ReadAllText(Path.Combine(RepositoryRoot(), "python", "cnngen.py")).Replace("\r\n", "\n");
        Assert.StartsWith(helpers, TorchSourceOf(typeof(Fixtures.Blocks.ResNet8)));
    }

    [TorchFact]
    public void TorchSource_has_the_networks_state_dict_and_computes_its_outputs_in_PyTorch()
    {
        var directory = Directory.CreateTempSubdirectory("cnngen-torchsource-");
        try
        {
            var cases = new List<Dictionary<string, object>>();
            foreach (var (type, folder) in FixtureNetworks())
            {
                var net = (INetwork)Activator.CreateInstance(type)!;
                // the folders share class names (LogSoftmaxChannels in 2D and in 1D)
                string file = Path.Combine(directory.FullName, type.FullName!.Replace('.', '_') + ".py");
                File.WriteAllText(file, TorchSourceOf(type));
                var entry = new Dictionary<string, object>
                {
                    ["name"] = type.FullName!,
                    ["source"] = file,
                    ["class"] = type.Name,
                    ["parameters"] = net.Spec.Parameters.Select(p => new object[] { p.Name, p.Shape }).ToArray(),
                };
                string parameters = FixtureFiles.PathOf(type.Name + ".params.f32", folder);
                if (File.Exists(parameters))
                {
                    entry["params"] = parameters;
                    entry["input"] = FixtureFiles.PathOf(type.Name + ".input.f32", folder);
                    entry["expected"] = FixtureFiles.PathOf(type.Name + ".expected.f32", folder);
                    entry["input_shape"] = net.Spec.InputShape;
                }
                cases.Add(entry);
            }
            string manifest = Path.Combine(directory.FullName, "cases.json");
            File.WriteAllText(manifest, JsonSerializer.Serialize(cases));

            var (exitCode, output) = TorchFactAttribute.RunPython(Path.Combine(RepositoryRoot(), "tests", "torch", "check_torch_source.py"), manifest);

            _output.WriteLine(output);
            Assert.True(exitCode == 0, output);
            Assert.Equal(cases.Count, output.Split('\n').Count(l => l.Contains(" tensors", StringComparison.Ordinal)));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}

/// <summary>A fact that needs Debian's python3-torch; skipped with that reason where it is not installed.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            return RunPython("-c", "import torch, numpy").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public TorchFactAttribute()
    {
        if (!Available.Value) Skip = $"needs PyTorch: {Python} cannot import torch (apt-get install python3-torch)";
    }

    public static (int ExitCode, string Output) RunPython(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
