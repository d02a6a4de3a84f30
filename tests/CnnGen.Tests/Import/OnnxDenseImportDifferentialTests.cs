using System.Linq;
using CnnGen.Tests.Support;
using Xunit;
using static CnnGen.Tests.Support.OnnxBuild;

namespace CnnGen.Tests.Import;

/// <summary>
/// Linear layers as exporters other than PyTorch's write them: MatMul by weights kept [inputs, outputs] then an Add of
/// the bias (tf2onnx's Keras Dense), and Gemm with transB = 0. On the 512-bit path their weights are copied into
/// chunks of columns at load time as nn.Linear's are (the copy read from the other layout); elsewhere each input
/// scales its row of weights into the outputs. Each imports and matches the reference engine: 40 outputs (three
/// vectors, the last overlapping), 130 as chunks of 80 and 50, 7 (narrower than a vector), over inputs that end on a
/// tail of floats. CI runs it on every SIMD path.
/// </summary>
public sealed class OnnxDenseImportDifferentialTests
{
    [Theory]
    [InlineData(40, 37)]
    [InlineData(130, 61)]
    [InlineData(7, 20)]
    public void A_MatMul_then_an_Add_imports_and_matches_the_reference(int outputs, int inputs)
    {
        var model = Model(Input("x", 1, inputs), new[] { Random("w", inputs, outputs), Random("b", outputs) }, new[]
        {
            Node("MatMul", new[] { "x", "w" }, new[] { "m" }),
            Node("Add", new[] { "m", "b" }, new[] { "y" }),
        });
        var outcome = HostileRunner.Check(new[] { new HostileCase($"matmul_{inputs}x{outputs}", model) }).Single();
        Assert.True(outcome.Verdict == HostileVerdict.Imported && outcome.ToString().Contains("matches the reference"), outcome.ToString());
    }

    [Theory]
    [InlineData(130, 45)]
    [InlineData(16, 300)]
    public void A_Gemm_without_transB_imports_and_matches_the_reference(int outputs, int inputs)
    {
        var model = Model(Input("x", 1, inputs), new[] { Random("w", inputs, outputs), Random("b", outputs) }, new[]
        {
            Node("Gemm", new[] { "x", "w", "b" }, new[] { "y" }),
        });
        var outcome = HostileRunner.Check(new[] { new HostileCase($"gemm_{inputs}x{outputs}", model) }).Single();
        Assert.True(outcome.Verdict == HostileVerdict.Imported && outcome.ToString().Contains("matches the reference"), outcome.ToString());
    }
}
