using CnnGen.Generator.Planning;

namespace CnnGen.Generator;

/// <summary>
/// GELU (torch.nn.GELU(), through erf) on vectors, emitted into the network class where one runs on vectors:
/// x Phi(x) = x / 2 erfc(-x / sqrt 2), with erfc(z) for z = |x| / sqrt 2 as Numerical Recipes' erfcc,
/// t exp(-z^2 + p(t)) with t = 1 / (1 + z / 2) (a relative error under 1.2e-7), so that the tail below zero keeps its
/// relative precision, as the scalar form's does in double. exp's argument -z^2 + p(t) is taken as a float and a small
/// rest (x * x's rounding error, exact through a fused multiply-add, and the sum's), as a rounded z^2 of 40 would cost
/// exp 3e-6 of its relative precision: exp(sum) (1 + rest). Within 4.4e-7 of the double form for every float (measured
/// over 4 million values); the elementwise fixtures and VectorActivationDifferentialTests check it at 1e-6.
/// </summary>
internal static class VectorGelu
{
    /// <summary>The emitted method for a flavor: prefixed so that it cannot meet the user's members.</summary>
    public static string Name(SimdFlavor flavor) => "CnnGenGelu" + (flavor.Lanes is null ? "Vector" : flavor.Suffix);

    /// <summary>Whether the op's vector form calls the emitted vector GELU: erf's GELU, not its tanh approximation.</summary>
    public static bool IsNeededBy(Ir.Op op) => op is Ir.ActivationOp { Function: Ir.Activation.GELU, UsesTanhApproximation: false };

    /// <summary>Whether any step of the plan applies such a GELU, as a step or in a store.</summary>
    public static bool IsNeeded(ExecutionPlan plan) => plan.Runs(IsNeededBy);

    /// <summary>The emitted method of GELU's tanh approximation for a flavor.</summary>
    public static string TanhName(SimdFlavor flavor) => "CnnGenGeluTanh" + (flavor.Lanes is null ? "Vector" : flavor.Suffix);

    /// <summary>Whether the op's vector form calls the emitted vector GELU of the tanh approximation (nn.GELU(approximate="tanh")).</summary>
    public static bool IsNeededByTanh(Ir.Op op) => op is Ir.ActivationOp { Function: Ir.Activation.GELU, UsesTanhApproximation: true };

    /// <summary>Whether any step of the plan applies GELU's tanh approximation, as a step or in a store.</summary>
    public static bool IsNeededTanh(ExecutionPlan plan) => plan.Runs(IsNeededByTanh);

    // -2 sqrt(2 / pi) and 0.044715 as floats, and what the floats leave of them
    private const double Slope = -1.5957691216057308, Cubic = 0.044715;

    /// <summary>
    /// GELU's tanh approximation, x / 2 (1 + tanh(u)) with u = sqrt(2 / pi) (x + 0.044715 x^3), as x / (1 + exp(-2u)),
    /// the same number (1 + tanh(u) = 2 / (1 + exp(-2u))) without 1 + tanh's cancellation below zero, where the double
    /// form's is 1e-16 of 1 and the float form's (PyTorch's) 6e-8. -2u is taken as a float and its rounding errors (x^3's
    /// through fused multiply-adds, the sum's by a two-sum, the constants' own), so that exp of up to 88 keeps its
    /// precision: exp(-2u) (1 + rest). Within 2.1e-7 of x / (1 + exp(-2u)) in double wherever that exceeds 1e-30
    /// (measured over 4 million floats in [-12, 12]); above 10 it is x, below -10 (under 1.2e-37) x * 0, which is NaN at
    /// -inf as PyTorch's -inf * 0.
    /// </summary>
    public static void WriteTanh(SourceWriter w, SimdFlavor v)
    {
        string type = v.Type, s = v.Static;
        string Of(string value) => v.Broadcast(value);
        string Fma(string a, string b, string c) => $"{s}.FusedMultiplyAdd({a}, {b}, {c})";
        float slope = (float)Slope, cubic = (float)Cubic;
        string slopeLow = Literal.Float((float)(Slope - slope)), cubicLow = Literal.Float((float)(Cubic - cubic));
        using (VectorHelper.Open(w, v, TanhName(v), $"GELU's tanh approximation on {v.Description}, as x / (1 + exp(-2u)) with -2u kept to its low bits: within 2.1e-7 of the exact form; NaN stays NaN."))
        {
            w.WriteLine($"var clamped = {s}.Min({s}.Max(x, {Of("-11f")}), {Of("11f")});");
            w.WriteLine("// x^3 and its rounding error, 0.044715 x^3 and its (the constant's too), then x + that by a two-sum");
            w.WriteLine("var square = clamped * clamped;");
            w.WriteLine($"var squareError = {Fma("clamped", "clamped", "-square")};");
            w.WriteLine("var cube = square * clamped;");
            w.WriteLine($"var cubeError = {Fma("square", "clamped", "-cube")} + squareError * clamped;");
            w.WriteLine($"var term = {Of(Literal.Float(cubic))} * cube;");
            w.WriteLine($"var termError = {Fma(Of(Literal.Float(cubic)), "cube", "-term")} + {Fma(Of(Literal.Float(cubic)), "cubeError", $"{Of(cubicLow)} * cube")};");
            w.WriteLine("var inner = clamped + term;");
            w.WriteLine("var part = inner - clamped;");
            w.WriteLine("var innerError = (clamped - (inner - part)) + (term - part);");
            w.WriteLine($"var power = {Of(Literal.Float(slope))} * inner;");
            w.WriteLine($"var rest = {Fma(Of(Literal.Float(slope)), "inner", "-power")} + {Fma(Of(Literal.Float(slope)), "innerError + termError", $"{Of(slopeLow)} * inner")};");
            w.WriteLine($"// exp(-2u) (1 + rest); -2u stays under 88 (exp's overflow at 88.72) down to x = -10");
            w.WriteLine($"var e = {VectorExp.Name(v)}({s}.Min(power, {Of("88f")}));");
            w.WriteLine($"var gelu = clamped / ({Of("1f")} + {Fma("e", "rest", "e")});");
            w.WriteLine($"return {s}.ConditionalSelect({s}.GreaterThan(x, {Of("10f")}), x, {s}.ConditionalSelect({s}.LessThan(x, {Of("-10f")}), x * {type}.Zero, gelu));");
        }
    }

