using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Onnx;
using CnnGen.Reference;
using Microsoft.CodeAnalysis;

namespace CnnGen.Tests.Support;

/// <summary>Builds small ONNX models as the build step's records, for tests that feed the importer what no exporter writes.</summary>
internal static class OnnxBuild
{
    public static OnnxNode Node(string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes) =>
        Named(outputs.Length > 0 ? outputs[0] + "_node" : op, op, inputs, outputs, attributes);

    public static OnnxNode Named(string name, string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes) =>
        new(name, op, "", new OnnxArray<string>(inputs), new OnnxArray<string>(outputs), new OnnxArray<OnnxAttribute>(attributes));

    public static OnnxAttribute Int(string name, long value) => new OnnxAttribute.Int(name, value);

    public static OnnxAttribute Ints(string name, params long[] values) => new OnnxAttribute.Ints(name, new OnnxArray<long>(values));

    public static OnnxAttribute Float(string name, float value) => new OnnxAttribute.Float(name, value);

    public static OnnxAttribute Floats(string name, params float[] values) => new OnnxAttribute.Floats(name, new OnnxArray<float>(values));

    public static OnnxAttribute String(string name, string value) => new OnnxAttribute.String(name, value);

    public static OnnxAttribute TensorAttribute(string name, OnnxTensor value) => new OnnxAttribute.Tensor(name, value);

    public static OnnxTensor Floats(string name, long[] dims, float[] values) =>
        new(name, OnnxDataType.Float, new OnnxArray<long>(dims), new OnnxTensorData.Floats(new OnnxArray<float>(values)));

    /// <summary>A FLOAT tensor of the dims with values in [-1, 1) from a generator seeded by its name.</summary>
    public static OnnxTensor Random(string name, params long[] dims)
    {
        long count = OnnxTensor.ElementCountOf(new OnnxArray<long>(dims));
        int seed = (int)count;
        foreach (char ch in name) seed = unchecked(seed * 31 + ch);
        var rng = new Random(seed & 0x7fffffff);
        var values = new float[checked((int)Math.Max(count, 0))];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return Floats(name, dims, values);
    }

    public static OnnxTensor Int64s(string name, long[] dims, params long[] values) =>
        new(name, OnnxDataType.Int64, new OnnxArray<long>(dims), new OnnxTensorData.Ints(new OnnxArray<long>(values)));

    /// <summary>A one-dimensional INT64 tensor.</summary>
    public static OnnxTensor Vector(string name, params long[] values) => Int64s(name, new[] { (long)values.Length }, values);

    public static OnnxTensor Scalar(string name, float value) => Floats(name, Array.Empty<long>(), new[] { value });

    /// <summary>A FLOAT input [dims...] (the batch dimension included).</summary>
    public static OnnxValueInfo Input(string name, params long[] dims) =>
        new(name, OnnxTypeKind.Tensor, OnnxDataType.Float, true, new OnnxArray<OnnxDim>(dims.Select(OnnxDim.Fixed)));

    /// <summary>A FLOAT output of unknown shape.</summary>
    public static OnnxValueInfo Output(string name) => new(name, OnnxTypeKind.Tensor, OnnxDataType.Float, false, OnnxArray<OnnxDim>.Empty);

    public static OnnxModel Model(OnnxValueInfo input, OnnxTensor[] initializers, OnnxNode[] nodes, string output = "y", long opset = 13) =>
        Model(new[] { input }, initializers, nodes, new[] { Output(output) }, opset);

    public static OnnxModel Model(OnnxValueInfo[] inputs, OnnxTensor[] initializers, OnnxNode[] nodes, OnnxValueInfo[] outputs, long opset = 13) =>
        new(8, "hostile", "1", OnnxArray.Of(new OnnxOpset("", opset)),
            new OnnxGraph("g", new OnnxArray<OnnxValueInfo>(inputs), new OnnxArray<OnnxValueInfo>(outputs), new OnnxArray<OnnxTensor>(initializers),
                new OnnxArray<OnnxNode>(nodes), OnnxArray<OnnxValueInfo>.Empty));
}

/// <summary>A model to feed the generator: its records, its weights blob, and what its constructor may throw (a blob too short).</summary>
internal sealed record HostileCase(string Name, OnnxModel Model, byte[] Blob)
{
    public HostileCase(string name, OnnxModel model) : this(name, model, Array.Empty<byte>())
    {
    }

