using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CnnGen.Onnx;
using CnnGen.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static CnnGen.Tests.Support.OnnxBuild;

namespace CnnGen.Tests.Import;

/// <summary>
/// Models no exporter writes, built as the build step's records: huge, negative and zero sizes, attributes out of
/// range or of the wrong type, malformed graphs, hostile names, weights of other types or outside the blob. For each,
/// the generator keeps its promise (<see cref="HostileRunner"/>): no exception, no CNN0099, code that compiles, and
/// either a network that matches the reference engine or one CNN error on the attribute. Where the model is plainly
/// invalid or plainly valid, the case also says which of the two it must be.
/// </summary>
public sealed class HostileOnnxModelTests
{
    private readonly ITestOutputHelper _output;

    public HostileOnnxModelTests(ITestOutputHelper output) => _output = output;

    public enum Expect
    {
        Either,
        Refused,
        Imported,
    }

    private sealed record Entry(HostileCase Case, Expect Expect);

    private const long Big31 = 1L << 31, Big40 = 1L << 40;

    // ---- model builders ----

    /// <summary>x [1, c, h, w] -> Conv(W, B) -> y.</summary>
    private static OnnxModel Conv(long[] input, long[] weight, long[]? bias, params OnnxAttribute[] attributes)
    {
        var inits = new List<OnnxTensor> { Weight("W", weight) };
        if (bias is not null) inits.Add(Weight("B", bias));
        return Model(Input("x", input), inits.ToArray(), new[] { Node("Conv", bias is null ? new[] { "x", "W" } : new[] { "x", "W", "B" }, new[] { "y" }, attributes) });
    }

    /// <summary>A FLOAT tensor: random numbers when small, a blob reference (never read at build time) when it has more than 2^16 elements or an invalid dim.</summary>
    private static OnnxTensor Weight(string name, long[] dims)
    {
        long count = OnnxTensor.ElementCountOf(new OnnxArray<long>(dims));
        if (count < 0) return new OnnxTensor(name, OnnxDataType.Float, new OnnxArray<long>(dims), new OnnxTensorData.Floats(OnnxArray<float>.Empty));
        if (count > 1 << 16) return new OnnxTensor(name, OnnxDataType.Float, new OnnxArray<long>(dims), new OnnxTensorData.Blob(0, count * 4));
        return Random(name, dims);
    }

    private static readonly long[] Map = { 1, 1, 5, 5 };

    private static OnnxModel Conv3(params OnnxAttribute[] attributes) => Conv(Map, new long[] { 2, 1, 3, 3 }, new long[] { 2 }, attributes);

    /// <summary>x [1, 2, 4, 4] -> op(x, constants...) -> y.</summary>
    private static OnnxModel Unary(string op, long[] input, OnnxTensor[] constants, params OnnxAttribute[] attributes) =>
        Model(Input("x", input), constants, new[] { Node(op, new[] { "x" }.Concat(constants.Select(c => c.Name)).ToArray(), new[] { "y" }, attributes) });

    private static OnnxModel Unary(string op, params OnnxAttribute[] attributes) => Unary(op, new long[] { 1, 2, 4, 4 }, Array.Empty<OnnxTensor>(), attributes);

    /// <summary>x [1, 1, 4, 4] -> Reshape(x, shape) -> y.</summary>
    private static OnnxModel Reshape(params long[] shape) =>
        Model(Input("x", 1, 1, 4, 4), new[] { Vector("s", shape) }, new[] { Node("Reshape", new[] { "x", "s" }, new[] { "y" }) });

    /// <summary>x [1, 2, 4, 4] -> Resize(x, roi, scales) -> y (opset 13).</summary>
    private static OnnxModel Resize(float[] scales, string mode = "nearest") =>
        Model(Input("x", 1, 2, 4, 4), new[] { Floats("roi", new long[] { 0 }, Array.Empty<float>()), Floats("scales", new long[] { scales.Length }, scales) },
            new[] { Node("Resize", new[] { "x", "roi", "scales" }, new[] { "y" }, String("mode", mode)) });

    private static OnnxModel Pad(long[] pads, string mode = "constant", long size = 5) =>
        Model(Input("x", 1, 1, size, size), new[] { Vector("p", pads) }, new[] { Node("Pad", new[] { "x", "p" }, new[] { "y" }, String("mode", mode)) });

    /// <summary>x [1, 2, 4, 4] -> BatchNormalization with the given epsilon -> y.</summary>
    private static OnnxModel BatchNorm(float epsilon) =>
        Model(Input("x", 1, 2, 4, 4), new[] { Floats("s", new long[] { 2 }, new[] { 1f, 2f }), Floats("b", new long[] { 2 }, new[] { 0.5f, -0.5f }),
                Floats("m", new long[] { 2 }, new[] { 0.1f, 0.2f }), Floats("v", new long[] { 2 }, new[] { 0.5f, 2f }) },
            new[] { Node("BatchNormalization", new[] { "x", "s", "b", "m", "v" }, new[] { "y" }, Float("epsilon", epsilon)) });

    /// <summary>x [1, 1, 4, 4] -> Flatten -> Gemm(W [out, in] transposed, bias) -> y.</summary>
    private static OnnxModel Gemm(long[] weight, long[] bias, params OnnxAttribute[] attributes) =>
        Model(Input("x", 1, 1, 4, 4), new[] { Weight("W", weight), Weight("B", bias) },
            new[] { Node("Flatten", new[] { "x" }, new[] { "f" }), Node("Gemm", new[] { "f", "W", "B" }, new[] { "y" }, attributes.Length > 0 ? attributes : new[] { Int("transB", 1) }) });

    private static OnnxModel MatMul(long[] weight) =>
        Model(Input("x", 1, 1, 4, 4), new[] { Weight("W", weight) },
            new[] { Node("Flatten", new[] { "x" }, new[] { "f" }), Node("MatMul", new[] { "f", "W" }, new[] { "y" }) });

    private static OnnxModel WithOpset(OnnxModel model, long opset) => model with { Opsets = OnnxArray.Of(new OnnxOpset("", opset)) };

    private static OnnxTensor Typed(string name, OnnxDataType type, long[] dims, OnnxTensorData data) => new(name, type, new OnnxArray<long>(dims), data);

    // ---- the cases ----

