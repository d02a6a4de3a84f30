using CnnGen.Generator.Planning;

namespace CnnGen.Generator;

/// <summary>
/// GELU (torch.nn.GELU(), through erf) on vectors, emitted into the network class where one runs on vectors:
/// x Phi(x) = x / 2 erfc(-x / sqrt 2), with erfc(z) for z = |x| / sqrt 2 as t exp(-z^2) q(t), t = 1 / (1 + z / 2) and q
/// a degree-8 polynomial (fit_gelu_erfc.py beside this file: within 6.7e-8 of erfc(z) exp(z^2) / t, relatively), so that
/// the tail below zero keeps its relative precision, as the scalar form's does in double. exp's argument is -x^2 / 2
/// exactly: rounded, and its rounding error (exact through a fused multiply-add) added to the reduced argument, as a
/// rounded x^2 of 80 would cost exp 3e-6 of its relative precision. exp waits only on x, not on the polynomial, as it did
/// in Numerical Recipes' erfcc form (t exp(-z^2 + p(t)), which needed a two-sum of -z^2 + p): the function waits on its
/// chains, and took 0.71 to 0.74 of that form's time (Emerald Rapids, 155,648 floats from L2). exp is written inline,
/// without the clamps of <see cref="VectorExp"/> (its argument lies in [-83.2, 0]), and q holds the 1/2 of x / 2: 4
/// instructions fewer of 45, 0.88 to 0.91 of the time (`--activations`, three alternating rounds), GeluBlock64 at 0.98 of
/// ONNX Runtime's time where it took 1.04 and 1.05. Within 5.9e-7 of the double form for every float (measured over 4
/// million values); the elementwise fixtures and VectorActivationDifferentialTests check it at 1e-6.
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
    /// Above this GELU's tanh form is x, and the input is clamped to it: exp(-2u) is 1.2e-37 there, a normal float, where at
    /// the clamp of 11 it was subnormal from 10.01 up (a microcode assist on Intel's cores: inputs of standard deviation 6
    /// took 4.3 times the time of those of 1, now the same).
    /// </summary>
    private const string TanhTop = "9.9f";

    /// <summary>
    /// GELU's tanh approximation, x / 2 (1 + tanh(u)) with u = sqrt(2 / pi) (x + 0.044715 x^3), as x / (1 + exp(-2u)),
    /// the same number (1 + tanh(u) = 2 / (1 + exp(-2u))) without 1 + tanh's cancellation below zero, where the double
    /// form's is 1e-16 of 1 and the float form's (PyTorch's) 6e-8. -2u is taken as a float and its rounding errors (x^3's
    /// through fused multiply-adds, the sum's by a two-sum, the constants' own), so that exp of up to 88 keeps its
    /// precision: exp(-2u) (1 + rest). Within 2.1e-7 of x / (1 + exp(-2u)) in double wherever that exceeds 1e-30
    /// (measured over 4 million floats in [-12, 12]); above 9.9 it is x, below -10 (under 1.2e-37) x * 0, which is NaN at
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
            w.WriteLine($"var clamped = {s}.Min({s}.Max(x, {Of("-11f")}), {Of(TanhTop)});");
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
            w.WriteLine($"return {s}.ConditionalSelect({s}.GreaterThan(x, {Of(TanhTop)}), x, {s}.ConditionalSelect({s}.LessThan(x, {Of("-10f")}), x * {type}.Zero, gelu));");
        }
    }

    /// <summary>
    /// Past this magnitude erfc(|x| / sqrt 2) is below 4.6e-38 (GELU within 3e-37 of 0 or of x): the input is clamped to it,
    /// and GELU below -12.9 is -0, as PyTorch's float form (1 + erf) gives from -5.9 down. Every value the function computes
    /// stays a normal float: a subnormal one costs an Intel core a microcode assist, and with the bound at 14 (exp's
    /// argument down to -98) inputs of standard deviation 6 took 7.5 times the time of those of 1.
    /// </summary>
    private const string Bound = "12.9f";

    /// <summary>q's coefficients from t^0 up, as fit_gelu_erfc.py prints them.</summary>
    private static readonly float[] Q = { 0.28208664f, 0.28237158f, 0.24313067f, 0.20258106f, -0.026376892f, 0.2777077f, -0.48688698f, 0.2844244f, -0.059038203f };

    public static void Write(SourceWriter w, SimdFlavor v)
    {
        string type = v.Type, s = v.Static;
        string Of(string value) => v.Broadcast(value);
        string Fma(string a, string b, string c) => v.MultiplyAdd(a, b, c);
        using (VectorHelper.Open(w, v, Name(v), $"GELU, x / 2 erfc(-x / sqrt 2), on {v.Description}: erfc as t exp(-z^2) q(t), within 5.9e-7 of the double form; NaN stays NaN."))
        {
            w.WriteLine($"var magnitude = {s}.Min({s}.Abs(x), {Of(Bound)});");
            w.WriteLine($"var t = {Of("1f")} / {Fma("magnitude", Of("0.353553390593273762f"), Of("1f"))};");
            // q(t) / 2 by Estrin's scheme (halving each coefficient is exact): pairs, then t^2, t^4 and t^8 join them,
            // a chain of 4 multiply-adds where Horner's is 8
            w.WriteLine("var t2 = t * t;");
            w.WriteLine("var t4 = t2 * t2;");
            for (int k = 0; k + 1 < Q.Length; k += 2)
                w.WriteLine($"var q{k}{k + 1} = {Fma("t", Of(Half(k + 1)), Of(Half(k)))};");
            w.WriteLine($"var q03 = {Fma("t2", "q23", "q01")};");
            w.WriteLine($"var q47 = {Fma("t2", "q67", "q45")};");
            w.WriteLine($"var q = {Fma("t4 * t4", Of(Half(8)), Fma("t4", "q47", "q03"))};");
            // exp(-x^2 / 2) inline, its argument in [-83.2, 0] (no clamp) and exact: -x^2 / 2 rounded, and its rounding
            // error (a fused multiply-add) added to the reduced argument
            w.WriteLine($"var minusHalf = magnitude * {Of("-0.5f")};");
            w.WriteLine("var argument = minusHalf * magnitude;");
            w.WriteLine($"var error = {s}.FusedMultiplyAdd(minusHalf, magnitude, -argument);");
            VectorExp.WriteReduced(w, v, "argument", "error");
            // n from -120 to 0: 2^n is a normal float, in its exponent bits, or vscalefps where AVX-512 is
            string bits = $"p * {VectorExp.ExponentBits(v, "n", 127)}";
            w.WriteLine(VectorExp.Scales(v)
                ? $"var power = global::System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? global::System.Runtime.Intrinsics.X86.Avx512F.Scale(p, n) : {bits};"
                : $"var power = {bits};");
            w.WriteLine("var half = t * q * power;");
            w.WriteLine($"// Phi(-z) = 1 - Phi(z); below -{Bound} it is 0, so that -inf gives PyTorch's -inf * 0 (NaN)");
            w.WriteLine($"var phi = {s}.ConditionalSelect({s}.GreaterThanOrEqual(x, {type}.Zero), {Of("1f")} - half, {s}.ConditionalSelect({s}.LessThan(x, {Of("-" + Bound)}), {type}.Zero, half));");
            w.WriteLine("return x * phi;");
        }
    }

    /// <summary>Half of q's coefficient of t^k, as a literal (exact: halving a float only lowers its exponent).</summary>
    private static string Half(int k) => Literal.Float(Q[k] / 2);
}