    /// <summary>When set, the generated constructor may throw this exception (and only it); then nothing runs.</summary>
    public Type? ConstructorMayThrow { get; init; }
}

internal enum HostileVerdict
{
    /// <summary>Imported, compiled, ran, and matched the reference engine.</summary>
    Imported,
    /// <summary>Exactly one CNN error on the attribute, and the class still compiles.</summary>
    Refused,
    /// <summary>Imported, and the constructor threw the exception the case allows.</summary>
    ConstructorRefused,
    Failed,
}

internal sealed record HostileOutcome(string Name, HostileVerdict Verdict, string Detail)
{
    public override string ToString() => $"{Name}: {Verdict}: {Detail}";
}

/// <summary>
/// The product's promise for any model: the generator neither throws nor hangs nor reports CNN0099, the output
/// compiles, and the model is either imported (it then constructs, runs on random input and matches the reference
/// engine within |a - e| &lt;= 1e-4 * max(1, |e|)) or refused with exactly one CNN error on the [OnnxModel] attribute.
/// Cases go through the generator and Roslyn's emit in chunks; what cannot be told apart in a chunk reruns alone.
/// </summary>
internal static class HostileRunner
{
    public static IReadOnlyList<HostileOutcome> Check(IReadOnlyList<HostileCase> cases, int chunkSize = 40, TimeSpan? timeout = null)
    {
        var results = new List<HostileOutcome>();
        int start = 0;
        foreach (var chunk in cases.Chunk(chunkSize))
        {
            results.AddRange(RunChunk(chunk, start, retryAlone: true, timeout ?? TimeSpan.FromSeconds(120)));
            start += chunk.Length;
        }
        return results;
    }

