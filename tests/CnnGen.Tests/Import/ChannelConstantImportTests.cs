using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using CnnGen.Onnx;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using static CnnGen.Tests.Support.OnnxBuild;

namespace CnnGen.Tests.Import;

/// <summary>
/// Add, Sub, Mul and Div of a constant with one number per channel ([C, 1, 1], [1, C, 1, 1]; [C, 1] on a sequence; [F]
/// on a vector), as exporters write an input's normalization (x - mean) / std or a layer scale: each computes its op
/// per channel in either operand order (a divisor only on the right), checked against the arithmetic done here in
/// double; after a convolution the scale folds into it. Constants of another shape are refused with one error.
/// </summary>
public sealed class ChannelConstantImportTests
{
    private sealed record Case(string Name, OnnxModel Model, long[] InputDims, Func<double[], double[]> Expected)
    {
        public byte[] Blob { get; init; } = Array.Empty<byte>();
    }

    /// <summary>A FLOAT tensor whose numbers lie in the weights blob, as the build step puts those of more than 64 elements: not known to the generator.</summary>
    private static (OnnxTensor Tensor, byte[] Blob) InBlob(string name, long[] dims, float[] values)
    {
        var blob = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, blob, 0, blob.Length);
        return (new OnnxTensor(name, OnnxDataType.Float, new OnnxArray<long>(dims), new OnnxTensorData.Blob(0, blob.Length)), blob);
    }

    private static readonly float[] Three = { 0.485f, -0.456f, 2.5f };

    /// <summary>The constant's number for the channel of flat position i of a [channels, rest] value.</summary>
    private static double PerChannel(float[] c, int i, int rest) => c[i / rest];

    private static Case Single(string op, bool constantFirst, long[] input, long[] constantDims, float[] c)
    {
        int rest = (int)(input.Skip(2).Aggregate(1L, (a, b) => a * b));
        var inputs = constantFirst ? new[] { "c", "x" } : new[] { "x", "c" };
        var (tensor, blob) = c.Length > OnnxTensorData.InlineLimit ? InBlob("c", constantDims, c) : (Floats("c", constantDims, c), Array.Empty<byte>());
        var model = Model(Input("x", input), new[] { tensor }, new[] { Node(op, inputs, new[] { "y" }) });
        string name = $"{op}{(constantFirst ? "First" : "")}_{string.Join("x", input)}_{string.Join("x", constantDims)}";
        return new Case(name, model, input, Expected: x => x.Select((v, i) =>
        {
            double k = PerChannel(c, i, rest);
            return (op, constantFirst) switch
            {
                ("Add", _) => v + k,
                ("Sub", false) => v - k,
                ("Sub", true) => k - v,
                ("Mul", _) => v * k,
                ("Div", false) => v / k,
                _ => throw new ArgumentException(op),
            };
        }).ToArray()) { Blob = blob };
    }

    private static IEnumerable<Case> Cases()
    {
        foreach (var (op, first) in new[] { ("Add", false), ("Add", true), ("Sub", false), ("Sub", true), ("Mul", false), ("Mul", true), ("Div", false) })
        {
            yield return Single(op, first, new long[] { 1, 3, 2, 4 }, new long[] { 1, 3, 1, 1 }, Three);
            yield return Single(op, first, new long[] { 1, 3, 2, 4 }, new long[] { 3, 1, 1 }, Three);
            yield return Single(op, first, new long[] { 1, 3, 5 }, new long[] { 3, 1 }, Three);
            yield return Single(op, first, new long[] { 1, 3 }, new long[] { 3 }, Three);
        }
        // 80 channels: numbers in the weights blob, read when the network loads (a divisor's must be known: refused below)
        var wide = Enumerable.Range(0, 80).Select(i => (float)(0.25 + 0.01 * i) * (i % 3 == 0 ? -1 : 1)).ToArray();
        yield return Single("Sub", true, new long[] { 1, 80, 2, 2 }, new long[] { 1, 80, 1, 1 }, wide);
        yield return Single("Add", false, new long[] { 1, 80, 2, 2 }, new long[] { 80, 1, 1 }, wide);
        yield return Single("Mul", false, new long[] { 1, 80, 2, 2 }, new long[] { 80, 1, 1 }, wide);

        // (x - mean) / std, then a 1x1 convolution of 3 to 2 channels
        var weight = new float[] { 0.5f, -1f, 0.25f, 2f, 0.75f, -0.5f };
        var bias = new float[] { 0.1f, -0.2f };
        var std = new float[] { 0.229f, 0.224f, 0.225f };
        yield return new Case("Normalize_then_conv", Model(Input("x", 1, 3, 2, 2),
                new[] { Floats("mean", new long[] { 1, 3, 1, 1 }, Three), Floats("std", new long[] { 1, 3, 1, 1 }, std), Floats("W", new long[] { 2, 3, 1, 1 }, weight), Floats("B", new long[] { 2 }, bias) },
                new[] { Node("Sub", new[] { "x", "mean" }, new[] { "s" }), Node("Div", new[] { "s", "std" }, new[] { "n" }), Node("Conv", new[] { "n", "W", "B" }, new[] { "y" }) }),
            new long[] { 1, 3, 2, 2 },
            x => Enumerable.Range(0, 8).Select(o =>
            {
                int f = o / 4, p = o % 4;
                double sum = bias[f];
                for (int ch = 0; ch < 3; ch++) sum += weight[f * 3 + ch] * ((x[ch * 4 + p] - Three[ch]) / std[ch]);
                return sum;
            }).ToArray());

        // a layer scale: Conv, then Mul by gamma [C, 1, 1], then ReLU (folded into the convolution)
        var gamma = new float[] { 1e-1f, -2f };
        yield return new Case("Conv_then_layer_scale", Model(Input("x", 1, 3, 2, 2),
                new[] { Floats("W", new long[] { 2, 3, 1, 1 }, weight), Floats("B", new long[] { 2 }, bias), Floats("gamma", new long[] { 2, 1, 1 }, gamma) },
                new[] { Node("Conv", new[] { "x", "W", "B" }, new[] { "c" }), Node("Mul", new[] { "gamma", "c" }, new[] { "g" }), Node("Relu", new[] { "g" }, new[] { "y" }) }),
            new long[] { 1, 3, 2, 2 },
            x => Enumerable.Range(0, 8).Select(o =>
            {
                int f = o / 4, p = o % 4;
                double sum = bias[f];
                for (int ch = 0; ch < 3; ch++) sum += weight[f * 3 + ch] * x[ch * 4 + p];
                return Math.Max(0, sum * gamma[f]);
            }).ToArray());
    }

    [Fact]
    public void Channel_constants_compute_their_op_per_channel_in_every_order_and_rank()
    {
        var cases = Cases().ToList();
        var inputs = cases.Select((c, i) => new OnnxHarness.ModelInput(c.Model, c.Blob, $"channel/{c.Name}.onnx", "Channel" + i)).ToList();
        var run = OnnxHarness.RunMany(inputs);
        var errors = run.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10)));
        var (emitted, image) = OnnxHarness.Emit(run.Output, inputs);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Take(10)));
        var assembly = Assembly.Load(image);
        var random = new Random(7);
        for (int i = 0; i < cases.Count; i++)
        {
            var network = (INetwork)Activator.CreateInstance(assembly.GetType("Imported.Channel" + i)!)!;
            var x = new float[network.InputLength];
            for (int j = 0; j < x.Length; j++) x[j] = (float)(random.NextDouble() * 6 - 3);
            var y = new float[network.OutputLength];
            network.Forward(x, y);
            var expected = cases[i].Expected(x.Select(v => (double)v).ToArray());
            Assert.Equal(expected.Length, y.Length);
            for (int j = 0; j < y.Length; j++)
                Assert.True(Math.Abs(y[j] - expected[j]) <= 1e-6 * Math.Max(1, Math.Abs(expected[j])), $"{cases[i].Name}: output {j} is {y[j]:R}, expected {expected[j]:R}");
        }
    }

    [Theory]
    [InlineData("column", "one number per channel")]
    [InlineData("whole map", "one number per channel")]
    [InlineData("other channels", "one number per channel")]
    [InlineData("constant divided", "x / c")]
    [InlineData("tensor power", "x / c")]
    [InlineData("opset 6", "before opset 7")]
    [InlineData("divisor in the blob", "reciprocals")]
    public void Constants_that_are_not_one_per_channel_are_refused_with_one_error(string which, string mention)
    {
        var x = Input("x", 1, 3, 2, 4);
        var model = which switch
        {
            "column" => Model(x, new[] { Random("c", 1, 1, 1, 4) }, new[] { Node("Add", new[] { "x", "c" }, new[] { "y" }) }),
            "whole map" => Model(x, new[] { Random("c", 1, 3, 2, 4) }, new[] { Node("Mul", new[] { "x", "c" }, new[] { "y" }) }),
            "other channels" => Model(Input("x", 1, 1, 2, 4), new[] { Random("c", 1, 3, 1, 1) }, new[] { Node("Add", new[] { "x", "c" }, new[] { "y" }) }),
            "constant divided" => Model(x, new[] { Random("c", 3, 1, 1) }, new[] { Node("Div", new[] { "c", "x" }, new[] { "y" }) }),
            "tensor power" => Model(x, new[] { Random("c", 3, 1, 1) }, new[] { Node("Pow", new[] { "x", "c" }, new[] { "y" }) }),
            "opset 6" => Model(x, new[] { Random("c", 3, 1, 1) }, new[] { Node("Add", new[] { "x", "c" }, new[] { "y" }) }, opset: 6),
            "divisor in the blob" => Model(Input("x", 1, 80, 2, 2), new[] { InBlob("c", new long[] { 80, 1, 1 }, new float[80]).Tensor }, new[] { Node("Div", new[] { "x", "c" }, new[] { "y" }) }),
            _ => throw new ArgumentException(which),
        };
        var run = OnnxHarness.RunMany(new[] { new OnnxHarness.ModelInput(model, new byte[320], "channel/refused.onnx", "Refused") });
        var errors = run.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 1, which + ": " + string.Join("\n", errors));
        Assert.Equal("CNN0030", errors[0].Id);
        Assert.Contains(mention, errors[0].GetMessage(), StringComparison.Ordinal);
    }
}
