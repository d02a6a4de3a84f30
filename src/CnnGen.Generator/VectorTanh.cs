using CnnGen.Generator.Planning;

namespace CnnGen.Generator;

/// <summary>
/// tanh on vectors, emitted into the network class where a Tanh runs on vectors. 1 - 2 / (exp(2x) + 1)
/// would lose the relative precision of small values; this is the odd rational minimax of Eigen (and
/// ONNX Runtime's MLAS): x p(x^2) / q(x^2) of degrees 13 and 6, on x clamped to +-7.9053 where tanh
/// is within 5e-7 of +-1. Odd in x, so small values keep their relative precision; within 8 ulp (measured: 7, near 5.95).
/// </summary>
internal static class VectorTanh
{
    /// <summary>The emitted method for a flavor: prefixed so that it cannot meet the user's members.</summary>
    public static string Name(SimdFlavor flavor) => "CnnGenTanh" + (flavor.Lanes is null ? "Vector" : flavor.Suffix);

    /// <summary>Whether the op's vector form calls the emitted vector tanh.</summary>
    public static bool IsNeededBy(Ir.Op op) => op is Ir.ActivationOp { Function: Ir.Activation.Tanh };

    /// <summary>Whether any step of the plan applies a Tanh, as a step or in a store.</summary>
    public static bool IsNeeded(ExecutionPlan plan) => plan.Runs(IsNeededBy);

    public static void Write(SourceWriter w, SimdFlavor v)
    {
        string Of(string value) => v.Broadcast(value);
        string Fma(string a, string b, string c) => v.MultiplyAdd(a, b, c);
        using (VectorHelper.Open(w, v, Name(v), $"tanh(x) on {v.Description}: x (p(x^2) / q(x^2)), Eigen's rational minimax, within 8 ulp; NaN stays NaN."))
        {
            w.WriteLine($"var clamped = {v.Static}.Min({v.Static}.Max(x, {Of("-7.90531110763549805f")}), {Of("7.90531110763549805f")});");
            w.WriteLine("var x2 = clamped * clamped;");
            w.WriteLine($"var p = {Fma("x2", Of("-2.76076847742355e-16f"), Of("2.00018790482477e-13f"))};");
            foreach (var c in new[] { "-8.60467152213735e-11f", "5.12229709037114e-08f", "1.48572235717979e-05f", "6.37261928875436e-04f", "4.89352455891786e-03f" })
                w.WriteLine($"p = {Fma("p", "x2", Of(c))};");
            w.WriteLine($"var q = {Fma("x2", Of("1.19825839466702e-06f"), Of("1.18534705686654e-04f"))};");
            w.WriteLine($"q = {Fma("q", "x2", Of("2.26843463243900e-03f"))};");
            w.WriteLine($"q = {Fma("q", "x2", Of("4.89352518554385e-03f"))};");
            // the clamp may turn a NaN into a bound: a NaN (the one value unequal to itself) is passed through
            w.WriteLine($"return {v.Static}.ConditionalSelect({v.Static}.Equals(x, x), clamped * (p / q), x);");
        }
    }
}