    private static string ClassName(int index) => "H" + index.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    private static IReadOnlyList<HostileOutcome> RunChunk(IReadOnlyList<HostileCase> chunk, int start, bool retryAlone, TimeSpan timeout)
    {
        IReadOnlyList<HostileOutcome> Alone(string why) =>
            retryAlone && chunk.Count > 1
                ? chunk.SelectMany((c, i) => RunChunk(new[] { c }, start + i, false, timeout)).ToList()
                : chunk.Select(c => new HostileOutcome(c.Name, HostileVerdict.Failed, why)).ToList();

        var inputs = chunk.Select((c, i) => new OnnxHarness.ModelInput(c.Model, c.Blob, $"hostile/m{start + i}.onnx", ClassName(start + i))).ToList();
        GeneratorHarness.Result run;
        try
        {
            // a thread of its own, so the timeout measures the generator and not a wait for a busy pool
            var task = Task.Factory.StartNew(() => OnnxHarness.RunMany(inputs), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (!task.Wait(timeout)) return Alone($"the generator did not finish in {timeout.TotalSeconds} s");
            run = task.Result;
        }
        catch (Exception e)
        {
            var inner = e is AggregateException { InnerException: { } ie } ? ie : e;
            return Alone("the generator (or the build step's text form) threw " + inner.GetType().Name + ": " + inner.Message);
        }

        var results = new Dictionary<int, HostileOutcome>();
        var byCase = chunk.Select(_ => new List<Diagnostic>()).ToArray();
        var declarations = run.Output.SyntaxTrees.Take(chunk.Count).ToList();
        foreach (var d in run.GeneratorDiagnostics)
        {
            bool relevant = d.Severity == DiagnosticSeverity.Error || d.Id.StartsWith("CS", StringComparison.Ordinal) || d.Id == "CNN0099";
            if (!relevant) continue;
            var match = Regex.Match(d.Location.GetLineSpan().Path ?? "", @"^Network(\d+)\.cs$");
            int k = match.Success ? int.Parse(match.Groups[1].Value) : -1;
            if (k < 0 || k >= chunk.Count) return Alone("the generator reports, not on a declaration: " + d);
            byCase[k].Add(d);
        }

        var toRun = new List<int>();
        for (int k = 0; k < chunk.Count; k++)
        {
            var list = byCase[k];
            var c = chunk[k];
            if (list.Any(d => d.Id == "CNN0099")) results[k] = Fail(c, "CNN0099: " + list.First(d => d.Id == "CNN0099").GetMessage());
            else if (list.Any(d => d.Severity != DiagnosticSeverity.Error)) results[k] = Fail(c, "the generator reports " + string.Join("; ", list.Select(d => d.Id + " " + d.GetMessage())));
            else if (list.Count == 0) toRun.Add(k);
            else if (list.Count > 1) results[k] = Fail(c, $"{list.Count} errors: " + string.Join(" | ", list.Select(d => d.Id + " " + d.GetMessage())));
            else if (!list[0].Id.StartsWith("CNN", StringComparison.Ordinal)) results[k] = Fail(c, "refused with " + list[0].Id + ": " + list[0].GetMessage());
            else if (!OnAttribute(declarations[k], list[0].Location)) results[k] = Fail(c, $"{list[0].Id} not on the attribute ({list[0].Location.GetLineSpan()}): {list[0].GetMessage()}");
            else results[k] = new HostileOutcome(c.Name, HostileVerdict.Refused, list[0].Id + " " + list[0].GetMessage());
        }

        // compile: a case whose trees have errors fails and leaves the compilation
        var treeCase = new Dictionary<SyntaxTree, int>();
        for (int k = 0; k < chunk.Count; k++) treeCase[declarations[k]] = k;
        foreach (var tree in run.Output.SyntaxTrees.Skip(chunk.Count))
        {
            var match = Regex.Match(tree.GetText().ToString(), @"\bclass H(\d{5})\b");
            if (match.Success) treeCase[tree] = int.Parse(match.Groups[1].Value) - start;
        }
        var compilation = run.Output;
        var included = Enumerable.Range(0, chunk.Count).ToList();
        byte[]? image = null;
        for (int attempt = 0; attempt < 6 && image is null; attempt++)
        {
            var (emitted, bytes) = OnnxHarness.Emit(compilation, included.Select(k => inputs[k]));
            var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count == 0)
            {
                image = bytes;
                break;
            }
            var broken = errors.Where(d => d.Location.SourceTree is { } t && treeCase.ContainsKey(t)).GroupBy(d => treeCase[d.Location.SourceTree!]).ToList();
            if (broken.Count == 0) return Alone("the compilation fails: " + string.Join(" | ", errors.Take(3)));
            foreach (var g in broken)
            {
                int k = g.Key;
                string what = results.TryGetValue(k, out var r) && r.Verdict == HostileVerdict.Refused ? $"refused ({r.Detail}) but its class does not compile" : "its generated code does not compile";
                results[k] = Fail(chunk[k], $"{what}: {g.Count()} errors, first: " + string.Join(" | ", g.Take(3).Select(d => d.Id + " " + d.GetMessage())));
                compilation = compilation.RemoveSyntaxTrees(treeCase.Where(p => p.Value == k).Select(p => p.Key));
                included.Remove(k);
                toRun.Remove(k);
            }
        }
        if (image is null)
        {
            foreach (int k in toRun) results[k] = Fail(chunk[k], "the chunk's compilation kept failing");
            toRun.Clear();
        }
        if (toRun.Count > 0)
        {
            var context = new AssemblyLoadContext("Hostile" + start, isCollectible: true);
            try
            {
                var assembly = context.LoadFromStream(new MemoryStream(image!));
                foreach (int k in toRun) results[k] = Execute(chunk[k], assembly.GetType("Imported." + ClassName(start + k)));
            }
            finally
            {
                context.Unload();
            }
        }
        return Enumerable.Range(0, chunk.Count).Select(k => results.TryGetValue(k, out var r) ? r : Fail(chunk[k], "no outcome (runner bug)")).ToList();
    }

    private static HostileOutcome Fail(HostileCase c, string why) => new(c.Name, HostileVerdict.Failed, why);

    private static bool OnAttribute(SyntaxTree declaration, Location location) =>
        location.GetLineSpan().Path == declaration.FilePath
        && location.SourceSpan.End <= declaration.Length
        && declaration.GetText().ToString(location.SourceSpan).StartsWith("global::CnnGen.OnnxModel(", StringComparison.Ordinal);

