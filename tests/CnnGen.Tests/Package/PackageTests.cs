using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml.Linq;
using CnnGen.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Package;

/// <summary>
/// The product as a user meets it: `dotnet pack src/CnnGen`, then a throwaway console project that knows
/// nothing of this repository restores the fresh nupkg from a local folder into its own package cache,
/// builds (the packed generator writes its network) and runs. The consumer builds with warnings as errors,
/// documentation on and the trim, AOT and single-file analyzers on, so generated code that would warn under
/// any of them fails here. `dotnet test --filter Category!=Package` leaves it out.
/// </summary>
// both pack src/CnnGen in Release: run one at a time, or the two builds race on the same obj/ folders
[Collection(DotnetCommand.PackingCollection)]
public class PackageTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    private readonly ITestOutputHelper _output;

    public PackageTests(ITestOutputHelper output) => _output = output;

    [Fact]
    [Trait("Category", "Package")]
    public void Packed_library_and_generator_build_and_run_in_a_fresh_consumer()
    {
        string repo = RepositoryRoot();
        string work = Path.Combine(Path.GetTempPath(), "cnngen-package-" + Guid.NewGuid().ToString("N"));
        string pkgs = Path.Combine(work, "pkgs");
        string consumer = Path.Combine(work, "consumer");
        // a version no cache has seen, so restore must take this very nupkg; its numeric part 0.0.0 is the assembly version
        string version = "0.0.0-test." + DateTime.UtcNow.Ticks;
        bool passed = false;
        try
        {
            var clock = Stopwatch.StartNew();
            Run(repo, "pack", Path.Combine(repo, "src", "CnnGen"), "-c", "Release", "-o", pkgs, "-p:Version=" + version, "-nodeReuse:false");
            _output.WriteLine($"pack: {clock.Elapsed.TotalSeconds:F1} s");

            string nupkg = Path.Combine(pkgs, $"CnnGen.{version}.nupkg");
            string snupkg = Path.Combine(pkgs, $"CnnGen.{version}.snupkg");
            Assert.True(File.Exists(nupkg), "no " + nupkg + " among " + string.Join(", ", Directory.GetFiles(pkgs)));
            CheckPackage(nupkg, version);
            Assert.True(File.Exists(snupkg), "no symbols package " + snupkg);
            Assert.Contains("lib/net10.0/CnnGen.pdb", Entries(snupkg));

            WriteConsumer(consumer, pkgs, Path.Combine(work, "cache"), version);
            // an ONNX model in the project: the package's build step converts it before compilation
            Directory.CreateDirectory(Path.Combine(consumer, "models"));
            // and the same LeNet-5 declared with attributes, its weights checked and embedded at build time ([Weights])
            foreach (var file in new[] { "LeNet5.onnx", "LeNet5.safetensors", "LeNet5.input.f32", "LeNet5.expected.f32" })
                File.Copy(Path.Combine(repo, "tests", "fixtures", file), Path.Combine(consumer, "models", file));
            // and a model outside the project, as a repository's shared models folder holds it
            Directory.CreateDirectory(Path.Combine(work, "shared"));
            File.Copy(Path.Combine(repo, "tests", "fixtures", "LeNet5.onnx"), Path.Combine(work, "shared", "LeNet5.onnx"));
            clock.Restart();
            Run(consumer, "build", "-nodeReuse:false");
            _output.WriteLine($"consumer build: {clock.Elapsed.TotalSeconds:F1} s");
            string output = Run(consumer, "run", "--no-build");

            Assert.Contains("generated [[9,7],[-7,-10]]", output);
            Assert.Contains("reference [[9,7],[-7,-10]]", output);
            Assert.Contains("safetensors [[9,7],[-7,-10]]", output);
            Assert.Contains("the engines agree", output);
            Assert.True(Directory.Exists(Path.Combine(work, "cache", "cnngen", version)), "CnnGen was not restored into the consumer's own cache");

            // what the packed generator wrote: its [GeneratedCode] carries the package's version, 0.0.0-test.N -> 0.0.0.0
            string generated = Directory.GetFiles(Path.Combine(consumer, "obj"), "*WorkedStride2.g.cs", SearchOption.AllDirectories).Single();
            Assert.Contains("GeneratedCode(\"CnnGen\", \"0.0.0.0\")", File.ReadAllText(generated));

            // the model's text form for the generator and its weights, embedded under the model's path
            // (two: models/LeNet5.onnx and ../shared/LeNet5.onnx, the hash of each path telling them apart)
            var texts = Directory.GetFiles(Path.Combine(consumer, "obj"), "LeNet5.onnx.*.cnngen.txt", SearchOption.AllDirectories);
            Assert.Equal(2, texts.Length);
            Assert.All(texts, text => Assert.StartsWith("cnngen-onnx 1", File.ReadAllText(text)));
            Assert.Contains("resource CnnGen.Weights.models/LeNet5.onnx", output);
            Assert.Contains("resource CnnGen.Weights.models/LeNet5.safetensors", output);
            Assert.Contains("imported LeNet-5 matches PyTorch", output);
            Assert.Contains("[Weights] LeNet-5 matches PyTorch", output);
            Assert.Contains("resource CnnGen.Weights.../shared/LeNet5.onnx", output);
            Assert.Contains("shared LeNet-5 matches PyTorch", output);
            passed = true;
        }
        finally
        {
            if (passed) Directory.Delete(work, recursive: true);
            else _output.WriteLine("left for inspection: " + work);
        }
    }

    private static void CheckPackage(string nupkg, string version)
    {
        var entries = Entries(nupkg);
        string list = string.Join("\n", entries);
        foreach (var expected in new[]
                 {
                     "lib/net10.0/CnnGen.dll", "lib/net10.0/CnnGen.xml", "README.md",
                     "analyzers/dotnet/cs/CnnGen.Generator.dll", "analyzers/dotnet/cs/CnnGen.CodeFixes.dll",
                     "build/CnnGen.targets", "buildTransitive/CnnGen.targets", "tasks/netstandard2.0/CnnGen.Build.dll",
                 })
            Assert.True(entries.Contains(expected), $"{expected} is not in the package:\n{list}");
        // the library is the only assembly a consumer references; Roslyn comes with the compiler, never with us
        Assert.Equal(new[] { "lib/net10.0/CnnGen.dll" }, entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal)));
        Assert.DoesNotContain(entries, e => Path.GetFileName(e).StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));

        using var zip = ZipFile.OpenRead(nupkg);
        using var stream = zip.GetEntry("CnnGen.nuspec")!.Open();
        var nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal(version, metadata.Element(ns + "version")?.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.Equal("https://github.com/cnngen/cnngen", metadata.Element(ns + "repository")?.Attribute("url")?.Value);
        // the generator and code fixes are analyzers, not dependencies
        Assert.Empty(metadata.Descendants(ns + "dependency"));
    }

    private static List<string> Entries(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    private static void WriteConsumer(string dir, string pkgs, string cache, string version)
    {
        Directory.CreateDirectory(dir);
        // stop MSBuild's upward search: nothing of any enclosing folder may leak into the consumer
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "Directory.Packages.props"), "<Project />\n");
        // the local folder is the only source. The trim and AOT analyzers need the SDK's ILLink package, which the
        // solution's own build (src/CnnGen is IsAotCompatible) restored into the machine's packages folder: that
        // folder is a read-only fallback, so CnnGen itself can only come from the fresh nupkg into the consumer's cache
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
                <ImplicitUsings>disable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                <EnableTrimAnalyzer>true</EnableTrimAnalyzer>
                <EnableAotAnalyzer>true</EnableAotAnalyzer>
                <EnableSingleFileAnalyzer>true</EnableSingleFileAnalyzer>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                <RestorePackagesPath>{cache}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="CnnGen" Version="{version}" />
                <AdditionalFiles Include="models/LeNet5.onnx;models/LeNet5.safetensors;../shared/LeNet5.onnx" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using System;
            using System.Globalization;
            using System.IO;
            using System.Linq;
            using System.Text;
            using CnnGen;
            using CnnGen.Reference;

            namespace Consumer;

            /// <summary>LeNet-5 from its ONNX export: input, layers and weights from the file.</summary>
            [OnnxModel("models/LeNet5.onnx")]
            public partial class ImportedLeNet { }

            /// <summary>The same export from outside the project, named by its path relative to the project.</summary>
            [OnnxModel("../shared/LeNet5.onnx")]
            public partial class SharedLeNet { }

            /// <summary>LeNet-5 declared with attributes, its trained weights checked and embedded at build time.</summary>
            [InputShape(1, 28, 28)]
            [Conv2D(Filters = 6, Kernel = 5, Padding = 2)]
            [ReLU]
            [MaxPool2D(Kernel = 2)]
            [Conv2D(Filters = 16, Kernel = 5)]
            [ReLU]
            [MaxPool2D(Kernel = 2)]
            [Flatten]
            [Dense(Outputs = 120)]
            [ReLU]
            [Dense(Outputs = 84)]
            [ReLU]
            [Dense(Outputs = 10)]
            [Weights("models/LeNet5.safetensors")]
            public partial class WeightedLeNet { }

            /// <summary>The lecture's worked 5x5 example: one 3x3 filter, stride 2.</summary>
            [InputShape(1, 5, 5)]
            [Conv2D(Filters = 1, Kernel = 3, Stride = 2)]
            public partial class WorkedStride2 { }

            internal static class Program
            {
                private static int Main()
                {
                    float[] input =
                    {
                        0, 2, -3, 2, -3,
                        -2, -2, -2, -1, -2,
                        -3, -3, 2, -2, 1,
                        -3, -2, 1, -3, 1,
                        0, -1, 0, 2, -3,
                    };
                    float[] parameters = { -1, 0, -2, 1, 1, -1, -1, -1, 0, /* bias */ -1 };

                    INetwork net = new WorkedStride2();
                    net.LoadParameters(parameters);
                    var output = new float[WorkedStride2.OutputLength];
                    net.Forward(input, output);

                    var reference = new ReferenceNetwork(WorkedStride2.Spec);
                    reference.LoadParameters(parameters);
                    float[] expected = reference.Forward(input);

                    // the same parameters as safetensors.torch.save_file writes them: the JSON header reader runs here too
                    string header = "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,1,3,3],\"data_offsets\":[0,36]},"
                        + "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[36,40]}}";
                    var file = new MemoryStream();
                    file.Write(BitConverter.GetBytes((ulong)header.Length));
                    file.Write(Encoding.ASCII.GetBytes(header));
                    foreach (float p in parameters) file.Write(BitConverter.GetBytes(p));
                    file.Position = 0;
                    INetwork fromFile = new WorkedStride2();
                    fromFile.LoadSafetensors(file);
                    var outputFromFile = new float[WorkedStride2.OutputLength];
                    fromFile.Forward(input, outputFromFile);

                    Console.WriteLine("generated " + Format(output));
                    Console.WriteLine("reference " + Format(expected));
                    Console.WriteLine("safetensors " + Format(outputFromFile));
                    bool agree = output.SequenceEqual(expected) && outputFromFile.SequenceEqual(expected);
                    Console.WriteLine(agree ? "the engines agree" : "the engines DISAGREE");
                    foreach (string name in typeof(Program).Assembly.GetManifestResourceNames()) Console.WriteLine("resource " + name);

                    // both LeNets come ready to run: no file beside the program
                    float[] images = Floats("models/LeNet5.input.f32"), pytorch = Floats("models/LeNet5.expected.f32");
                    bool imported = Matches(new ImportedLeNet(), images, pytorch), weighted = Matches(new WeightedLeNet(), images, pytorch);
                    bool shared = Matches(new SharedLeNet(), images, pytorch);
                    Console.WriteLine(imported ? "imported LeNet-5 matches PyTorch" : "imported LeNet-5 DIFFERS");
                    Console.WriteLine(weighted ? "[Weights] LeNet-5 matches PyTorch" : "[Weights] LeNet-5 DIFFERS");
                    Console.WriteLine(shared ? "shared LeNet-5 matches PyTorch" : "shared LeNet-5 DIFFERS");
                    return agree && imported && weighted && shared ? 0 : 1;
                }

                private static float[] Floats(string path)
                {
                    byte[] bytes = File.ReadAllBytes(path);
                    var values = new float[bytes.Length / 4];
                    Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
                    return values;
                }

                private static bool Matches(INetwork net, float[] inputs, float[] expected)
                {
                    var outputs = new float[inputs.Length / net.InputLength * net.OutputLength];
                    net.ForwardBatch(inputs, outputs);
                    return outputs.Length == expected.Length && outputs.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= 1e-4f * Math.Max(1f, Math.Abs(p.Second)));
                }

                private static string Format(float[] values) =>
                    "[" + string.Join(",", Enumerable.Range(0, WorkedStride2.OutputHeight).Select(r =>
                        "[" + string.Join(",", values.Skip(r * WorkedStride2.OutputWidth).Take(WorkedStride2.OutputWidth)
                            .Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]")) + "]";
            }
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
