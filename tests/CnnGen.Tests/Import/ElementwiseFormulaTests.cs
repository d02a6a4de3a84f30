using System;
using CnnGen.Generator.Onnx;
using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Import;

/// <summary>
/// The importer's elementwise formulas: erf to 1e-14, each activation as its exporters write it (several nodes, in
/// several operand orders) found by <see cref="ElementwiseFormula.Match"/>, the identity found by
/// <see cref="ElementwiseFormula.IsIdentity"/>, and what is no activation refused.
/// </summary>
public sealed class ElementwiseFormulaTests
{
    private static readonly ElementwiseFormula X = ElementwiseFormula.Input.Instance;

    private static ElementwiseFormula C(double value) => new ElementwiseFormula.Constant(value);

    /// <summary>A float constant as an exporter writes it, read back as a double.</summary>
    private static ElementwiseFormula F(double value) => new ElementwiseFormula.Constant((float)value);

    private static ElementwiseFormula U(string op, ElementwiseFormula operand, double a = 0, double b = 0) => new ElementwiseFormula.Unary(op, op.ToLowerInvariant(), operand, a, b);

    private static ElementwiseFormula B(string op, ElementwiseFormula left, ElementwiseFormula right) => new ElementwiseFormula.Binary(op, op.ToLowerInvariant(), left, right);