    /// <summary>Past this magnitude erfc(|x| / sqrt 2) is below 1e-44 (GELU within 1e-42 of 0 or of x): the input is clamped to it.</summary>
    private const string Bound = "14f";

    public static void Write(SourceWriter w, SimdFlavor v)
    {
        string type = v.Type, s = v.Static;
        string Of(string value) => v.Broadcast(value);
        string Fma(string a, string b, string c) => v.MultiplyAdd(a, b, c);
        string exp = VectorExp.Name(v);
        using (VectorHelper.Open(w, v, Name(v), $"GELU, x / 2 erfc(-x / sqrt 2), on {v.Description}: erfc as t exp(-z^2 + p(t)), within 4.4e-7 of the double form; NaN stays NaN."))
        {
            w.WriteLine($"var clamped = {s}.Min({s}.Max(x, {Of("-" + Bound)}), {Of(Bound)});");
            w.WriteLine($"var t = {Of("1f")} / {Fma($"{s}.Abs(clamped)", Of("0.353553390593273762f"), Of("1f"))};");
            // p(t) of degree 9 by Estrin's scheme: pairs, then t^2, t^4 and t^8 join them, a chain of 4 multiply-adds where
            // Horner's is 9 (the function waits on its chains: 13% less time alone)
            w.WriteLine("var t2 = t * t;");
            w.WriteLine("var t4 = t2 * t2;");
            string[] c = { "-1.26551223f", "1.00002368f", "0.37409196f", "0.09678418f", "-0.18628806f", "0.27886807f", "-1.13520398f", "1.48851587f", "-0.82215223f", "0.17087277f" };
            for (int k = 0; k < c.Length; k += 2)
                w.WriteLine($"var p{k}{k + 1} = {Fma("t", Of(c[k + 1]), Of(c[k]))};");
            w.WriteLine($"var p03 = {Fma("t2", "p23", "p01")};");
            w.WriteLine($"var p47 = {Fma("t2", "p67", "p45")};");
            w.WriteLine($"var p = {Fma("t4 * t4", "p89", Fma("t4", "p47", "p03"))};");
            w.WriteLine("// -z^2 + p(t) as a float and the small rest: x * x's rounding error (exact through a fused multiply-add) and the sum's (Knuth's");
            w.WriteLine("// two-sum), so that exp's argument keeps z^2's low bits: exp(sum) (1 + rest)");
            w.WriteLine("var square = clamped * clamped;");
            w.WriteLine($"var error = {s}.FusedMultiplyAdd(clamped, clamped, -square);");
            w.WriteLine($"var half = square * {Of("-0.5f")};");
            w.WriteLine("var sum = half + p;");
            w.WriteLine("var part = sum - half;");
            w.WriteLine($"var rest = {Fma("error", Of("-0.5f"), "(half - (sum - part)) + (p - part)")};");
            w.WriteLine($"var power = {exp}(sum);");
            w.WriteLine($"var r = t * {Fma("power", "rest", "power")};");
            w.WriteLine($"// erfc(-z) = 2 - erfc(z); below -{Bound} erfc(z) is 0, so that -inf gives PyTorch's -inf * 0 (NaN)");
            w.WriteLine($"var phi = {s}.ConditionalSelect({s}.GreaterThanOrEqual(x, {type}.Zero), {Of("2f")} - r, {s}.ConditionalSelect({s}.LessThan(x, {Of("-" + Bound)}), {type}.Zero, r));");
            w.WriteLine($"return x * {Of("0.5f")} * phi;");
        }
    }
}
