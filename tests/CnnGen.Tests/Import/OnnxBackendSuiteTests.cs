using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.Loader;
using System.Text;
using System.Text.RegularExpressions;
using CnnGen.Onnx;
using CnnGen.Tests.Onnx;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Tests.Import;

/// <summary>
/// ONNX's own backend test suite through [OnnxModel]: every case of Debian's libonnx-testdata (node, pytorch-converted,
/// pytorch-operator, simple, real) whose first graph input is a FLOAT tensor and which has one output, its other graph
/// inputs made initializers holding the case's data (<see cref="OnnxSuiteCases"/>). Each such case either passes (the
/// generated network, run sample by sample over the first input's batch, gives output_0.pb within
/// |a - e| &lt;= 1e-4 * max(1, |e|)) or is refused (exactly one error, CNN0030 or CNN0028, on the [OnnxModel] attribute,
/// and nothing else in the compilation). Anything else (another number or kind of error, an exception, generated code
/// that does not compile, a wrong answer) is a failure, and the test lists every one with its reason. The counts, the
/// passed cases and the refusals grouped by op go to the test output and to onnx-suite-report.txt beside the test assembly.
/// </summary>
public sealed class OnnxBackendSuiteTests
{
    /// <summary>The refusals the suite accepts: the model not supported, an imported tensor of the wrong size.</summary>
    private static readonly HashSet<string> RefusalIds = new(StringComparer.Ordinal) { "CNN0030", "CNN0028" };

    /// <summary>
    /// Words of a refusal that say the model is malformed. The suite's models pass ONNX's checker, so such a refusal
    /// hides the real reason: the importer lost track of a value it set aside.
    /// </summary>
    private static readonly string[] BlamesTheModel = { "is not computed by any node", "is not defined before it" };

    /// <summary>Cases per compilation: the generator and Roslyn's emit run once per chunk.</summary>
    private const int ChunkSize = 120;

    private readonly ITestOutputHelper _output;

    public OnnxBackendSuiteTests(ITestOutputHelper output) => _output = output;

    private enum Outcome
    {
        Passed,
        Refused,
        Dropped,
        Failed,
    }

    private sealed record Result(string Name, Outcome Outcome, string Detail);

    /// <summary>A prepared case and its place in the suite.</summary>
    private sealed record Item(int Index, OnnxSuiteCases.Case Case, OnnxHarness.ModelInput Input);

