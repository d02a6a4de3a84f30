using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Onnx;

/// <summary>
/// An elementwise function of one activation, built from ONNX nodes (Relu, Sigmoid, Erf, Mul by a scalar, ...)
/// before any of it becomes a layer. Exporters write one activation as several nodes (PyTorch 1.13's GELU is
/// Div, Erf, Add, Mul, Mul; SiLU is Sigmoid and Mul; Softplus with beta is Mul, Softplus, Div), in whatever
/// operand order: the importer collects the nodes into this tree and <see cref="Match"/> finds the layer that
/// computes the same function, by its structure where it is one node and by evaluating both at many points where
/// it is composed. <see cref="Nodes"/> names the ONNX nodes, for messages.
/// </summary>
internal abstract record ElementwiseFormula
{
    public abstract double Evaluate(double x);

    /// <summary>The formula's nodes counted as a tree (shared operands counted at each use), at most <see cref="int.MaxValue"/>.</summary>
    public int Size => this switch
    {
        Unary u => Saturate(1L + u.Operand.Size),
        Binary b => Saturate(1L + b.Left.Size + b.Right.Size),
        _ => 1,
    };

    private static int Saturate(long size) => (int)Math.Min(size, int.MaxValue);

    /// <summary>The largest formula kept as a formula: every activation's exporter pattern has under 20 nodes.</summary>
    public const int MaxSize = 40;

    /// <summary>The ONNX nodes the formula is made of, in graph order.</summary>
    public abstract IEnumerable<string> Nodes { get; }

    /// <summary>The activation's input itself.</summary>
    public sealed record Input : ElementwiseFormula
    {
        public static readonly Input Instance = new();

        public override double Evaluate(double x) => x;

        public override IEnumerable<string> Nodes => Array.Empty<string>();
    }

    public sealed record Constant(double Value) : ElementwiseFormula
    {
        public override double Evaluate(double x) => Value;

        public override IEnumerable<string> Nodes => Array.Empty<string>();
    }