    /// <summary>Constructs the network, runs it on random input and compares with the reference engine holding the model's own weights.</summary>
    private static HostileOutcome Execute(HostileCase c, Type? type)
    {
        if (type is null) return Fail(c, "no generated class");
        INetwork network;
        try
        {
            network = (INetwork)Activator.CreateInstance(type)!;
        }
        catch (Exception e)
        {
            var inner = e is System.Reflection.TargetInvocationException { InnerException: { } ie } ? ie : e;
            if (c.ConstructorMayThrow is { } allowed && allowed.IsInstanceOfType(inner))
                return new HostileOutcome(c.Name, HostileVerdict.ConstructorRefused, inner.GetType().Name + ": " + inner.Message);
            return Fail(c, $"the constructor throws {inner.GetType().Name}: {inner.Message}");
        }
        try
        {
            var spec = network.Spec;
            if (network.InputLength != spec.InputLength || network.OutputLength != spec.OutputLength)
                return Fail(c, $"lengths {network.InputLength} -> {network.OutputLength} but the Spec says {spec.InputLength} -> {spec.OutputLength}");
            var parameters = Parameters(c, spec, out string? missing);
            var rng = new Random(12345);
            const int samples = 2;
            var input = new float[samples * network.InputLength];
            for (int i = 0; i < input.Length; i++) input[i] = (float)(rng.NextDouble() * 4 - 2);
            var output = new float[samples * network.OutputLength];
            network.ForwardBatch(input, output);
            var single = new float[network.OutputLength];
            network.Forward(input.AsSpan(0, network.InputLength), single);
            for (int i = 0; i < single.Length; i++)
                if (BitConverter.SingleToInt32Bits(single[i]) != BitConverter.SingleToInt32Bits(output[i]) && !(float.IsNaN(single[i]) && float.IsNaN(output[i])))
                    return Fail(c, $"Forward and ForwardBatch differ at {i}: {single[i]:R} vs {output[i]:R}");
            if (parameters is null) return new HostileOutcome(c.Name, HostileVerdict.Imported, $"ran ({missing}; not compared)");
            var reference = new ReferenceNetwork(spec);
            reference.LoadParameters(parameters);
            var expected = new float[output.Length];
            reference.ForwardBatch(input, expected);
            int wrong = 0, first = -1;
            for (int i = 0; i < expected.Length; i++)
            {
                if (OnnxSuiteCases.Close(output[i], expected[i])) continue;
                wrong++;
                if (first < 0) first = i;
            }
            if (wrong > 0) return Fail(c, $"differs from the reference engine: {wrong} of {expected.Length}, first at {first}: {output[first]:R} vs {expected[first]:R}");
            return new HostileOutcome(c.Name, HostileVerdict.Imported, $"{spec.InputLength} -> {spec.OutputLength}, {spec.ParameterCount} parameters, matches the reference");
        }
        catch (Exception e)
        {
            return Fail(c, $"running throws {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The state as the model's initializers and Constant nodes give it, read by name, or null (with why) when some tensor is not found.</summary>
    private static float[]? Parameters(HostileCase c, NetworkSpec spec, out string? missing)
    {
        missing = null;
        var values = new float[spec.ParameterCount];
        foreach (var p in spec.Parameters)
        {
            var tensor = c.Model.Graph.Initializers.FirstOrDefault(t => t.Name == p.Name)
                ?? c.Model.Graph.Nodes.Where(n => n.OpType == "Constant" && n.Outputs.Count > 0 && n.Outputs[0] == p.Name)
                    .Select(n => (n.Attribute("value") as OnnxAttribute.Tensor)?.Value).FirstOrDefault(t => t is not null);
            float[]? data = tensor?.Data switch
            {
                OnnxTensorData.Floats f => f.Values.ToArray(),
                OnnxTensorData.Blob b when b.Offset >= 0 && b.Length >= 0 && b.Offset + b.Length <= c.Blob.Length =>
                    MemoryMarshal.Cast<byte, float>(c.Blob.AsSpan((int)b.Offset, (int)b.Length)).ToArray(),
                _ => null,
            };
            if (data is null || data.Length != p.Length)
            {
                missing = $"tensor '{p.Name}' of the state not found in the model";
                return null;
            }
            data.CopyTo(values, p.Offset);
        }
        return values;
    }

    /// <summary>Fails with every failed outcome listed.</summary>
    public static void AssertNoFailures(IReadOnlyList<HostileOutcome> outcomes)
    {
        var failed = outcomes.Where(o => o.Verdict == HostileVerdict.Failed).ToList();
        Xunit.Assert.True(failed.Count == 0, $"{failed.Count} of {outcomes.Count} models break the generator's promise:\n" + string.Join("\n", failed));
    }
}
