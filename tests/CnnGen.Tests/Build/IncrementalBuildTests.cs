using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using CnnGen.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Build;

/// <summary>
/// The package's build step in a real `dotnet build` of a fresh consumer, built again and again: with its .onnx and
/// .safetensors files unchanged, MSBuild skips the conversion (and the compiler with it); a touched or changed file is
/// converted again, alone; a text form deleted by hand comes back. Packs the package like PackageTests, so it is in
/// the Package category.
/// </summary>
// both pack src/CnnGen in Release: run one at a time, or the two builds race on the same obj/ folders
[Collection(DotnetCommand.PackingCollection)]
public sealed class IncrementalBuildTests
{
    private const string Convert = "_CnnGenConvertModelFiles";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    private readonly ITestOutputHelper _output;

    public IncrementalBuildTests(ITestOutputHelper output) => _output = output;

    [Fact]
    [Trait("Category", "Package")]
    public void An_unchanged_model_is_not_converted_again_and_a_changed_one_alone_is()
    {
        string repo = RepositoryRoot();
        string work = Path.Combine(Path.GetTempPath(), "cnngen-incremental-" + Guid.NewGuid().ToString("N"));
        string consumer = Path.Combine(work, "consumer");
        string version = "0.0.0-test." + DateTime.UtcNow.Ticks;
        bool passed = false;
        try
        {
            Run(repo, "pack", Path.Combine(repo, "src", "CnnGen"), "-c", "Release", "-o", Path.Combine(work, "pkgs"), "-p:Version=" + version, "-nodeReuse:false");
            WriteConsumer(consumer, Path.Combine(work, "pkgs"), Path.Combine(work, "cache"), version);
            string onnx = Path.Combine(consumer, "models", "LeNet5.onnx");
            string weights = Path.Combine(consumer, "models", "net.safetensors");
            File.Copy(Path.Combine(repo, "tests", "fixtures", "LeNet5.onnx"), onnx);
            File.WriteAllBytes(weights, SafetensorsFiles.Of(("0.weight", new long[] { 1, 1, 3, 3 }), ("0.bias", new long[] { 1 })));

            string first = Build(consumer);
            Assert.Contains($"Building target \"{Convert}\" completely", first);
            string cnngen = Path.Combine(consumer, "obj", "Debug", "net10.0", "cnngen");
            string onnxText = Directory.GetFiles(cnngen, "LeNet5.onnx.*.cnngen.txt").Single();
            string weightsText = Directory.GetFiles(cnngen, "net.safetensors.*.cnngen.txt").Single();
            Assert.Equal("cnngen-safetensors 1\ntensor 0.weight F32 4 1 1 3 3\ntensor 0.bias F32 1 1\nend\n", File.ReadAllText(weightsText));
            Assert.Contains("resource CnnGen.Weights.models/net.safetensors", Run(consumer, "run", "--no-build"));
            var onnxTextTime = File.GetLastWriteTimeUtc(onnxText);

            // nothing changed: the conversion and the compiler are skipped
            string second = Build(consumer);
            Assert.Contains($"Skipping target \"{Convert}\" because all output files are up-to-date with respect to the input files.", second);
            Assert.Contains("Skipping target \"CoreCompile\" because all output files are up-to-date", second);
            Assert.DoesNotContain("Using \"ConvertModelFiles\" task", second);

            // the model touched, its content the same: converted again, alone, and its text form left as it was
            File.SetLastWriteTimeUtc(onnx, DateTime.UtcNow);
            string third = Build(consumer);
            Assert.Contains($"Building target \"{Convert}\" partially", third);
            Assert.Contains("Input=models/LeNet5.onnx", third);
            Assert.DoesNotContain("Input=models/net.safetensors", third);
            Assert.Equal(onnxTextTime, File.GetLastWriteTimeUtc(onnxText));

            // and then up to date again
            Assert.Contains($"Skipping target \"{Convert}\"", Build(consumer));

            // new weights: their text form follows
            File.WriteAllBytes(weights, SafetensorsFiles.Of(("0.weight", new long[] { 1, 1, 3, 3 }), ("0.bias", new long[] { 1 }), ("extra", new long[] { 2 })));
            string fifth = Build(consumer);
            Assert.Contains("Input=models/net.safetensors", fifth);
            Assert.DoesNotContain("Input=models/LeNet5.onnx", fifth);
            Assert.Contains("tensor extra F32 1 2\n", File.ReadAllText(weightsText));

            // a text form deleted by hand is written again, though its stamp is newer than the model (MSBuild then
            // converts every file, rewriting none that has not changed)
            File.Delete(weightsText);
            onnxTextTime = File.GetLastWriteTimeUtc(onnxText);
            string sixth = Build(consumer);
            Assert.Contains($"Building target \"{Convert}\" completely", sixth);
            Assert.Contains($"Output file \"{weightsText}\" does not exist.", sixth);
            Assert.Equal("cnngen-safetensors 1\ntensor 0.weight F32 4 1 1 3 3\ntensor 0.bias F32 1 1\ntensor extra F32 1 2\nend\n", File.ReadAllText(weightsText));
            Assert.Equal(onnxTextTime, File.GetLastWriteTimeUtc(onnxText));
            passed = true;
        }
        finally
        {
            if (passed) Directory.Delete(work, recursive: true);
            else _output.WriteLine("left for inspection: " + work);
        }
    }

    private string Build(string consumer) => Run(consumer, "build", "-nodeReuse:false", "-v:detailed");

    private static void WriteConsumer(string dir, string pkgs, string cache, string version)
    {
        Directory.CreateDirectory(Path.Combine(dir, "models"));
        // as in PackageTests: nothing of an enclosing folder leaks in, and CnnGen comes from the fresh nupkg only
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "Directory.Packages.props"), "<Project />\n");
        string machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(dir, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{pkgs}" />
              </packageSources>
              <fallbackPackageFolders>
                <clear />
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{cache}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="CnnGen" Version="{version}" />
                <AdditionalFiles Include="models/LeNet5.onnx;models/net.safetensors" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            foreach (string name in typeof(Program).Assembly.GetManifestResourceNames()) System.Console.WriteLine("resource " + name);
            """);
    }

    private string Run(string directory, params string[] args) => DotnetCommand.Run(_output, StepTimeout, directory, args);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CnnGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("CnnGen.sln not found above " + AppContext.BaseDirectory);
    }
}