    // erf's values (mpmath, 30 digits, rounded to 17)
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1e-10, 1.1283791670955126e-10)]
    [InlineData(0.1, 0.11246291601828489)]
    [InlineData(0.5, 0.52049987781304654)]
    [InlineData(1.0, 0.84270079294971487)]
    [InlineData(1.5, 0.96610514647531073)]
    [InlineData(2.0, 0.99532226501895273)]
    [InlineData(2.4999, 0.99959283009966655)]
    [InlineData(2.5, 0.99959304798255505)]
    [InlineData(2.5001, 0.99959326575652932)]
    [InlineData(3.0, 0.99997790950300141)]
    [InlineData(4.0, 0.99999998458274210)]
    [InlineData(5.9, 0.99999999999999993)]
    [InlineData(6.5, 1.0)]
    [InlineData(-0.5, -0.52049987781304654)]
    [InlineData(-2.5, -0.99959304798255505)]
    [InlineData(-30.0, -1.0)]
    public void Elementwise_erf_is_within_1e15_of_known_values(double x, double expected)
    {
        double actual = ElementwiseFormula.Erf(x);
        Assert.True(Math.Abs(actual - expected) <= 1e-14, $"erf({x:R}) = {actual:R}, expected {expected:R} (off by {Math.Abs(actual - expected):G3})");
    }

    [Fact]
    public void Elementwise_erf_is_odd_monotone_and_finite_everywhere()
    {
        double previous = -1;
        for (int i = -4000; i <= 4000; i++)
        {
            double x = i * 0.002;
            double y = ElementwiseFormula.Erf(x);
            Assert.True(y >= previous && Math.Abs(y) <= 1, $"erf({x}) = {y:R} after {previous:R}");
            Assert.Equal(-y, ElementwiseFormula.Erf(-x));
            previous = y;
        }
        Assert.True(double.IsNaN(ElementwiseFormula.Erf(double.NaN)));
        Assert.Equal(1.0, ElementwiseFormula.Erf(double.PositiveInfinity));
        Assert.Equal(-1.0, ElementwiseFormula.Erf(double.NegativeInfinity));
    }

    private static ActivationOp Matched(ElementwiseFormula formula)
    {
        var op = ElementwiseFormula.Match(formula);
        Assert.True(op is not null, "no activation matches " + formula);
        return op!;
    }

    /// <summary>PyTorch 1.13's GELU: Div(x, sqrt 2), Erf, Add 1, Mul by x, Mul by 0.5, and the same with operands swapped.</summary>
    [Fact]
    public void Elementwise_gelu_as_div_erf_add_mul_mul_in_every_operand_order()
    {
        var erf = U("Erf", B("Div", X, F(Math.Sqrt(2))));
        var erfByMul = U("Erf", B("Mul", F(1 / Math.Sqrt(2)), X));
        foreach (var e in new[] { erf, erfByMul })
        {
            foreach (var plusOne in new[] { B("Add", e, F(1)), B("Add", F(1), e) })
            {
                var shapes = new[]
                {
                    B("Mul", B("Mul", X, plusOne), F(0.5)),
                    B("Mul", F(0.5), B("Mul", plusOne, X)),
                    B("Mul", B("Mul", X, F(0.5)), plusOne),
                    B("Mul", plusOne, B("Mul", F(0.5), X)),
                    B("Div", B("Mul", X, plusOne), F(2)),
                };
                foreach (var gelu in shapes)
                {
                    var op = Matched(gelu);
                    Assert.Equal(Activation.GELU, op.Function);
                    Assert.Equal("none", op.Approximate);
                }
            }
        }
    }

    /// <summary>GELU with approximate='tanh' as its nodes: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), x^3 as Pow or as Mul twice.</summary>
    [Fact]
    public void Elementwise_tanh_gelu_chain()
    {
        foreach (var cube in new[] { B("Pow", X, F(3)), B("Mul", B("Mul", X, X), X), B("Mul", X, B("Mul", X, X)) })
        {
            var inner = B("Mul", B("Add", X, B("Mul", cube, F(0.044715))), F(Math.Sqrt(2 / Math.PI)));
            var swapped = B("Mul", F(Math.Sqrt(2 / Math.PI)), B("Add", B("Mul", F(0.044715), cube), X));
            foreach (var t in new[] { inner, swapped })
            {
                var gelu = B("Mul", B("Mul", F(0.5), X), B("Add", F(1), U("Tanh", t)));
                var op = Matched(gelu);
                Assert.Equal(Activation.GELU, op.Function);
                Assert.Equal("tanh", op.Approximate);
            }
        }
    }

    [Fact]
    public void Elementwise_mish_as_mul_tanh_softplus_either_order()
    {
        foreach (var mish in new[] { B("Mul", X, U("Tanh", U("Softplus", X))), B("Mul", U("Tanh", U("Softplus", X)), X) })
            Assert.Equal(Activation.Mish, Matched(mish).Function);
        Assert.Equal(Activation.Mish, Matched(U("Mish", X)).Function);
    }

    [Fact]
    public void Elementwise_silu_as_mul_sigmoid_both_orders()
    {
        Assert.Equal(Activation.SiLU, Matched(B("Mul", X, U("Sigmoid", X))).Function);
        Assert.Equal(Activation.SiLU, Matched(B("Mul", U("Sigmoid", X), X)).Function);
        Assert.Equal(Activation.SiLU, Matched(B("Div", X, B("Add", F(1), U("Exp", U("Neg", X))))).Function);
    }

    /// <summary>nn.Softplus(beta=2) as PyTorch exports it: Mul(x, 2), Softplus, Div by 2.</summary>
    [Fact]
    public void Elementwise_softplus_with_beta_2_as_mul_softplus_div()
    {
        foreach (var scaled in new[] { B("Mul", X, F(2)), B("Mul", F(2), X) })
        {
            foreach (var softplus in new[] { B("Div", U("Softplus", scaled), F(2)), B("Mul", U("Softplus", scaled), F(0.5)) })
            {
                var op = Matched(softplus);
                Assert.Equal(Activation.Softplus, op.Function);
                Assert.Equal(2f, op.Beta);
            }
        }
        Assert.Equal(Activation.Softplus, Matched(U("Softplus", X)).Function);
    }

    /// <summary>HardSwish as x * HardSigmoid(x) with PyTorch's alpha 1/6 and beta 0.5 (as floats), either order; HardSigmoid alone is Hardsigmoid.</summary>
    [Fact]
    public void Elementwise_hardswish_as_x_times_hardsigmoid()
    {
        var hardSigmoid = U("HardSigmoid", X, (float)(1.0 / 6), 0.5);
        Assert.Equal(Activation.Hardswish, Matched(B("Mul", X, hardSigmoid)).Function);
        Assert.Equal(Activation.Hardswish, Matched(B("Mul", hardSigmoid, X)).Function);
        Assert.Equal(Activation.Hardsigmoid, Matched(hardSigmoid).Function);
        Assert.Equal(Activation.Hardswish, Matched(U("HardSwish", X)).Function);
        // ONNX's default alpha 0.2 is not PyTorch's Hardsigmoid
        Assert.Null(ElementwiseFormula.Match(U("HardSigmoid", X, 0.2, 0.5)));
    }

    [Fact]
    public void Elementwise_single_nodes_map_to_their_layers()
    {
        Assert.Equal(Activation.ReLU, Matched(U("Relu", X)).Function);
        var leaky = Matched(U("LeakyRelu", X, 0.2));
        Assert.Equal(Activation.LeakyReLU, leaky.Function);
        Assert.Equal(0.2f, leaky.NegativeSlope);
        Assert.Equal(Activation.ReLU6, Matched(U("Clip", X, 0, 6)).Function);
        var hardtanh = Matched(U("Clip", X, -2, 3));
        Assert.Equal(Activation.Hardtanh, hardtanh.Function);
        Assert.Equal((-2f, 3f), (hardtanh.Min, hardtanh.Max));
        Assert.Equal(Activation.Sigmoid, Matched(U("Sigmoid", X)).Function);
        Assert.Equal(Activation.Tanh, Matched(U("Tanh", X)).Function);
        // Relu(Relu(x)) and Max(x, 0) are ReLU too
        Assert.Equal(Activation.ReLU, Matched(U("Relu", U("Relu", X))).Function);
        Assert.Equal(Activation.ReLU, Matched(B("Max", X, C(0))).Function);
        Assert.Equal(Activation.ReLU6, Matched(B("Min", B("Max", X, C(0)), C(6))).Function);
    }

    [Fact]
    public void Elementwise_identity_detection()
    {
        Assert.True(ElementwiseFormula.IsIdentity(X));
        Assert.True(ElementwiseFormula.IsIdentity(U("Neg", U("Neg", X))));
        Assert.True(ElementwiseFormula.IsIdentity(B("Mul", X, C(1))));
        Assert.True(ElementwiseFormula.IsIdentity(B("Add", C(0), X)));
        Assert.True(ElementwiseFormula.IsIdentity(B("Div", X, C(1))));
        Assert.False(ElementwiseFormula.IsIdentity(U("Neg", X)));
        Assert.False(ElementwiseFormula.IsIdentity(U("Relu", X)));
        Assert.False(ElementwiseFormula.IsIdentity(B("Mul", X, C(1.0000001))));
        Assert.False(ElementwiseFormula.IsIdentity(B("Mul", X, C(double.NaN))));
    }

    [Fact]
    public void Elementwise_refuses_what_no_activation_computes()
    {
        Assert.Null(ElementwiseFormula.Match(B("Mul", X, C(0.5))));
        Assert.Null(ElementwiseFormula.Match(U("Abs", X)));
        Assert.Null(ElementwiseFormula.Match(U("Exp", X)));
        Assert.Null(ElementwiseFormula.Match(U("Neg", X)));
        Assert.Null(ElementwiseFormula.Match(U("Log", X)));
        Assert.Null(ElementwiseFormula.Match(B("Add", X, C(1))));
        Assert.Null(ElementwiseFormula.Match(B("Mul", X, C(double.NaN))));
        Assert.Null(ElementwiseFormula.Match(B("Mul", X, C(double.PositiveInfinity))));
        // GELU with the wrong constant (x / 1.5 inside erf) and SiLU of a scaled input are not the activations
        Assert.Null(ElementwiseFormula.Match(B("Mul", B("Mul", X, B("Add", U("Erf", B("Div", X, C(1.5))), C(1))), C(0.5))));
        Assert.Null(ElementwiseFormula.Match(B("Mul", X, U("Sigmoid", B("Mul", X, C(2))))));
        // Clip with its bounds crossed, and with NaN bounds, is no Hardtanh
        Assert.Null(ElementwiseFormula.Match(U("Clip", X, 1, -1)));
        Assert.Null(ElementwiseFormula.Match(U("Clip", X, double.NaN, double.NaN)));
        // Softplus with a negative or zero beta is not offered as a candidate
        Assert.Null(ElementwiseFormula.Match(B("Div", U("Softplus", B("Mul", X, C(-2))), C(-2))));
        Assert.Null(ElementwiseFormula.Match(C(3)));
    }
}
