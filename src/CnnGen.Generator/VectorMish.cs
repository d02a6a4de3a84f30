using CnnGen.Generator.Planning;

namespace CnnGen.Generator;

/// <summary>
/// Mish, x tanh(softplus(x)), on vectors, emitted into the network class where one runs on vectors. With e = exp(x),
/// tanh(log(1 + e)) = n / (n + 2) where n = e (e + 2): one exp and a division, each step within a few ulp, and
/// small values keep their relative precision (n / 2 is e there). Above 20 it is x (PyTorch's softplus threshold; tanh
/// is 1 within 1e-17); below -20 it is x e^x (n / (n + 2) is e^x within 1e-9), e^x taken as e^(x + 40) e^-40 so that
/// it reaches the subnormals, where exp's clamp at -87 does not. Within 4e-7 of the double form for every float
/// (measured over 4 million values); the elementwise fixtures check it against PyTorch at 1e-6.
/// </summary>
internal static class VectorMish
{
    /// <summary>The emitted method for a flavor: prefixed so that it cannot meet the user's members.</summary>
    public static string Name(SimdFlavor flavor) => "CnnGenMish" + (flavor.Lanes is null ? "Vector" : flavor.Suffix);

    /// <summary>Whether the op's vector form calls the emitted vector Mish.</summary>
    public static bool IsNeededBy(Ir.Op op) => op is Ir.ActivationOp { Function: Ir.Activation.Mish };

    /// <summary>Whether any step of the plan applies a Mish, as a step or in a store.</summary>
    public static bool IsNeeded(ExecutionPlan plan) => plan.Runs(IsNeededBy);

    public static void Write(SourceWriter w, SimdFlavor v)
    {
        string s = v.Static;
        string Of(string value) => v.Broadcast(value);
        string exp = VectorExp.Name(v);
        using (VectorHelper.Open(w, v, Name(v), $"Mish, x tanh(softplus(x)) = x n / (n + 2) with n = e^x (e^x + 2), on {v.Description}: within 4e-7 of the double form; NaN stays NaN."))
        {
            w.WriteLine($"var e = {exp}(x);");
            w.WriteLine($"var n = e * (e + {Of("2f")});");
            w.WriteLine("// e^x e^-40 below -20 (the constant is e^-40)");
            w.WriteLine($"var tail = x * ({exp}(x + {Of("40f")}) * {Of("4.248354255291589e-18f")});");
            w.WriteLine($"return {s}.ConditionalSelect({s}.GreaterThan(x, {Of("20f")}), x, {s}.ConditionalSelect({s}.LessThan(x, {Of("-20f")}), tail, x * n / (n + {Of("2f")})));");
        }
    }
}