    [OnnxTestDataFact]
    public void OnnxBackendSuite_every_case_passes_or_is_refused_with_one_error()
    {
        var clock = Stopwatch.StartNew();
        var results = new List<Result>();
        var items = new List<Item>();
        var names = OnnxSuiteCases.Names();
        for (int i = 0; i < names.Count; i++)
        {
            OnnxSuiteCases.Case c;
            try
            {
                c = OnnxSuiteCases.Prepare(names[i]);
            }
            catch (Exception e)
            {
                results.Add(new Result(names[i], Outcome.Failed, "preparing the case threw " + e.GetType().Name + ": " + e.Message));
                continue;
            }
            if (c.Dropped is not null) results.Add(new Result(c.Name, Outcome.Dropped, c.Dropped));
            else items.Add(new Item(i, c, new OnnxHarness.ModelInput(c.Model!, c.Blob, "suite/" + c.Name + ".onnx", OnnxSuiteCases.ClassName(i, c.Name))));
        }
        var prepared = clock.Elapsed;

        foreach (var chunk in items.Chunk(ChunkSize)) results.AddRange(RunChunk(chunk, retryAlone: true));
        Assert.Equal(names.Count, results.Count);

        string report = Report(results, clock.Elapsed, prepared);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "onnx-suite-report.txt"), report);
        foreach (var line in report.Split('\n')) _output.WriteLine(line);
        _output.WriteLine("report written to " + Path.Combine(AppContext.BaseDirectory, "onnx-suite-report.txt"));

        var failures = results.Where(r => r.Outcome == Outcome.Failed).ToList();
        Assert.True(names.Count > 1000, $"only {names.Count} cases under {OnnxSuiteCases.Root}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {results.Count} ONNX backend cases fail:\n" + string.Join("\n", failures.Select(f => $"{f.Name}: {f.Detail}")));
    }

    /// <summary>The runner itself: a case it passes fails once its expected output is off by more than the tolerance, and a model it refuses stays refused.</summary>
    [OnnxTestDataFact]
    public void OnnxBackendSuite_runner_tells_a_wrong_answer_from_a_pass()
    {
        var relu = OnnxSuiteCases.Prepare("node/test_relu");
        Assert.Null(relu.Dropped);
        var expected = relu.Expected!.ToArray();
        int positive = Array.FindIndex(expected, v => v > 0);
        var wrong = relu with { Expected = expected.Select((v, i) => i == positive ? v * (1 + 3e-4f) : v).ToArray() };
        var refused = OnnxSuiteCases.Prepare("node/test_abs");
        var items = new[] { relu, wrong, refused }
            .Select((c, i) => new Item(9000 + i, c, new OnnxHarness.ModelInput(c.Model!, c.Blob, $"suite/self{i}.onnx", OnnxSuiteCases.ClassName(9000 + i, c.Name))))
            .ToList();
        var results = RunChunk(items, retryAlone: false).ToList();
        Assert.Equal(Outcome.Passed, results[0].Outcome);
        Assert.Equal(Outcome.Failed, results[1].Outcome);
        Assert.StartsWith("wrong answer: 1 of " + expected.Length, results[1].Detail);
        Assert.Equal(Outcome.Refused, results[2].Outcome);
        Assert.True(OnnxSuiteCases.Close(1.00009f, 1f) && !OnnxSuiteCases.Close(1.00011f, 1f) && OnnxSuiteCases.Close(5e-5f, 0f) && !OnnxSuiteCases.Close(2e-4f, 0f));
        Assert.True(OnnxSuiteCases.Close(float.NaN, float.NaN) && !OnnxSuiteCases.Close(0f, float.NaN) && !OnnxSuiteCases.Close(float.MaxValue, float.PositiveInfinity));
    }

    /// <summary>
    /// The suite's pools whose padding PyTorch's pools cannot take, copied into tests/fixtures/onnx-suite (ONNX 1.12's
    /// test data, Apache-2.0) so that they run where libonnx-testdata is absent: padding at one end only (SAME_UPPER,
    /// SAME_LOWER) or past half the window runs as a layer of padding before the pool (edge values for a max pool, zeros
    /// for an average counting them); an average leaving symmetric padding out of its divisor runs as such; an average
    /// leaving one-sided or oversized padding out is refused.
    /// </summary>
    [Theory]
    [InlineData("node/test_averagepool_2d_precomputed_pads", true)]
    [InlineData("node/test_averagepool_2d_precomputed_same_upper", true)]
    [InlineData("node/test_averagepool_2d_pads_count_include_pad", true)]
    [InlineData("node/test_maxpool_2d_pads", true)]
    [InlineData("node/test_maxpool_2d_same_lower", true)]
    [InlineData("node/test_maxpool_2d_same_upper", true)]
    [InlineData("node/test_maxpool_2d_precomputed_same_upper", true)]
    [InlineData("node/test_averagepool_2d_pads", false)]
    [InlineData("node/test_averagepool_2d_same_upper", false)]
    public void Committed_pool_padding_cases_pass_or_are_refused(string name, bool passes)
    {
        string root = Path.Combine(OnnxFiles.RepositoryRoot(), "tests", "fixtures", "onnx-suite");
        var c = OnnxSuiteCases.Prepare(root, name);
        Assert.Null(c.Dropped);
        var item = new Item(9100, c, new OnnxHarness.ModelInput(c.Model!, c.Blob, "suite/" + c.Name + ".onnx", OnnxSuiteCases.ClassName(9100, c.Name)));
        var result = RunChunk(new[] { item }, retryAlone: false).Single();
        Assert.True(result.Outcome == (passes ? Outcome.Passed : Outcome.Refused), $"{result.Outcome}: {result.Detail}");
        if (!passes) Assert.Contains("count_include_pad = 0", result.Detail);
    }

    /// <summary>
    /// Pools as ONNX pads them, against ONNX's definition written out below: a grid of MaxPool (dilated or not) and
    /// AveragePool (both count_include_pad values) nodes with explicit pads different at the two ends and past half the window, and
    /// auto_pad SAME_UPPER and SAME_LOWER, in floor and ceil mode. Each passes or is refused; those PyTorch's pools
    /// can express, with a layer of padding before them where needed, pass.
    /// </summary>
    [Fact]
    public void Pools_padded_as_onnx_pads_them_match_onnxs_definition_or_are_refused()
    {
        var random = new Random(20261207);
        var items = new List<Item>();
        var mustPass = new HashSet<string>(StringComparer.Ordinal);
        void Add(string op, int count, int height, int width, int kh, int kw, int sh, int sw, int[] pads, string autoPad, bool ceil, bool passes = false, int dh = 1, int dw = 1)
        {
            var (pooled, outHeight, outWidth) = OnnxPool(op, count, height, width, kh, kw, sh, sw, dh, dw, pads, autoPad, ceil, random, out var input);
            string name = $"{op}_c{count}_{height}x{width}_k{kh}x{kw}_s{sh}x{sw}_d{dh}x{dw}_p{string.Join("-", pads)}_{autoPad}_{(ceil ? "ceil" : "floor")}_{items.Count}";
            var attributes = new List<OnnxAttribute> { OnnxBuild.Ints("kernel_shape", kh, kw), OnnxBuild.Ints("strides", sh, sw) };
            if (dh != 1 || dw != 1) attributes.Add(OnnxBuild.Ints("dilations", dh, dw));
            if (autoPad == "NOTSET") attributes.Add(OnnxBuild.Ints("pads", pads.Select(p => (long)p).ToArray()));
            else attributes.Add(OnnxBuild.String("auto_pad", autoPad));
            if (ceil) attributes.Add(OnnxBuild.Int("ceil_mode", 1));
            if (op == "AveragePool") attributes.Add(OnnxBuild.Int("count_include_pad", count));
            var model = OnnxBuild.Model(OnnxBuild.Input("x", 1, 2, height, width), Array.Empty<OnnxTensor>(),
                new[] { OnnxBuild.Node(op, new[] { "x" }, new[] { "y" }, attributes.ToArray()) });
            var c = new OnnxSuiteCases.Case("grid/" + name, null)
            {
                Model = model,
                Input = input,
                InputDims = new long[] { 1, 2, height, width },
                Expected = pooled,
                ExpectedDims = new long[] { 1, 2, outHeight, outWidth },
                ExpectedType = "FLOAT",
            };
            int index = 9200 + items.Count;
            items.Add(new Item(index, c, new OnnxHarness.ModelInput(model, Array.Empty<byte>(), $"suite/grid{index}.onnx", OnnxSuiteCases.ClassName(index, c.Name))));
            if (passes) mustPass.Add(c.Name);
        }

        // what each route must take: a symmetric equivalent in floor or ceil mode, a layer of padding, an average leaving symmetric padding out
        Add("AveragePool", 0, 7, 7, 2, 2, 2, 2, new int[4], "SAME_UPPER", false, passes: true);
        Add("AveragePool", 0, 8, 6, 3, 3, 2, 2, new int[4], "SAME_LOWER", false, passes: true);
        Add("AveragePool", 0, 6, 6, 3, 3, 1, 1, new[] { 1, 1, 1, 1 }, "NOTSET", false, passes: true);
        Add("AveragePool", 1, 6, 7, 3, 2, 1, 2, new[] { 0, 1, 2, 1 }, "NOTSET", false, passes: true);
        Add("AveragePool", 1, 5, 5, 3, 3, 1, 1, new[] { 2, 2, 2, 2 }, "NOTSET", false, passes: true);
        Add("MaxPool", 0, 6, 6, 2, 2, 1, 1, new int[4], "SAME_UPPER", false, passes: true);
        Add("MaxPool", 0, 7, 5, 3, 3, 2, 1, new int[4], "SAME_LOWER", false, passes: true);
        Add("MaxPool", 0, 6, 6, 3, 3, 1, 1, new[] { 2, 0, 0, 2 }, "NOTSET", false, passes: true);
        Add("MaxPool", 0, 7, 6, 3, 4, 2, 3, new[] { 0, 1, 2, 2 }, "NOTSET", true, passes: true);
        Add("MaxPool", 0, 9, 8, 3, 2, 1, 2, new[] { 1, 1, 1, 1 }, "NOTSET", false, passes: true, dh: 2, dw: 3);
        Add("MaxPool", 0, 9, 9, 2, 2, 2, 2, new int[4], "SAME_UPPER", false, passes: true, dh: 2, dw: 2);
        // ceil-mode windows longer than the padded input: one output over what they cover
        Add("MaxPool", 0, 4, 5, 5, 6, 2, 3, new int[4], "NOTSET", true, passes: true);
        Add("MaxPool", 0, 4, 4, 2, 2, 3, 3, new int[4], "NOTSET", true, passes: true, dh: 4, dw: 4);
        Add("AveragePool", 0, 4, 4, 6, 5, 3, 2, new int[4], "NOTSET", true, passes: true);
        Add("AveragePool", 0, 3, 2, 5, 5, 3, 3, new[] { 1, 1, 1, 1 }, "NOTSET", true, passes: true);
        while (items.Count < 160)
        {
            string op = random.Next(2) == 0 ? "MaxPool" : "AveragePool";
            int kh = random.Next(1, 5), kw = random.Next(1, 5);
            string autoPad = random.Next(4) switch { 0 => "SAME_UPPER", 1 => "SAME_LOWER", _ => "NOTSET" };
            var pads = new[] { random.Next(0, kh + 1), random.Next(0, kw + 1), random.Next(0, kh + 1), random.Next(0, kw + 1) };
            bool dilated = op == "MaxPool" && random.Next(3) == 0;
            Add(op, random.Next(2), random.Next(4, 10), random.Next(4, 10), kh, kw, random.Next(1, 4), random.Next(1, 4), pads, autoPad, random.Next(3) == 0,
                dh: dilated ? random.Next(1, 4) : 1, dw: dilated ? random.Next(1, 4) : 1);
        }

        var results = items.Chunk(ChunkSize).SelectMany(chunk => RunChunk(chunk, retryAlone: true)).ToList();
        foreach (var r in results) _output.WriteLine($"{r.Outcome,-8} {r.Name}: {r.Detail}");
        var failures = results.Where(r => r.Outcome == Outcome.Failed || (mustPass.Contains(r.Name) && r.Outcome != Outcome.Passed)).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures.Select(f => $"{f.Name}: {f.Outcome}: {f.Detail}")));
        // the grid is no grid of refusals
        Assert.True(results.Count(r => r.Outcome == Outcome.Passed) >= results.Count / 2, $"{results.Count(r => r.Outcome == Outcome.Passed)} of {results.Count} passed");
    }

    /// <summary>
    /// ONNX's pool on [1, 2, H, W], as its definition and backend test generator compute it: taps dilations apart, the input padded by pads
    /// (top, left, bottom, right; or SAME's, the odd cell at the end for UPPER, at the start for LOWER) with -inf for
    /// MaxPool and for AveragePool with zeros counted (count_include_pad 1) or not counted (0); output size floor or
    /// ceil of (padded - kernel) / stride, plus 1; a window cut where it runs past the padded input.
    /// </summary>
    private static (float[] Output, int Height, int Width) OnnxPool(string op, int count, int height, int width, int kh, int kw, int sh, int sw,
        int dh, int dw, int[] pads, string autoPad, bool ceil, Random random, out float[] input)
    {
        int top = pads[0], left = pads[1], bottom = pads[2], right = pads[3];
        if (autoPad != "NOTSET")
        {
            (int Before, int After) Same(int size, int stride, int kernel)
            {
                int total = Math.Max(0, ((size + stride - 1) / stride - 1) * stride + kernel - size);
                return autoPad == "SAME_UPPER" ? (total / 2, total - total / 2) : (total - total / 2, total / 2);
            }
            (top, bottom) = Same(height, sh, (kh - 1) * dh + 1);
            (left, right) = Same(width, sw, (kw - 1) * dw + 1);
        }
        // the spec's formula as written: floor or ceil of (padded - kernel) / stride + 1 (ceil mode gives a window up to
        // stride - 1 longer than the padded input one output)
        int Outputs(int size, int before, int after, int kernel, int stride)
        {
            double steps = (double)(size + before + after - kernel) / stride + 1;
            return Math.Max(0, (int)(ceil ? Math.Ceiling(steps) : Math.Floor(steps)));
        }
        int outHeight = autoPad == "NOTSET" ? Outputs(height, top, bottom, (kh - 1) * dh + 1, sh) : (height + sh - 1) / sh;
        int outWidth = autoPad == "NOTSET" ? Outputs(width, left, right, (kw - 1) * dw + 1, sw) : (width + sw - 1) / sw;
        input = new float[2 * height * width];
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);
        var output = new float[2 * outHeight * outWidth];
        for (int c = 0; c < 2; c++)
            for (int oy = 0; oy < outHeight; oy++)
                for (int ox = 0; ox < outWidth; ox++)
                {
                    float max = float.NegativeInfinity, sum = 0f;
                    int real = 0, cells = 0;
                    for (int iy = oy * sh - top; iy < Math.Min(oy * sh - top + (kh - 1) * dh + 1, height + bottom); iy += dh)
                        for (int ix = ox * sw - left; ix < Math.Min(ox * sw - left + (kw - 1) * dw + 1, width + right); ix += dw)
                        {
                            cells++;
                            if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
                            float v = input[(c * height + iy) * width + ix];
                            max = Math.Max(max, v);
                            sum += v;
                            real++;
                        }
                    output[(c * outHeight + oy) * outWidth + ox] = op == "MaxPool" ? max : sum / (count == 1 ? cells : real);
                }
        return (output, outHeight, outWidth);
    }

    /// <summary>
    /// Imports, compiles and runs a chunk of cases in one compilation. What cannot be told apart per case (a diagnostic
    /// with no place of a case, a crash of the driver) reruns the cases one by one.
    /// </summary>
    private IEnumerable<Result> RunChunk(IReadOnlyList<Item> chunk, bool retryAlone)
    {
        var results = new Dictionary<int, Result>();
        GeneratorHarness.Result run;
        try
        {
            run = OnnxHarness.RunMany(chunk.Select(i => i.Input).ToList());
        }
        catch (Exception e)
        {
            if (retryAlone && chunk.Count > 1) return chunk.SelectMany(i => RunChunk(new[] { i }, false)).ToList();
            return chunk.Select(i => new Result(i.Case.Name, Outcome.Failed, "the generator driver threw " + e.GetType().Name + ": " + e.Message)).ToList();
        }

        // each diagnostic of the generator belongs to the case whose declaration holds it (source i declares chunk[i])
        var byCase = chunk.Select(_ => new List<Diagnostic>()).ToArray();
        var declarations = run.Output.SyntaxTrees.Take(chunk.Count).ToList();
        foreach (var d in run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || d.Id.StartsWith("CS", StringComparison.Ordinal)))
        {
            int index = DeclarationIndex(d.Location.GetLineSpan().Path, chunk.Count);
            if (index < 0)
            {
                // a generator that failed as a whole (CS8785) or a diagnostic without a case
                if (retryAlone && chunk.Count > 1) return chunk.SelectMany(i => RunChunk(new[] { i }, false)).ToList();
                return chunk.Select(i => new Result(i.Case.Name, Outcome.Failed, "the generator reports, not on the attribute: " + d)).ToList();
            }
            byCase[index].Add(d);
        }

        var toRun = new List<int>();
        for (int k = 0; k < chunk.Count; k++)
        {
            var item = chunk[k];
            var errors = byCase[k].Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            var others = byCase[k].Where(d => d.Severity != DiagnosticSeverity.Error).ToList();
            if (others.Count > 0)
            {
                results[k] = Fail(item, "the generator reports " + string.Join("; ", others.Select(d => d.Id + " " + d.GetMessage())));
                continue;
            }
            if (errors.Count == 0)
            {
                if (item.Case.Expected is null)
                    results[k] = Fail(item, $"imported although its output_0.pb is {item.Case.ExpectedType}, not FLOAT (the graph's output is {OnnxDims(item.Input.Model.Graph.Outputs[0])})");
                else toRun.Add(k);
                continue;
            }
            if (errors.Count > 1)
            {
                results[k] = Fail(item, $"{errors.Count} errors: " + string.Join(" | ", errors.Select(d => d.Id + " " + d.GetMessage())));
                continue;
            }
            var error = errors[0];
            string message = error.GetMessage();
            if (!RefusalIds.Contains(error.Id))
            {
                results[k] = Fail(item, $"refused with {error.Id} (not CNN0030/CNN0028): {message}");
                continue;
            }
            if (!OnAttribute(declarations[k], error.Location))
            {
                results[k] = Fail(item, $"{error.Id} not on the [OnnxModel] attribute ({error.Location.GetLineSpan()}): {message}");
                continue;
            }
            if (BlamesTheModel.FirstOrDefault(message.Contains) is { } blame)
            {
                results[k] = Fail(item, $"refused for a fault the model does not have ('{blame}'; the suite's models are valid ONNX): {message}");
                continue;
            }
            results[k] = new Result(item.Case.Name, Outcome.Refused, error.Id + " " + message);
        }

        // compile the chunk: a case whose trees (its declaration, its generated file) have errors fails and leaves the compilation
        var treeCase = new Dictionary<SyntaxTree, int>();
        for (int k = 0; k < chunk.Count; k++) treeCase[declarations[k]] = k;
        foreach (var tree in run.Output.SyntaxTrees.Skip(chunk.Count))
        {
            var match = Regex.Match(tree.GetText().ToString(), @"\bclass Case(\d{4})_");
            int index = match.Success ? chunk.ToList().FindIndex(i => i.Index == int.Parse(match.Groups[1].Value)) : -1;
            if (index >= 0) treeCase[tree] = index;
        }
        var compilation = run.Output;
        var included = Enumerable.Range(0, chunk.Count).ToList();
        byte[]? image = null;
        for (int attempt = 0; attempt < 4 && image is null; attempt++)
        {
            var (emitted, bytes) = OnnxHarness.Emit(compilation, included.Select(k => chunk[k].Input));
            var compileErrors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (compileErrors.Count == 0)
            {
                image = bytes;
                break;
            }
            var broken = new Dictionary<int, List<Diagnostic>>();
            foreach (var d in compileErrors)
            {
                if (d.Location.SourceTree is { } t && treeCase.TryGetValue(t, out int k))
                {
                    if (!broken.TryGetValue(k, out var list)) broken[k] = list = new List<Diagnostic>();
                    list.Add(d);
                }
            }
            if (broken.Count == 0)
            {
                // errors with no case's tree: tell the cases apart by compiling them alone
                if (retryAlone && chunk.Count > 1) return chunk.SelectMany(i => RunChunk(new[] { i }, false)).ToList();
                return chunk.Select(i => new Result(i.Case.Name, Outcome.Failed, "the compilation fails: " + string.Join(" | ", compileErrors.Take(3)))).ToList();
            }
            foreach (var (k, list) in broken)
            {
                string what = results.TryGetValue(k, out var r) && r.Outcome == Outcome.Refused
                    ? $"refused ({Short(r.Detail)}) but its class does not compile"
                    : "its generated code does not compile";
                results[k] = Fail(chunk[k], $"{what}: {list.Count} errors, first: {string.Join(" | ", list.Take(3).Select(d => d.Id + " " + d.GetMessage() + " at " + d.Location.GetLineSpan().Span.Start))}");
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
            var context = new AssemblyLoadContext("OnnxSuite" + chunk[0].Index, isCollectible: true);
            try
            {
                var assembly = context.LoadFromStream(new MemoryStream(image!));
                foreach (int k in toRun) results[k] = Execute(chunk[k], assembly);
            }
            finally
            {
                context.Unload();
            }
        }
        return Enumerable.Range(0, chunk.Count).Select(k => results.TryGetValue(k, out var r) ? r : Fail(chunk[k], "no outcome (runner bug)")).ToList();
    }

    /// <summary>Runs one generated network over the case's samples and compares with output_0.pb.</summary>
    private static Result Execute(Item item, System.Reflection.Assembly assembly)
    {
        var c = item.Case;
        try
        {
            var type = assembly.GetType("Imported." + item.Input.ClassName);
            if (type is null) return Fail(item, "no generated class " + item.Input.ClassName);
            var network = (INetwork)Activator.CreateInstance(type)!;
            int samples = c.Samples;
            if (samples < 1 || (long)samples * network.InputLength != c.Input.Length)
                return Fail(item, $"the class takes {network.InputLength} floats per sample (Spec input [{string.Join(", ", network.Spec.InputShape)}]) but input_0.pb is [{string.Join(", ", c.InputDims)}]: {samples} samples of {(samples > 0 ? c.Input.Length / samples : 0)}");
            var expected = c.Expected!;
            if ((long)samples * network.OutputLength != expected.Length)
                return Fail(item, $"wrong output size: {samples} x {network.OutputLength} floats, but output_0.pb is [{string.Join(", ", c.ExpectedDims)}] ({expected.Length} floats)");
            var output = new float[expected.Length];
            network.ForwardBatch(c.Input, output);
            int wrong = 0, first = -1;
            double worst = 0;
            double largest = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                if (OnnxSuiteCases.Close(output[i], expected[i]))
                {
                    if (float.IsFinite(expected[i])) largest = Math.Max(largest, Math.Abs((double)output[i] - expected[i]) / Math.Max(1.0, Math.Abs((double)expected[i])));
                    continue;
                }
                wrong++;
                if (first < 0) first = i;
                double excess = Math.Abs((double)output[i] - expected[i]) / Math.Max(1.0, Math.Abs((double)expected[i]));
                if (double.IsNaN(excess) || excess > worst) worst = double.IsNaN(excess) ? double.PositiveInfinity : excess;
            }
            if (wrong > 0)
                return Fail(item, $"wrong answer: {wrong} of {expected.Length} values off (worst scaled error {worst:G3}); first at {first}: got {output[first]:R}, expected {expected[first]:R}; output [{string.Join(", ", c.ExpectedDims)}]");
            return new Result(c.Name, Outcome.Passed, $"{samples} x {network.OutputLength} values, largest scaled error {largest:G2}");
        }
        catch (Exception e)
        {
            var inner = e is System.Reflection.TargetInvocationException { InnerException: { } ie } ? ie : e;
            return Fail(item, $"throws {inner.GetType().Name}: {inner.Message}");
        }
    }

    private static Result Fail(Item item, string why) => new(item.Case.Name, Outcome.Failed, why);

    /// <summary>The case index k of a declaration's path "Network{k}.cs", or -1.</summary>
    private static int DeclarationIndex(string path, int count)
    {
        var match = Regex.Match(path ?? "", @"^Network(\d+)\.cs$");
        return match.Success && int.Parse(match.Groups[1].Value) < count ? int.Parse(match.Groups[1].Value) : -1;
    }

    private static bool OnAttribute(SyntaxTree declaration, Location location) =>
        location.GetLineSpan().Path == declaration.FilePath
        && location.SourceSpan.End <= declaration.Length
        && declaration.GetText().ToString(location.SourceSpan).StartsWith("global::CnnGen.OnnxModel(", StringComparison.Ordinal);

    private static string OnnxDims(CnnGen.Onnx.OnnxValueInfo value) =>
        CnnGen.Onnx.OnnxDataTypes.OnnxName(value.ElementType) + "[" + string.Join(", ", value.Dims) + "]";

    private static string Short(string text) => text.Length <= 120 ? text : text.Substring(0, 117) + "...";

    /// <summary>The op a refusal names ("node 'x' (Conv): ..."), or the kind of graph-level reason.</summary>
    internal static string RefusalGroup(string message)
    {
        var node = Regex.Match(message, @"node (?:'[^']*'|\(unnamed\)) \(([A-Za-z0-9_]+)\)");
        if (node.Success) return node.Groups[1].Value;
        var nodes = Regex.Match(message, @"nodes .* compute an elementwise function");
        if (nodes.Success) return "(elementwise formula)";
        return "(graph) " + Normalize(message);
    }

    /// <summary>A reason without its names and numbers, so like reasons group together.</summary>
    internal static string Normalize(string message)
    {
        string m = Regex.Replace(message, @"^CNN\d+ '[^']*': ", "");
        m = Regex.Replace(m, @"node (?:'[^']*'|\(unnamed\)) \(([A-Za-z0-9_]+)\)", "node ($1)");
        m = Regex.Replace(m, @"'[^']*'", "'_'");
        m = Regex.Replace(m, @"-?\d+(\.\d+)?(e-?\d+)?", "#");
        return m;
    }

    private static string Report(List<Result> results, TimeSpan elapsed, TimeSpan prepared)
    {
        var w = new StringBuilder();
        int Count(Outcome o) => results.Count(r => r.Outcome == o);
        w.AppendLine($"ONNX backend suite ({OnnxSuiteCases.Root}): {results.Count} cases: {Count(Outcome.Passed)} passed, {Count(Outcome.Refused)} refused, {Count(Outcome.Dropped)} dropped, {Count(Outcome.Failed)} failed ({elapsed.TotalSeconds:F1} s, {prepared.TotalSeconds:F1} s reading)");
        w.AppendLine("tolerance: |actual - expected| <= 1e-4 * max(1, |expected|), NaN matches NaN, infinities exactly");
        foreach (var folder in OnnxSuiteCases.Folders)
        {
            var inFolder = results.Where(r => r.Name.StartsWith(folder + "/", StringComparison.Ordinal)).ToList();
            if (inFolder.Count == 0) continue;
            w.AppendLine($"  {folder}: {inFolder.Count} cases: {inFolder.Count(r => r.Outcome == Outcome.Passed)} passed, {inFolder.Count(r => r.Outcome == Outcome.Refused)} refused, {inFolder.Count(r => r.Outcome == Outcome.Dropped)} dropped, {inFolder.Count(r => r.Outcome == Outcome.Failed)} failed");
        }
        w.AppendLine();
        w.AppendLine($"FAILED ({Count(Outcome.Failed)}):");
        foreach (var r in results.Where(r => r.Outcome == Outcome.Failed)) w.AppendLine($"  {r.Name}: {r.Detail}");
        w.AppendLine();
        w.AppendLine($"PASSED ({Count(Outcome.Passed)}):");
        foreach (var r in results.Where(r => r.Outcome == Outcome.Passed)) w.AppendLine($"  {r.Name} ({r.Detail})");
        w.AppendLine();
        var refused = results.Where(r => r.Outcome == Outcome.Refused).ToList();
        w.AppendLine($"REFUSED ({refused.Count}), by the op refused:");
        foreach (var g in refused.GroupBy(r => RefusalGroup(r.Detail)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            w.AppendLine($"  {g.Count(),4}  {g.Key}");
            foreach (var reason in g.GroupBy(r => Normalize(r.Detail)).OrderByDescending(x => x.Count()).Take(4))
                w.AppendLine($"          {reason.Count(),4} x {Short(reason.Key)}   e.g. {reason.First().Name}");
        }
        w.AppendLine();
        w.AppendLine($"DROPPED ({Count(Outcome.Dropped)}), by reason:");
        foreach (var g in results.Where(r => r.Outcome == Outcome.Dropped).GroupBy(r => Normalize(r.Detail)).OrderByDescending(g => g.Count()))
            w.AppendLine($"  {g.Count(),4}  {g.Key}   e.g. {g.First().Name}");
        w.AppendLine();
        w.AppendLine("EVERY REFUSAL:");
        foreach (var r in refused) w.AppendLine($"  {r.Name}: {r.Detail}");
        w.AppendLine();
        w.AppendLine("EVERY DROP:");
        foreach (var r in results.Where(r => r.Outcome == Outcome.Dropped)) w.AppendLine($"  {r.Name}: {r.Detail}");
        return w.ToString();
    }
}