    private static IEnumerable<(string Name, OnnxModel Model, Expect Expect)> Models()
    {
        yield return ("baseline_conv", Conv3(), Expect.Imported);
        yield return ("baseline_conv_pads_strides", Conv3(Ints("pads", 1, 1, 1, 1), Ints("strides", 2, 2)), Expect.Imported);

        // the input's dims
        yield return ("input_2^20x2^20", Conv(new long[] { 1, 1, 1 << 20, 1 << 20 }, new long[] { 1, 1, 3, 3 }, null), Expect.Refused);
        yield return ("input_negative_height", Conv(new long[] { 1, 1, -5, 5 }, new long[] { 1, 1, 3, 3 }, null), Expect.Refused);
        yield return ("input_zero_channels", Conv(new long[] { 1, 0, 5, 5 }, new long[] { 1, 0, 3, 3 }, null), Expect.Refused);
        yield return ("input_2^31_channels", Unary("Relu", new long[] { 1, Big31, 1, 1 }, Array.Empty<OnnxTensor>()), Expect.Refused);
        yield return ("input_int_max_height", Unary("Relu", new long[] { 1, 1, int.MaxValue, 1 }, Array.Empty<OnnxTensor>()), Expect.Refused);
        yield return ("input_product_past_int", Unary("Relu", new long[] { 1, 65536, 65536, 2 }, Array.Empty<OnnxTensor>()), Expect.Refused);
        yield return ("input_product_2^60", Unary("Relu", new long[] { 1, 1L << 30, 1L << 30, 1 }, Array.Empty<OnnxTensor>()), Expect.Refused);
        yield return ("input_negative_batch", Unary("Relu", new long[] { -1, 2, 4, 4 }, Array.Empty<OnnxTensor>()), Expect.Either);
        yield return ("input_zero_batch", Unary("Relu", new long[] { 0, 2, 4, 4 }, Array.Empty<OnnxTensor>()), Expect.Either);
        yield return ("input_rank_5", Unary("Relu", new long[] { 1, 1, 2, 2, 2 }, Array.Empty<OnnxTensor>()), Expect.Refused);
        yield return ("input_rank_1", Unary("Relu", new long[] { 4 }, Array.Empty<OnnxTensor>()), Expect.Refused);
        yield return ("input_rank_0", Unary("Relu", Array.Empty<long>(), Array.Empty<OnnxTensor>()), Expect.Refused);
        yield return ("input_symbolic_height", Model(new OnnxValueInfo("x", OnnxTypeKind.Tensor, OnnxDataType.Float, true, OnnxArray.Of(OnnxDim.Fixed(1), OnnxDim.Fixed(1), OnnxDim.Symbolic("h"), OnnxDim.Unknown)),
            Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, new[] { "y" }) }), Expect.Refused);
        yield return ("input_int64", Model(new OnnxValueInfo("x", OnnxTypeKind.Tensor, OnnxDataType.Int64, true, OnnxArray.Of(OnnxDim.Fixed(1), OnnxDim.Fixed(4))),
            Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, new[] { "y" }) }), Expect.Refused);
        yield return ("input_sequence_type", Model(new OnnxValueInfo("x", OnnxTypeKind.Sequence, OnnxDataType.Undefined, false, OnnxArray<OnnxDim>.Empty),
            Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, new[] { "y" }) }), Expect.Refused);

        // the weights' dims
        yield return ("weight_2^31_filters", Conv(Map, new long[] { Big31, 1, 3, 3 }, null), Expect.Refused);
        yield return ("weight_2^31_kernel", Conv(Map, new long[] { 1, 1, Big31, 3 }, null), Expect.Refused);
        yield return ("weight_negative_filters", Conv(Map, new long[] { -2, 1, 3, 3 }, null), Expect.Refused);
        yield return ("weight_zero_filters", Conv(Map, new long[] { 0, 1, 3, 3 }, null), Expect.Either);
        yield return ("weight_zero_kernel", Conv(Map, new long[] { 2, 1, 0, 3 }, null), Expect.Refused);
        yield return ("weight_product_overflow", Conv(Map, new long[] { Big31, Big31, Big31, Big31 }, null), Expect.Refused);
        yield return ("weight_rank_3_on_map", Conv(Map, new long[] { 2, 1, 3 }, null), Expect.Refused);
        yield return ("weight_rank_5_on_map", Conv(Map, new long[] { 2, 1, 3, 3, 1 }, null), Expect.Refused);
        yield return ("weight_in_channels_mismatch", Conv(new long[] { 1, 3, 5, 5 }, new long[] { 2, 2, 3, 3 }, null), Expect.Refused);
        yield return ("bias_wrong_length", Conv(Map, new long[] { 2, 1, 3, 3 }, new long[] { 3 }), Expect.Refused);
        yield return ("bias_rank_2", Conv(Map, new long[] { 2, 1, 3, 3 }, new long[] { 2, 1 }), Expect.Either);
        yield return ("bias_empty", Conv(Map, new long[] { 2, 1, 3, 3 }, new long[] { 0 }), Expect.Refused);

        // kernel and attributes of Conv
        yield return ("kernel_larger_than_input", Conv(new long[] { 1, 1, 3, 3 }, new long[] { 1, 1, 5, 5 }, null), Expect.Refused);
        yield return ("kernel_larger_than_input_padded_to_fit", Conv(new long[] { 1, 1, 3, 3 }, new long[] { 1, 1, 5, 5 }, null, Ints("pads", 1, 1, 1, 1)), Expect.Imported);
        yield return ("kernel_shape_contradicts_weight", Conv3(Ints("kernel_shape", 5, 5)), Expect.Refused);
        yield return ("kernel_shape_string", Conv3(String("kernel_shape", "3x3")), Expect.Refused);
        yield return ("kernel_shape_negative", Conv3(Ints("kernel_shape", -3, -3)), Expect.Refused);
        foreach (long s in new[] { 0L, -1L, Big31, Big40, long.MaxValue, long.MinValue })
            yield return ($"strides_{s}", Conv3(Ints("strides", s, s)), s <= 0 ? Expect.Refused : Expect.Either);
        yield return ("strides_one_value", Conv3(Ints("strides", 2)), Expect.Refused);
        yield return ("strides_float", Conv3(Floats("strides", 1f, 1f)), Expect.Refused);
        foreach (long d in new[] { 0L, -1L, 2L, Big31, long.MaxValue })
            yield return ($"dilations_{d}", Conv3(Ints("dilations", d, d)), d <= 0 || d > 2 ? Expect.Refused : Expect.Either);
        foreach (long p in new[] { -1L, -3L, 1L << 30, Big31, Big40, long.MaxValue, long.MinValue })
            yield return ($"pads_{p}", Conv3(Ints("pads", p, p, p, p)), p < -1 || p > 1000 ? Expect.Refused : Expect.Either);
        yield return ("pads_asymmetric_negative", Conv3(Ints("pads", 0, 0, -1, 2)), Expect.Either);
        yield return ("pads_wrong_count", Conv3(Ints("pads", 1, 1)), Expect.Refused);
        yield return ("auto_pad_garbage", Conv3(String("auto_pad", "FOO")), Expect.Refused);
        yield return ("auto_pad_same_with_huge_stride", Conv3(String("auto_pad", "SAME_UPPER"), Ints("strides", 1L << 29, 1L << 29)), Expect.Either);
        foreach (long g in new[] { 0L, -1L, 3L, Big31, long.MinValue })
            yield return ($"group_{g}", Conv(new long[] { 1, 2, 5, 5 }, new long[] { 2, 1, 3, 3 }, null, Int("group", g)), Expect.Refused);
        yield return ("group_2_depthwise", Conv(new long[] { 1, 2, 5, 5 }, new long[] { 2, 1, 3, 3 }, new long[] { 2 }, Int("group", 2)), Expect.Imported);
        yield return ("group_not_dividing_filters", Conv(new long[] { 1, 2, 5, 5 }, new long[] { 3, 1, 3, 3 }, null, Int("group", 2)), Expect.Refused);
        yield return ("group_as_float", Conv(new long[] { 1, 2, 5, 5 }, new long[] { 2, 1, 3, 3 }, null, Float("group", 2f)), Expect.Refused);

        // the graph's structure
        yield return ("node_reads_undefined_value", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "nope" }, new[] { "y" }) }), Expect.Refused);
        yield return ("node_reads_undefined_weight", Model(Input("x", 1, 1, 5, 5), Array.Empty<OnnxTensor>(), new[] { Node("Conv", new[] { "x", "W" }, new[] { "y" }) }), Expect.Refused);
        yield return ("output_defined_twice", Model(Input("x", 1, 1, 5, 5), new[] { Random("W", 1, 1, 3, 3), Random("W2", 1, 1, 1, 1) },
            new[] { Node("Conv", new[] { "x", "W" }, new[] { "h" }), Node("Conv", new[] { "x", "W2" }, new[] { "h" }), Node("Relu", new[] { "h" }, new[] { "y" }) }), Expect.Refused);
        yield return ("graph_output_defined_twice", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(),
            new[] { Node("Relu", new[] { "x" }, new[] { "y" }), Node("Sigmoid", new[] { "x" }, new[] { "y" }) }), Expect.Refused);
        yield return ("node_overwrites_the_input", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(),
            new[] { Node("Sigmoid", new[] { "x" }, new[] { "x" }), Node("Relu", new[] { "x" }, new[] { "y" }) }), Expect.Refused);
        yield return ("node_overwrites_an_initializer", Model(Input("x", 1, 1, 5, 5), new[] { Random("W", 1, 1, 3, 3) },
            new[] { Node("Relu", new[] { "x" }, new[] { "W" }), Node("Conv", new[] { "x", "W" }, new[] { "y" }) }), Expect.Refused);
        yield return ("cycle_self", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("Add", new[] { "x", "y" }, new[] { "y" }) }), Expect.Refused);
        yield return ("cycle_two_nodes", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(),
            new[] { Node("Add", new[] { "x", "b" }, new[] { "a" }), Node("Relu", new[] { "a" }, new[] { "b" }), Node("Relu", new[] { "b" }, new[] { "y" }) }), Expect.Refused);
        yield return ("nodes_out_of_order", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(),
            new[] { Node("Relu", new[] { "a" }, new[] { "y" }), Node("Sigmoid", new[] { "x" }, new[] { "a" }) }), Expect.Refused);
        yield return ("graph_output_is_input", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), Array.Empty<OnnxNode>(), "x"), Expect.Either);
        yield return ("graph_output_is_input_with_nodes", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, new[] { "h" }) }, "x"), Expect.Either);
        yield return ("graph_output_never_computed", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, new[] { "h" }) }, "z"), Expect.Refused);
        yield return ("graph_output_is_initializer", Model(Input("x", 1, 2, 4, 4), new[] { Random("c", 2) }, new[] { Node("Relu", new[] { "x" }, new[] { "h" }) }, "c"), Expect.Refused);
        yield return ("no_nodes", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), Array.Empty<OnnxNode>()), Expect.Refused);
        yield return ("no_outputs", Model(new[] { Input("x", 1, 2, 4, 4) }, Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, new[] { "y" }) }, Array.Empty<OnnxValueInfo>()), Expect.Refused);
        yield return ("no_inputs", Model(Array.Empty<OnnxValueInfo>(), Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, new[] { "y" }) }, new[] { Output("y") }), Expect.Refused);
        yield return ("two_outputs", Model(new[] { Input("x", 1, 2, 4, 4) }, Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, new[] { "y" }), Node("Sigmoid", new[] { "x" }, new[] { "z" }) }, new[] { Output("y"), Output("z") }), Expect.Refused);
        yield return ("input_listed_twice", Model(new[] { Input("x", 1, 2, 4, 4), Input("x", 1, 2, 4, 4) }, Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, new[] { "y" }) }, new[] { Output("y") }), Expect.Either);
        yield return ("initializer_listed_twice", Model(Input("x", 1, 1, 5, 5), new[] { Random("W", 1, 1, 3, 3), Random("W", 1, 1, 1, 1) },
            new[] { Node("Conv", new[] { "x", "W" }, new[] { "y" }) }), Expect.Either);
        yield return ("initializer_shadows_input", Model(Input("x", 1, 1, 2, 2), new[] { Random("x", 1, 1, 2, 2) }, new[] { Node("Relu", new[] { "x" }, new[] { "y" }) }), Expect.Refused);
        yield return ("two_nodes_same_name", Model(Input("x", 1, 1, 5, 5), new[] { Random("W1", 2, 1, 3, 3), Random("W2", 2, 2, 1, 1) },
            new[] { Named("n", "Conv", new[] { "x", "W1" }, new[] { "h" }), Named("n", "Conv", new[] { "h", "W2" }, new[] { "y" }) }), Expect.Imported);
        yield return ("two_nodes_same_name_relu", Model(Input("x", 1, 1, 5, 5), new[] { Random("W1", 2, 1, 3, 3) },
            new[] { Named("n", "Conv", new[] { "x", "W1" }, new[] { "h" }), Named("n", "Relu", new[] { "h" }, new[] { "y" }) }), Expect.Imported);
        yield return ("empty_node_names", Model(Input("x", 1, 1, 5, 5), new[] { Random("W1", 2, 1, 3, 3), Random("W2", 2, 2, 1, 1) },
            new[] { Named("", "Conv", new[] { "x", "W1" }, new[] { "h" }), Named("", "Relu", new[] { "h" }, new[] { "r" }), Named("", "Conv", new[] { "r", "W2" }, new[] { "y" }) }), Expect.Imported);
        yield return ("empty_output_name", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, new[] { "" }) }, ""), Expect.Refused);
        yield return ("empty_value_names", Model(Input("", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Named("", "Relu", new[] { "" }, new[] { "y" }) }), Expect.Either);
        foreach (var (label, s) in new[] { ("quotes", "a\"b'c\\"), ("newline", "a\nb\r\nc"), ("unicode_line_separators", "a\u2028b\u2029c\u0085d"),
                     ("comment_end", "x*/ } class Oops { /*"), ("xml", "<summary>&amp;</summary>"), ("unicode", "权重_é_\U0001F600"), ("nul", "a\0b"), ("lone_surrogate", "a\uD800b"),
                     ("directive", "\n#error hostile\n"), ("long", new string('n', 5000)) })
        {
            string w = "W" + s, b = "B" + s, h = "h" + s, y = "y" + s;
            yield return ($"names_{label}", Model(Input("x" + s, 1, 1, 5, 5), new[] { Random(w, 2, 1, 3, 3), Random(b, 2) },
                new[] { Named("conv" + s, "Conv", new[] { "x" + s, w, b }, new[] { h }), Named("relu" + s, "Relu", new[] { h }, new[] { y }) }, y), Expect.Imported);
        }

        // attributes of the wrong type
        yield return ("leakyrelu_alpha_int", Unary("LeakyRelu", Int("alpha", 1)), Expect.Refused);
        yield return ("leakyrelu_alpha_string", Unary("LeakyRelu", String("alpha", "0.1")), Expect.Refused);
        yield return ("leakyrelu_alpha_nan", Unary("LeakyRelu", Float("alpha", float.NaN)), Expect.Either);
        yield return ("leakyrelu_alpha_infinity", Unary("LeakyRelu", Float("alpha", float.PositiveInfinity)), Expect.Either);
        yield return ("elu_alpha_nan", Unary("Elu", Float("alpha", float.NaN)), Expect.Either);
        yield return ("hardsigmoid_alpha_ints", Unary("HardSigmoid", Ints("alpha", 1)), Expect.Refused);
        yield return ("softmax_axis_string", Unary("Softmax", String("axis", "1")), Expect.Refused);
        yield return ("maxpool_kernel_floats", Unary("MaxPool", Floats("kernel_shape", 2f, 2f)), Expect.Refused);
        yield return ("attribute_graph", Unary("Relu", new OnnxAttribute.Graph("body", new OnnxGraph("", default, default, default, default, default))), Expect.Either);
        yield return ("attribute_unsupported", Unary("Relu", new OnnxAttribute.Unsupported("t", OnnxAttributeType.SparseTensor)), Expect.Either);

        // Constant and shape arithmetic
        yield return ("constant_huge_tensor", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[]
        {
            Node("Constant", Array.Empty<string>(), new[] { "c" }, TensorAttribute("value", new OnnxTensor("", OnnxDataType.Float, OnnxArray.Of(1L << 20, 1L << 20), new OnnxTensorData.Blob(0, 4L << 40)))),
            Node("Add", new[] { "x", "c" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("constant_huge_int_tensor_without_values", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[]
        {
            Node("Constant", Array.Empty<string>(), new[] { "c" }, TensorAttribute("value", Typed("", OnnxDataType.Int64, new[] { 1L << 40 }, new OnnxTensorData.Ints(OnnxArray<long>.Empty)))),
            Node("Reshape", new[] { "x", "c" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("constant_no_value", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[]
        {
            Node("Constant", Array.Empty<string>(), new[] { "c" }), Node("Add", new[] { "x", "c" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("constant_value_int_attribute", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[]
        {
            Node("Constant", Array.Empty<string>(), new[] { "c" }, Int("value", 3)), Node("Add", new[] { "x", "c" }, new[] { "y" }),
        }), Expect.Either);
        yield return ("constant_of_shape_2^62", Model(Input("x", 1, 2, 4, 4), new[] { Vector("s", Big31, Big31) }, new[]
        {
            Node("ConstantOfShape", new[] { "s" }, new[] { "c" }), Node("Add", new[] { "x", "c" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("constant_of_shape_negative", Model(Input("x", 1, 2, 4, 4), new[] { Vector("s", -4, 4) }, new[]
        {
            Node("ConstantOfShape", new[] { "s" }, new[] { "c" }), Node("Add", new[] { "x", "c" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("range_2^40_elements", Model(Input("x", 1, 2, 4, 4), new[] { Vector("a", 0), Vector("b", Big40), Vector("d", 1) }, new[]
        {
            Node("Range", new[] { "a", "b", "d" }, new[] { "r" }), Node("Reshape", new[] { "x", "r" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("range_step_0", Model(Input("x", 1, 2, 4, 4), new[] { Vector("a", 0), Vector("b", 10), Vector("d", 0) }, new[]
        {
            Node("Range", new[] { "a", "b", "d" }, new[] { "r" }), Node("Reshape", new[] { "x", "r" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("reshape_minus1_twice", Reshape(-1, -1), Expect.Refused);
        yield return ("reshape_negative_dim", Reshape(1, -4, 4), Expect.Refused);
        yield return ("reshape_wrong_count", Reshape(1, 3, 5), Expect.Refused);
        yield return ("reshape_zero_copies_past_rank", Reshape(0, 0, 0, 0, 0, 0), Expect.Refused);
        yield return ("reshape_huge", Reshape(1, Big40, 1L << 30), Expect.Refused);
        yield return ("reshape_long_min", Reshape(long.MinValue, 16), Expect.Refused);
        yield return ("reshape_float_shape", Model(Input("x", 1, 1, 4, 4), new[] { Floats("s", new long[] { 2 }, new[] { 1f, 16f }) }, new[] { Node("Reshape", new[] { "x", "s" }, new[] { "y" }) }), Expect.Refused);
        foreach (long index in new[] { 10L, -100L, long.MaxValue, long.MinValue })
            yield return ($"shape_gather_index_{index}", Model(Input("x", 1, 1, 4, 4), new[] { Int64s("i", Array.Empty<long>(), index), Vector("minus", -1) }, new[]
            {
                Node("Shape", new[] { "x" }, new[] { "s" }), Node("Gather", new[] { "s", "i" }, new[] { "g" }, Int("axis", 0)),
                Node("Unsqueeze", new[] { "g" }, new[] { "u" }, Ints("axes", 0)), Node("Concat", new[] { "u", "minus" }, new[] { "shape" }, Int("axis", 0)),
                Node("Reshape", new[] { "x", "shape" }, new[] { "y" }),
            }, opset: 11), Expect.Refused);
        yield return ("gather_axis_out_of_range", Model(Input("x", 1, 1, 4, 4), new[] { Int64s("i", Array.Empty<long>(), 0) }, new[]
        {
            Node("Shape", new[] { "x" }, new[] { "s" }), Node("Gather", new[] { "s", "i" }, new[] { "g" }, Int("axis", 7)), Node("Reshape", new[] { "x", "g" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("slice_constant_step_0", Model(Input("x", 1, 1, 4, 4), new[] { Vector("st", 0), Vector("en", 4), Vector("ax", 0), Vector("sp", 0) }, new[]
        {
            Node("Shape", new[] { "x" }, new[] { "s" }), Node("Slice", new[] { "s", "st", "en", "ax", "sp" }, new[] { "sl" }), Node("Reshape", new[] { "x", "sl" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("slice_activation_step_0", Model(Input("x", 1, 1, 4, 4), new[] { Vector("st", 0), Vector("en", 2), Vector("ax", 2), Vector("sp", 0) }, new[]
        {
            Node("Slice", new[] { "x", "st", "en", "ax", "sp" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("slice_activation_huge", Model(Input("x", 1, 1, 4, 4), new[] { Vector("st", long.MinValue), Vector("en", long.MaxValue), Vector("ax", 99), Vector("sp", long.MinValue) }, new[]
        {
            Node("Slice", new[] { "x", "st", "en", "ax", "sp" }, new[] { "y" }),
        }), Expect.Refused);
        yield return ("concat_mismatched_height", Model(Input("x", 1, 1, 4, 4), Array.Empty<OnnxTensor>(), new[]
        {
            Node("MaxPool", new[] { "x" }, new[] { "p" }, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)), Node("Concat", new[] { "x", "p" }, new[] { "y" }, Int("axis", 1)),
        }), Expect.Refused);
        yield return ("concat_mismatched_channels_on_height", Model(Input("x", 1, 2, 4, 4), new[] { Random("W", 3, 2, 1, 1) }, new[]
        {
            Node("Conv", new[] { "x", "W" }, new[] { "c" }), Node("Concat", new[] { "x", "c" }, new[] { "y" }, Int("axis", 2)),
        }), Expect.Refused);
        foreach (long axis in new[] { 4L, -5L, Big31 })
            yield return ($"concat_axis_{axis}", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[]
            {
                Node("Relu", new[] { "x" }, new[] { "r" }), Node("Concat", new[] { "x", "r" }, new[] { "y" }, Int("axis", axis)),
            }), Expect.Refused);

        // Resize, Pad
        foreach (var (label, s) in new[] { ("0", 0f), ("nan", float.NaN), ("1e9", 1e9f), ("negative", -2f), ("infinity", float.PositiveInfinity), ("tiny", 1e-30f), ("65536", 65536f) })
            yield return ($"resize_scale_{label}", Resize(new[] { 1f, 1f, s, s }), Expect.Refused);
        yield return ("resize_scale_on_batch", Resize(new[] { 2f, 1f, 2f, 2f }), Expect.Refused);
        yield return ("resize_scales_wrong_count", Resize(new[] { 2f, 2f }), Expect.Refused);
        yield return ("resize_mode_garbage", Resize(new[] { 1f, 1f, 2f, 2f }, "cubic\n"), Expect.Refused);
        yield return ("resize_sizes_huge", Model(Input("x", 1, 2, 4, 4), new[] { Floats("roi", new long[] { 0 }, Array.Empty<float>()), Floats("scales", new long[] { 0 }, Array.Empty<float>()), Vector("sizes", 1, 2, Big31, Big31) },
            new[] { Node("Resize", new[] { "x", "roi", "scales", "sizes" }, new[] { "y" }) }), Expect.Refused);
        yield return ("upsample_scale_nan_opset9", WithOpset(Model(Input("x", 1, 2, 4, 4), new[] { Floats("scales", new long[] { 4 }, new[] { 1f, 1f, float.NaN, 2f }) },
            new[] { Node("Upsample", new[] { "x", "scales" }, new[] { "y" }) }), 9), Expect.Refused);
        yield return ("pad_2^40", Pad(new long[] { 0, 0, Big40, Big40, 0, 0, Big40, Big40 }), Expect.Refused);
        yield return ("pad_2^20", Pad(new long[] { 0, 0, 1 << 20, 1 << 20, 0, 0, 1 << 20, 1 << 20 }), Expect.Refused);
        yield return ("pad_long_min", Pad(new long[] { 0, 0, long.MinValue, 0, 0, 0, 0, 0 }), Expect.Refused);
        yield return ("pad_reflect_larger_than_input", Pad(new long[] { 0, 0, 10, 10, 0, 0, 10, 10 }, "reflect"), Expect.Refused);
        yield return ("pad_reflect_equal_to_input", Pad(new long[] { 0, 0, 5, 5, 0, 0, 5, 5 }, "reflect"), Expect.Refused);
        yield return ("pad_reflect_input_1", Pad(new long[] { 0, 0, 1, 1, 0, 0, 1, 1 }, "reflect", size: 1), Expect.Refused);
        yield return ("pad_edge_2^20", Pad(new long[] { 0, 0, 1 << 20, 0, 0, 0, 0, 0 }, "edge"), Expect.Either);
        yield return ("pad_edge_2^30", Pad(new long[] { 0, 0, 1 << 30, 0, 0, 0, 0, 0 }, "edge"), Expect.Refused);
        yield return ("pad_negative_crop_all", Pad(new long[] { 0, 0, -3, -3, 0, 0, -3, -3 }), Expect.Refused);
        yield return ("pad_wrong_count", Pad(new long[] { 1, 1 }), Expect.Refused);
        yield return ("pad_on_channels", Pad(new long[] { 0, 1, 0, 0, 0, 1, 0, 0 }), Expect.Either);
        yield return ("pad_mode_garbage", Pad(new long[] { 0, 0, 1, 1, 0, 0, 1, 1 }, "wrap\""), Expect.Refused);

        // activations and normalizations with odd parameters
        yield return ("clip_min_greater_than_max", Unary("Clip", new long[] { 1, 2, 4, 4 }, new[] { Scalar("lo", 1f), Scalar("hi", -1f) }), Expect.Either);
        yield return ("clip_nan_bounds", Unary("Clip", new long[] { 1, 2, 4, 4 }, new[] { Scalar("lo", float.NaN), Scalar("hi", float.NaN) }), Expect.Either);
        yield return ("clip_min_greater_than_max_opset6", WithOpset(Unary("Clip", Float("min", 1f), Float("max", -1f)), 6), Expect.Either);
        yield return ("erf_of_nan", Model(Input("x", 1, 2, 4, 4), new[] { Scalar("nan", float.NaN) },
            new[] { Node("Mul", new[] { "x", "nan" }, new[] { "m" }), Node("Erf", new[] { "m" }, new[] { "y" }) }), Expect.Either);
        yield return ("erf_of_sqrt", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(),
            new[] { Node("Sqrt", new[] { "x" }, new[] { "m" }), Node("Erf", new[] { "m" }, new[] { "y" }) }), Expect.Either);
        yield return ("erf_of_div_by_zero", Model(Input("x", 1, 2, 4, 4), new[] { Scalar("zero", 0f) },
            new[] { Node("Div", new[] { "x", "zero" }, new[] { "m" }), Node("Erf", new[] { "m" }, new[] { "y" }) }), Expect.Either);
        yield return ("batchnorm_epsilon_negative", BatchNorm(-1f), Expect.Either);
        yield return ("batchnorm_epsilon_nan", BatchNorm(float.NaN), Expect.Either);
        yield return ("batchnorm_epsilon_huge", BatchNorm(float.MaxValue), Expect.Either);
        yield return ("batchnorm_wrong_length", Model(Input("x", 1, 2, 4, 4), new[] { Random("s", 3), Random("b", 2), Random("m", 2), Random("v", 2) },
            new[] { Node("BatchNormalization", new[] { "x", "s", "b", "m", "v" }, new[] { "y" }) }), Expect.Refused);
        foreach (long axis in new[] { 4L, -5L, 100L, long.MinValue })
            yield return ($"softmax_axis_{axis}", Unary("Softmax", Int("axis", axis)), Expect.Refused);
        yield return ("logsoftmax_axis_huge", Unary("LogSoftmax", Int("axis", Big40)), Expect.Refused);
        yield return ("flatten_axis_9", Unary("Flatten", Int("axis", 9)), Expect.Refused);
        yield return ("transpose_perm_garbage", Unary("Transpose", Ints("perm", 0, 0, 9, -1)), Expect.Refused);
        yield return ("depth_to_space_blocksize_0", Unary("DepthToSpace", Int("blocksize", 0)), Expect.Refused);
        yield return ("depth_to_space_blocksize_huge", Unary("DepthToSpace", Int("blocksize", Big31)), Expect.Refused);
        yield return ("depth_to_space_blocksize_negative", Unary("DepthToSpace", Int("blocksize", -2)), Expect.Refused);
        yield return ("maxpool_kernel_0", Unary("MaxPool", Ints("kernel_shape", 0, 0)), Expect.Refused);
        yield return ("maxpool_kernel_huge", Unary("MaxPool", Ints("kernel_shape", Big31, Big31)), Expect.Refused);
        yield return ("maxpool_kernel_larger_than_input", Unary("MaxPool", Ints("kernel_shape", 5, 5)), Expect.Refused);
        yield return ("maxpool_pads_larger_than_kernel", Unary("MaxPool", Ints("kernel_shape", 2, 2), Ints("pads", 3, 3, 3, 3)), Expect.Refused);
        yield return ("maxpool_stride_0", Unary("MaxPool", Ints("kernel_shape", 2, 2), Ints("strides", 0, 0)), Expect.Refused);
        yield return ("avgpool_ceil_window_off_the_map", Unary("AveragePool", Ints("kernel_shape", 3, 3), Ints("strides", 3, 3), Int("ceil_mode", 1)), Expect.Either);
        yield return ("avgpool_kernel_negative", Unary("AveragePool", Ints("kernel_shape", -2, -2)), Expect.Refused);
        // padding PyTorch's pools do not take: a layer of padding before the pool, or a symmetric equivalent
        yield return ("maxpool_pads_one_end_2^31", Unary("MaxPool", Ints("kernel_shape", 2, 2), Ints("pads", 0, 0, (long)int.MaxValue, (long)int.MaxValue)), Expect.Refused);
        yield return ("maxpool_pads_start_2^31", Unary("MaxPool", Ints("kernel_shape", 2, 2), Ints("pads", (long)int.MaxValue, 0, 0, 0)), Expect.Refused);
        yield return ("avgpool_counted_pads_2^30_each_end", Unary("AveragePool", Ints("kernel_shape", 3, 3), Ints("pads", 1L << 30, 1L << 30, 1L << 30, 1L << 30), Int("count_include_pad", 1)), Expect.Refused);
        yield return ("avgpool_counted_pads_one_end_huge", Unary("AveragePool", Ints("kernel_shape", 3, 3), Ints("pads", 0, 0, 1L << 20, 1), Int("count_include_pad", 1)), Expect.Either);
        yield return ("avgpool_uncounted_same_upper_kernel_huge", Unary("AveragePool", Ints("kernel_shape", Big31 - 1, 2), String("auto_pad", "SAME_UPPER")), Expect.Refused);
        yield return ("maxpool_same_lower_stride_huge", Unary("MaxPool", Ints("kernel_shape", 3, 3), Ints("strides", Big31 - 1, 1), String("auto_pad", "SAME_LOWER")), Expect.Either);
        yield return ("maxpool_dilations_2^31", Unary("MaxPool", Ints("kernel_shape", 2, 2), Ints("dilations", Big31 - 1, 1)), Expect.Refused);
        yield return ("maxpool_dilations_0", Unary("MaxPool", Ints("kernel_shape", 2, 2), Ints("dilations", 0, 0)), Expect.Refused);
        yield return ("maxpool_dilations_negative", Unary("MaxPool", Ints("kernel_shape", 2, 2), Ints("dilations", -1, 2)), Expect.Refused);
        yield return ("maxpool_dilated_pads_one_end", Unary("MaxPool", Ints("kernel_shape", 2, 2), Ints("dilations", 2, 2), Ints("pads", 0, 0, 1, 1)), Expect.Either);
        yield return ("maxpool_dilated_same_upper", Unary("MaxPool", Ints("kernel_shape", 2, 2), Ints("dilations", 2, 1), String("auto_pad", "SAME_UPPER")), Expect.Either);
        yield return ("avgpool_dilations", Unary("AveragePool", Ints("kernel_shape", 2, 2), Ints("dilations", 2, 2)), Expect.Refused);
        yield return ("maxpool_ceil_pads_one_end", Unary("MaxPool", Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 0, 2, 2, 0), Int("ceil_mode", 1)), Expect.Either);
        yield return ("prelu_slope_wrong_length", Unary("PRelu", new long[] { 1, 2, 4, 4 }, new[] { Random("a", 3, 1, 1) }), Expect.Refused);

        // Gemm, MatMul
        yield return ("gemm_weight_count_mismatch", Gemm(new long[] { 3, 10 }, new long[] { 3 }), Expect.Refused);
        yield return ("gemm_bias_wrong_length", Gemm(new long[] { 3, 16 }, new long[] { 5 }), Expect.Refused);
        yield return ("gemm_weight_rank_3", Gemm(new long[] { 3, 16, 1 }, new long[] { 3 }), Expect.Refused);
        yield return ("gemm_weight_2^31_rows", Gemm(new long[] { Big31, 16 }, new long[] { 3 }), Expect.Refused);
        yield return ("gemm_alpha_nan", Gemm(new long[] { 3, 16 }, new long[] { 3 }, Int("transB", 1), Float("alpha", float.NaN)), Expect.Either);
        yield return ("gemm_transA", Gemm(new long[] { 3, 16 }, new long[] { 3 }, Int("transB", 1), Int("transA", 1)), Expect.Refused);
        yield return ("gemm_transB_7", Gemm(new long[] { 3, 16 }, new long[] { 3 }, Int("transB", 7)), Expect.Either);
        yield return ("matmul_weight_rank_1", MatMul(new long[] { 16 }), Expect.Either);
        yield return ("matmul_weight_rank_3", MatMul(new long[] { 2, 16, 3 }), Expect.Refused);
        yield return ("matmul_weight_rows_mismatch", MatMul(new long[] { 15, 3 }), Expect.Refused);
        yield return ("matmul_weight_zero_columns", MatMul(new long[] { 16, 0 }), Expect.Either);

        // weights of other types
        foreach (var (label, tensor) in new[]
                 {
                     ("int8", Typed("W", OnnxDataType.Int8, new long[] { 2, 1, 3, 3 }, new OnnxTensorData.Ints(new OnnxArray<long>(Enumerable.Range(0, 18).Select(i => (long)i - 9))))),
                     ("float16", Typed("W", OnnxDataType.Float16, new long[] { 2, 1, 3, 3 }, new OnnxTensorData.Floats(new OnnxArray<float>(Enumerable.Range(0, 18).Select(i => i / 8f))))),
                     ("double", Typed("W", OnnxDataType.Double, new long[] { 2, 1, 3, 3 }, new OnnxTensorData.Doubles(new OnnxArray<double>(Enumerable.Range(0, 18).Select(i => i / 8.0))))),
                     ("bfloat16", Typed("W", OnnxDataType.BFloat16, new long[] { 2, 1, 3, 3 }, new OnnxTensorData.Floats(new OnnxArray<float>(Enumerable.Range(0, 18).Select(i => i / 8f))))),
                     ("string", Typed("W", OnnxDataType.String, new long[] { 2, 1, 3, 3 }, new OnnxTensorData.Strings(new OnnxArray<string>(Enumerable.Repeat("1", 18))))),
                     ("complex64_bytes", Typed("W", OnnxDataType.Complex64, new long[] { 2, 1, 3, 3 }, new OnnxTensorData.Bytes(new OnnxArray<byte>(new byte[144])))),
                     ("float_holding_ints", Typed("W", OnnxDataType.Float, new long[] { 2, 1, 3, 3 }, new OnnxTensorData.Ints(new OnnxArray<long>(new long[18])))),
                     ("float_too_few_values", Typed("W", OnnxDataType.Float, new long[] { 2, 1, 3, 3 }, new OnnxTensorData.Floats(new OnnxArray<float>(new float[17])))),
                     ("external", Typed("W", OnnxDataType.Float, new long[] { 2, 1, 3, 3 }, new OnnxTensorData.External(OnnxArray.Of(new OnnxEntry("location", "../../etc/passwd"))))),
                 })
            yield return ($"weight_{label}", Model(Input("x", 1, 1, 5, 5), new[] { tensor }, new[] { Node("Conv", new[] { "x", "W" }, new[] { "y" }) }), Expect.Refused);
        yield return ("bias_int8", Model(Input("x", 1, 1, 5, 5), new[] { Random("W", 2, 1, 3, 3), Typed("B", OnnxDataType.Int8, new long[] { 2 }, new OnnxTensorData.Ints(OnnxArray.Of(1L, 2L))) },
            new[] { Node("Conv", new[] { "x", "W", "B" }, new[] { "y" }) }), Expect.Refused);
        yield return ("weight_shared_by_two_layers", Model(Input("x", 1, 2, 5, 5), new[] { Random("W", 2, 2, 1, 1) },
            new[] { Node("Conv", new[] { "x", "W" }, new[] { "h" }), Node("Conv", new[] { "h", "W" }, new[] { "y" }) }), Expect.Either);

        // opsets
        foreach (long opset in new[] { 0L, -1L, 100L, long.MaxValue })
            yield return ($"opset_{opset}", WithOpset(Conv3(), opset), Expect.Refused);
        yield return ("opset_missing", Conv3() with { Opsets = OnnxArray<OnnxOpset>.Empty }, Expect.Refused);
        yield return ("opset_listed_twice", Conv3() with { Opsets = OnnxArray.Of(new OnnxOpset("", 13), new OnnxOpset("ai.onnx", 99)) }, Expect.Either);
        yield return ("node_in_other_domain", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { new OnnxNode("n", "Relu", "com.microsoft", OnnxArray.Of("x"), OnnxArray.Of("y"), default) }), Expect.Refused);
        yield return ("unknown_op", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("FancyOp", new[] { "x" }, new[] { "y" }) }), Expect.Refused);
        yield return ("empty_op", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("", new[] { "x" }, new[] { "y" }) }), Expect.Refused);
        yield return ("node_without_outputs", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("Relu", new[] { "x" }, Array.Empty<string>()), Node("Sigmoid", new[] { "x" }, new[] { "y" }) }), Expect.Either);
        yield return ("node_without_inputs", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("Relu", Array.Empty<string>(), new[] { "y" }) }), Expect.Refused);
        yield return ("add_without_second_input", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("Add", new[] { "x" }, new[] { "y" }) }), Expect.Refused);
        yield return ("conv_without_weight", Model(Input("x", 1, 2, 4, 4), Array.Empty<OnnxTensor>(), new[] { Node("Conv", new[] { "x" }, new[] { "y" }) }), Expect.Refused);
        yield return ("conv_weight_from_activation", Model(Input("x", 1, 1, 3, 3), Array.Empty<OnnxTensor>(), new[] { Node("Conv", new[] { "x", "x" }, new[] { "y" }) }), Expect.Refused);
    }

    /// <summary>A weight whose blob span lies past the blob: the generator cannot know the blob's length; the constructor must throw, not read out of bounds.</summary>
    private static IEnumerable<(HostileCase Case, Expect Expect)> BlobCases()
    {
        var blob = new byte[4 * 100];
        OnnxModel WithBlob(long offset, long length) => Model(Input("x", 1, 1, 6, 6),
            new[] { new OnnxTensor("W", OnnxDataType.Float, OnnxArray.Of(4L, 1L, 5L, 5L), new OnnxTensorData.Blob(offset, length)) },
            new[] { Node("Conv", new[] { "x", "W" }, new[] { "y" }) });
        yield return (new HostileCase("blob_in_range", WithBlob(0, 400), blob), Expect.Imported);
        yield return (new HostileCase("blob_offset_past_end", WithBlob(4096, 400), blob) { ConstructorMayThrow = typeof(InvalidDataException) }, Expect.Either);
        yield return (new HostileCase("blob_overlapping_end", WithBlob(200, 400), blob) { ConstructorMayThrow = typeof(InvalidDataException) }, Expect.Either);
        yield return (new HostileCase("blob_offset_2^40", WithBlob(Big40, 400), blob) { ConstructorMayThrow = typeof(InvalidDataException) }, Expect.Either);
        yield return (new HostileCase("blob_offset_near_long_max", WithBlob(long.MaxValue - 3, 400), blob) { ConstructorMayThrow = typeof(InvalidDataException) }, Expect.Either);
        yield return (new HostileCase("blob_offset_negative", WithBlob(-400, 400), blob) { ConstructorMayThrow = typeof(InvalidDataException) }, Expect.Refused);
        yield return (new HostileCase("blob_offset_unaligned", WithBlob(2, 400), blob) { ConstructorMayThrow = typeof(InvalidDataException) }, Expect.Refused);
        yield return (new HostileCase("blob_length_mismatch", WithBlob(0, 396), blob), Expect.Refused);
        yield return (new HostileCase("blob_empty_blob", WithBlob(0, 400), Array.Empty<byte>()) { ConstructorMayThrow = typeof(InvalidDataException) }, Expect.Either);
        // two tensors, the second one past the end: the constructor's bounds must cover the furthest
        var two = Model(Input("x", 1, 1, 6, 6),
            new[] { new OnnxTensor("W", OnnxDataType.Float, OnnxArray.Of(4L, 1L, 5L, 5L), new OnnxTensorData.Blob(0, 400)), new OnnxTensor("W2", OnnxDataType.Float, OnnxArray.Of(4L, 4L, 1L, 1L, 5L), new OnnxTensorData.Blob(400, 320)) },
            new[] { Node("Conv", new[] { "x", "W" }, new[] { "y" }) });
        yield return (new HostileCase("blob_unused_tensor_past_end", two, blob), Expect.Imported);
        var second = Model(Input("x", 1, 1, 6, 6),
            new[] { new OnnxTensor("W", OnnxDataType.Float, OnnxArray.Of(4L, 1L, 5L, 5L), new OnnxTensorData.Blob(0, 400)), new OnnxTensor("W2", OnnxDataType.Float, OnnxArray.Of(4L, 4L, 1L, 1L), new OnnxTensorData.Blob(400, 64)) },
            new[] { Node("Conv", new[] { "x", "W" }, new[] { "h" }), Node("Conv", new[] { "h", "W2" }, new[] { "y" }) });
        yield return (new HostileCase("blob_second_tensor_past_end", second, blob) { ConstructorMayThrow = typeof(InvalidDataException) }, Expect.Either);
    }

    private static IReadOnlyList<Entry> All() =>
        Models().Select(m => new Entry(new HostileCase(m.Name, m.Model), m.Expect)).Concat(BlobCases().Select(b => new Entry(b.Case, b.Expect))).ToList();

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var e in All()) data.Add(e.Case.Name);
        return data;
    }

    // every case in one generator run and one compilation (cases that break the chunk rerun alone), once per test run
    private static readonly Lazy<(IReadOnlyList<Entry> Entries, IReadOnlyList<HostileOutcome> Outcomes)> Outcomes = new(() =>
    {
        var entries = All();
        var outcomes = HostileRunner.Check(entries.Select(e => e.Case).ToList(), chunkSize: 400);
        File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "hostile-onnx-report.txt"), outcomes.Select((o, i) => $"[{entries[i].Expect}] {o}"));
        return (entries, outcomes);
    });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Hostile_model_is_imported_exactly_or_refused_with_one_error(string name)
    {
        var (entries, outcomes) = Outcomes.Value;
        int index = entries.ToList().FindIndex(e => e.Case.Name == name);
        var outcome = outcomes[index];
        _output.WriteLine(outcome.ToString());
        Assert.True(outcome.Verdict != HostileVerdict.Failed, outcome.ToString());
        switch (entries[index].Expect)
        {
            case Expect.Refused:
                Assert.True(outcome.Verdict is HostileVerdict.Refused or HostileVerdict.ConstructorRefused, "an invalid model was imported: " + outcome);
                break;
            case Expect.Imported:
                Assert.True(outcome.Verdict == HostileVerdict.Imported, "a valid model was not imported: " + outcome);
                break;
        }
    }

    [Fact]
    public void Hostile_blob_past_the_end_throws_in_the_constructor_naming_the_resource()
    {
        var (entries, outcomes) = Outcomes.Value;
        var outcome = outcomes[entries.ToList().FindIndex(e => e.Case.Name == "blob_offset_past_end")];
        Assert.Equal(HostileVerdict.ConstructorRefused, outcome.Verdict);
        Assert.Contains("CnnGen.Weights.hostile/", outcome.Detail);
    }

    /// <summary>10,001 layers (Conv and ReLU alternating): refused for its size, in bounded time.</summary>
    [Fact]
    public void Hostile_ten_thousand_layers_are_refused_in_bounded_time()
    {
        var nodes = new List<OnnxNode>();
        var inits = new List<OnnxTensor>();
        string previous = "x";
        for (int i = 0; i < 5001; i++)
        {
            inits.Add(Random("w" + i, 1, 1, 1, 1));
            nodes.Add(Node("Conv", new[] { previous, "w" + i }, new[] { "c" + i }));
            previous = i == 5000 ? "y" : "r" + i;
            nodes.Add(Node("Relu", new[] { "c" + i }, new[] { previous }));
        }
        var clock = Stopwatch.StartNew();
        var outcome = HostileRunner.Check(new[] { new HostileCase("layers_10002", Model(Input("x", 1, 1, 2, 2), inits.ToArray(), nodes.ToArray())) }).Single();
        _output.WriteLine($"{outcome} ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.True(outcome.Verdict == HostileVerdict.Refused, outcome.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>An elementwise chain of 10,000 nodes (-(-(...x))): imported as the identity or refused, in bounded time and stack.</summary>
    [Fact]
    public void Hostile_ten_thousand_node_elementwise_chain_is_bounded()
    {
        var nodes = new List<OnnxNode>();
        string previous = "x";
        for (int i = 0; i < 10_000; i++)
        {
            string next = i == 9_999 ? "y" : "n" + i;
            nodes.Add(Node(i % 2 == 0 ? "Neg" : "Neg", new[] { previous }, new[] { next }));
            previous = next;
        }
        var clock = Stopwatch.StartNew();
        var outcome = HostileRunner.Check(new[] { new HostileCase("neg_chain_10000", Model(Input("x", 1, 1, 2, 2), Array.Empty<OnnxTensor>(), nodes.ToArray())) }).Single();
        _output.WriteLine($"{outcome} ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.True(outcome.Verdict != HostileVerdict.Failed, outcome.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// (While the importer evaluates formulas as trees, this test fails after 30 s and leaves the generator's thread
    /// spinning until the test process ends.)
    /// h1 = x + x, h2 = h1 + h1, ..., h40: 40 nodes whose elementwise formula, written out as a tree, has 2^40 leaves.
    /// The generator's cost must be bounded by the model's size, not by the tree's.
    /// </summary>
    [Fact]
    public void Hostile_doubling_elementwise_dag_is_bounded()
    {
        var nodes = new List<OnnxNode>();
        string previous = "x";
        for (int i = 0; i < 40; i++)
        {
            string next = i == 39 ? "y" : "h" + i;
            nodes.Add(Node("Add", new[] { previous, previous }, new[] { next }));
            previous = next;
        }
        var clock = Stopwatch.StartNew();
        var outcome = HostileRunner.Check(new[] { new HostileCase("add_doubling_40", Model(Input("x", 1, 1, 2, 2), Array.Empty<OnnxTensor>(), nodes.ToArray())) }, timeout: TimeSpan.FromSeconds(30)).Single();
        _output.WriteLine($"{outcome} ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.True(outcome.Verdict != HostileVerdict.Failed, outcome.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed.TotalSeconds:F1} s");
    }
}