    /// <summary>One ONNX node applied to one operand, with its attributes' values (LeakyRelu's alpha, Clip's bounds).</summary>
    public sealed record Unary(string OpType, string Node, ElementwiseFormula Operand, double A = 0, double B = 0) : ElementwiseFormula
    {
        public override double Evaluate(double x)
        {
            double v = Operand.Evaluate(x);
            return OpType switch
            {
                "Relu" => Math.Max(v, 0),
                "LeakyRelu" => v < 0 ? A * v : v,
                "Sigmoid" => 1 / (1 + Math.Exp(-v)),
                "Tanh" => Math.Tanh(v),
                "Erf" => Erf(v),
                "Exp" => Math.Exp(v),
                "Log" => Math.Log(v),
                "Neg" => -v,
                "Abs" => Math.Abs(v),
                "Sqrt" => Math.Sqrt(v),
                "Reciprocal" => 1 / v,
                "Softplus" => v > 30 ? v + Math.Log(1 + Math.Exp(-v)) : Math.Log(1 + Math.Exp(v)),
                "Elu" => v < 0 ? A * (Math.Exp(v) - 1) : v,
                "Selu" => v <= 0 ? B * (A * Math.Exp(v) - A) : B * v,
                "HardSigmoid" => Math.Max(0, Math.Min(1, A * v + B)),
                "HardSwish" => v * Math.Max(0, Math.Min(1, v / 6 + 0.5)),
                "Clip" => Math.Min(Math.Max(v, A), B),
                "Mish" => v * Math.Tanh(Math.Log(1 + Math.Exp(v))),
                "Gelu" => A == 0 ? 0.5 * v * (1 + Erf(v / Math.Sqrt(2))) : 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))),
                _ => double.NaN,
            };
        }

        public override IEnumerable<string> Nodes => Operand.Nodes.Append(Node);
    }

    /// <summary>Two operands: Add, Sub, Mul, Div, Pow, Max, Min.</summary>
    public sealed record Binary(string OpType, string Node, ElementwiseFormula Left, ElementwiseFormula Right) : ElementwiseFormula
    {
        public override double Evaluate(double x)
        {
            double a = Left.Evaluate(x), b = Right.Evaluate(x);
            return OpType switch
            {
                "Add" => a + b,
                "Sub" => a - b,
                "Mul" => a * b,
                "Div" => a / b,
                "Pow" => Math.Pow(a, b),
                "Max" => Math.Max(a, b),
                "Min" => Math.Min(a, b),
                _ => double.NaN,
            };
        }

        public override IEnumerable<string> Nodes => Left.Nodes.Concat(Right.Nodes).Append(Node);
    }

    /// <summary>The unary ops a formula may contain (with their attributes read by the importer), and the binary ones.</summary>
    public static readonly HashSet<string> UnaryOps = new()
    {
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Erf", "Exp", "Log", "Neg", "Abs", "Sqrt", "Reciprocal", "Softplus",
        "Elu", "Selu", "HardSigmoid", "HardSwish", "Clip", "Mish", "Gelu",
    };

    public static readonly HashSet<string> BinaryOps = new() { "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min" };

    /// <summary>Whether the formula reads its input at all (x * 0 + 1 would not; such a value is a constant).</summary>
    public bool ReadsInput => this switch
    {
        Input => true,
        Constant => false,
        Unary u => u.Operand.ReadsInput,
        Binary b => b.Left.ReadsInput || b.Right.ReadsInput,
        _ => false,
    };

    /// <summary>
    /// The layer computing this function: a one-node formula by its op and attributes; a composed one by the first
    /// candidate that agrees with it within 1e-6 (relative) at every probe point from -12 to 12. Null when none does.
    /// </summary>
    public static ActivationOp? Match(ElementwiseFormula formula)
    {
        if (formula is Unary { Operand: Input } direct) return Direct(direct);
        foreach (var candidate in Candidates(formula))
            if (Agrees(formula, candidate)) return candidate;
        return null;
    }

    /// <summary>One node: its ONNX definition, with the attribute values PyTorch's layer takes, or null.</summary>
    private static ActivationOp? Direct(Unary node)
    {
        float a = (float)node.A, b = (float)node.B;
        return node.OpType switch
        {
            "Relu" => new ActivationOp(Activation.ReLU),
            "LeakyRelu" => new ActivationOp(Activation.LeakyReLU) { NegativeSlope = a },
            "Sigmoid" => new ActivationOp(Activation.Sigmoid),
            "Tanh" => new ActivationOp(Activation.Tanh),
            "Elu" => new ActivationOp(Activation.ELU) { Alpha = a },
            // PyTorch's SELU constants are ONNX's defaults, as floats
            "Selu" when a == 1.67326319217681884765625f && b == 1.05070102214813232421875f => new ActivationOp(Activation.SELU),
            "Softplus" => new ActivationOp(Activation.Softplus),
            // max(0, min(1, x / 6 + 1/2)) only with PyTorch's alpha (1/6 as a float) and beta
            "HardSigmoid" when a == 1f / 6 && b == 0.5f => new ActivationOp(Activation.Hardsigmoid),
            "HardSwish" => new ActivationOp(Activation.Hardswish),
            "Mish" => new ActivationOp(Activation.Mish),
            "Gelu" => new ActivationOp(Activation.GELU) { Approximate = node.A == 0 ? "none" : "tanh" },
            "Clip" when a == 0 && b == 6 => new ActivationOp(Activation.ReLU6),
            "Clip" when a == 0 && float.IsPositiveInfinity(b) => new ActivationOp(Activation.ReLU),
            "Clip" when b > a => new ActivationOp(Activation.Hardtanh) { Min = a, Max = b },
            _ => null,
        };
    }

    /// <summary>The activations a composed formula may be, Softplus with each beta its constants suggest.</summary>
    private static IEnumerable<ActivationOp> Candidates(ElementwiseFormula formula)
    {
        yield return new ActivationOp(Activation.SiLU);
        yield return new ActivationOp(Activation.Mish);
        yield return new ActivationOp(Activation.GELU);
        yield return new ActivationOp(Activation.GELU) { Approximate = "tanh" };
        yield return new ActivationOp(Activation.Hardswish);
        yield return new ActivationOp(Activation.Hardsigmoid);
        yield return new ActivationOp(Activation.ReLU6);
        yield return new ActivationOp(Activation.ReLU);
        foreach (var beta in Constants(formula).Where(c => c > 0 && !double.IsInfinity(c)).Distinct())
            yield return new ActivationOp(Activation.Softplus) { Beta = (float)beta };
    }

    private static IEnumerable<double> Constants(ElementwiseFormula formula) => formula switch
    {
        Constant c => new[] { c.Value },
        Unary u => Constants(u.Operand),
        Binary b => Constants(b.Left).Concat(Constants(b.Right)),
        _ => Array.Empty<double>(),
    };

    /// <summary>Whether the formula gives its input back exactly at every probe: -(-x), x * 1.</summary>
    public static bool IsIdentity(ElementwiseFormula formula)
    {
        for (int i = -240; i <= 240; i++)
        {
            double x = i * 0.05 + 0.0123;
            if (formula.Evaluate(x) != x) return false;
        }
        return true;
    }

    private static bool Agrees(ElementwiseFormula formula, ActivationOp candidate)
    {
        for (int i = -240; i <= 240; i++)
        {
            // 0.05 apart, offset so the probes also fall between the kinks at 0, +-3 and 6
            double x = i * 0.05 + 0.0123;
            double expected = Reference(candidate, x), actual = formula.Evaluate(x);
            if (double.IsNaN(actual) || Math.Abs(actual - expected) > 1e-6 * Math.Max(1, Math.Abs(expected))) return false;
        }
        return true;
    }

    /// <summary>PyTorch's definition of the candidate, in doubles.</summary>
    private static double Reference(ActivationOp op, double x) => op.Function switch
    {
        Activation.SiLU => x / (1 + Math.Exp(-x)),
        Activation.Mish => x * Math.Tanh(Math.Log(1 + Math.Exp(x))),
        Activation.GELU => op.Approximate == "tanh"
            ? 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))
            : 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        Activation.Hardswish => x * Math.Min(Math.Max(x + 3, 0), 6) / 6,
        Activation.Hardsigmoid => Math.Min(Math.Max(x + 3, 0), 6) / 6,
        Activation.ReLU6 => Math.Min(Math.Max(x, 0), 6),
        Activation.ReLU => Math.Max(x, 0),
        Activation.Softplus => op.Beta * x > op.Threshold ? x : Math.Log(1 + Math.Exp(op.Beta * x)) / op.Beta,
        Activation.LeakyReLU or Activation.Sigmoid or Activation.Tanh or Activation.Hardtanh or Activation.ELU or Activation.SELU => double.NaN,
    };

    /// <summary>erf to about 1e-14 (netstandard2.0 has no Math.Erf): its Taylor series near 0, else a continued fraction of erfc.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        if (ax > 6) return Math.Sign(x);
        if (ax < 2.5)
        {
            // erf x = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
            double sum = 0, term = x;
            for (int n = 0; n < 200; n++)
            {
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
                term *= -x * x / (n + 1);
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc x = exp(-x^2) / sqrt(pi) * 1 / (x + 1/2 / (x + 1 / (x + 3/2 / (x + ...)))), evaluated from the tail
        double fraction = ax;
        for (int k = 60; k >= 1; k--) fraction = ax + k / 2.0 / fraction;
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / fraction;
        return Math.Sign(x) * (1 - erfc);
    }
}
