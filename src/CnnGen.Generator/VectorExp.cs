using System.Linq;
using CnnGen.Ir;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator;

/// <summary>
/// exp on vectors, emitted into the network class where an activation needs it. The runtime's
/// Vector512.Exp and Vector.Exp are software loops on .NET 10 (about 30 ns a vector), which made a
/// fused SiLU cost more than its convolution; this is Cephes' expf: n = round(x / ln 2),
/// r = x - n ln 2 in two parts, a degree-6 polynomial, and 2^n applied to it. On AVX-512, 2^n is
/// vscalefps (<c>Avx512F.Scale</c>): one instruction, rounded once, to +inf above 88.72 and through the
/// subnormals to 0 below -103.97, as MathF.Exp. Elsewhere 2^(n - 1) is put into the exponent bits:
/// +inf above 88.72, 0 below -86.99 (where exp is under 2^-125.5). Within 1 ulp of exp above those.
/// The scale took 36% of the time of an exp on 512-bit vectors (Zen 5, 451,584 floats from L2 and L3:
/// 123 µs, and 79 with vscalefps; SiLU 156 and 104): the exponent bits cost a saturating conversion, a
/// shift, an add and two multiplies on the path every vector waits on.
/// </summary>
internal static class VectorExp
{
    /// <summary>The emitted method for a flavor: its name is prefixed so that it cannot meet the user's members.</summary>
    public static string Name(SimdFlavor flavor) => "CnnGenExp" + Suffix(flavor);

    /// <summary>The emitted exp(x) - 1 for a flavor (<see cref="WriteExpM1"/>).</summary>
    public static string ExpM1Name(SimdFlavor flavor) => "CnnGenExpM1" + Suffix(flavor);

    private static string Suffix(SimdFlavor flavor) => flavor.Lanes is null ? "Vector" : flavor.Suffix;

    /// <summary>Whether the op's vector form calls the emitted exp(x) - 1: ELU's and SELU's negative side.</summary>
    public static bool IsExpM1NeededBy(Op op) => op is ActivationOp { Function: Activation.ELU or Activation.SELU };

    /// <summary>Whether any step of the plan applies ELU or SELU (<see cref="IsExpM1NeededBy"/>).</summary>
    public static bool IsExpM1Needed(ExecutionPlan plan) => plan.Runs(IsExpM1NeededBy);

    /// <summary>Whether any step of the plan applies an activation whose vector form calls exp.</summary>
    public static bool IsNeeded(ExecutionPlan plan) => plan.Runs(Epilogues.NeedsVectorExp) || plan.Steps.Any(NetworkEmitter.SoftmaxRunsOnVectors);

    public static void Write(SourceWriter w, SimdFlavor v)
    {
        string Of(string value) => v.Broadcast(value);
        bool scales = Scales(v);
        using (VectorHelper.Open(w, v, Name(v), $"exp(x) on {v.Description} (Cephes' expf: within 1 ulp; +inf above 88.72{(scales ? ", subnormals below -87.34 with AVX-512, else 0 below -86.99" : ", 0 below -86.99")})."))
        {
            // the reduction and the polynomial, from x clamped to [least, most]
            void Polynomial(string least, string most)
            {
                w.WriteLine($"var clamped = {v.Static}.Min({v.Static}.Max(x, {Of(least)}), {Of(most)});");
                WriteReduced(w, v, "clamped");
            }
            if (scales)
                using (w.OpenBlock("if (global::System.Runtime.Intrinsics.X86.Avx512F.IsSupported)"))
                {
                    // n up to 128 (p 2^n overflows to +inf above 88.7228) and down to -150 (0 below -103.98)
                    Polynomial("-104f", "89f");
                    w.WriteLine("return global::System.Runtime.Intrinsics.X86.Avx512F.Scale(p, n);");
                }
            using (w.OpenBlockIf(scales, "else"))
            {
                Polynomial("-87f", "88.72283f");
                w.WriteLine("// 2^(n - 1) in the exponent bits, times 2: n = 128 (x near 88.72) stays finite");
                w.WriteLine($"var scale = {ExponentBits(v, "n", 126)};");
                w.WriteLine($"return {v.Static}.ConditionalSelect({v.Static}.GreaterThan(x, {Of("88.72283f")}), {Of("float.PositiveInfinity")}, p * scale * 2f);");
            }
        }
    }

    /// <summary>Whether the flavor applies 2^n with vscalefps (<c>Avx512F.Scale</c>): the 512-bit one, which runs where AVX-512 is.</summary>
    internal static bool Scales(SimdFlavor v) => v.Lanes == SimdFlavor.WideLanes;

    /// <summary>
    /// 2^(n + <paramref name="bias"/> - 127) put into a float's exponent bits, from the integral float vector
    /// <paramref name="n"/>: the caller keeps n + bias within [1, 254], where the result is a normal float.
    /// </summary>
    internal static string ExponentBits(SimdFlavor v, string n, int bias) => v.Lanes is null
        ? $"global::System.Numerics.Vector.AsVectorSingle(global::System.Numerics.Vector.ShiftLeft(global::System.Numerics.Vector.ConvertToInt32({n}) + new global::System.Numerics.Vector<int>({bias}), 23))"
        : $"{v.Static}.AsSingle({v.Static}.ShiftLeft({v.Static}.ConvertToInt32({n}) + {v.Static}.Create({bias}), 23))";

    /// <summary>
    /// Cephes' reduction and polynomial of exp(<paramref name="argument"/> + <paramref name="addend"/>): n = round(x / ln
    /// 2) and p = exp(r) for r = x - n ln 2, ln 2 in two parts, the addend (a small correction, or null) joining r. The
    /// caller applies 2^n to p and keeps the argument where n stays within the exponent's range.
    /// </summary>
    internal static void WriteReduced(SourceWriter w, SimdFlavor v, string argument, string? addend = null)
    {
        string Of(string value) => v.Broadcast(value);
        string Fma(string a, string b, string c) => v.MultiplyAdd(a, b, c);
        w.WriteLine($"var n = {v.Static}.Floor({Fma(argument, Of("1.44269504088896341f"), Of("0.5f"))});");
        w.WriteLine("// r = x - n ln 2, with ln 2 in two parts so that r keeps its low bits");
        w.WriteLine($"var r = {Fma("n", Of("-0.693359375f"), argument)};");
        w.WriteLine($"r = {Fma("n", Of("2.12194440e-4f"), "r")}{(addend is null ? "" : $" + {addend}")};");
        w.WriteLine($"var p = {Fma(Of("1.9875691500e-4f"), "r", Of("1.3981999507e-3f"))};");
        foreach (var c in new[] { "8.3334519073e-3f", "4.1665795894e-2f", "1.6666665459e-1f", "5.0000001201e-1f" })
            w.WriteLine($"p = {Fma("p", "r", Of(c))};");
        w.WriteLine($"p = {Fma("p", "r * r", "r")} + {Of("1f")};");
    }

    /// <summary>
    /// exp(x) - 1 as PyTorch's ELU and SELU compute it (expm1): exp's result less 1 keeps only float's absolute precision
    /// near 0 (-1e-6 came out as -9.5e-7), so within 0.5 of 0 Taylor's series to x^8 / 8! (its remainder under 5.4e-9,
    /// 1.4e-8 of the result) in Horner's form, and exp less 1 past that, where the result is at least 0.39 in magnitude,
    /// so that exp's ulp and the subtraction's rounding stay within 2 ulp of it. NaN comes through the series; -inf gives -1.
    /// </summary>
    public static void WriteExpM1(SourceWriter w, SimdFlavor v)
    {
        string Of(string value) => v.Broadcast(value);
        string Fma(string a, string b, string c) => v.MultiplyAdd(a, b, c);
        using (VectorHelper.Open(w, v, ExpM1Name(v), $"exp(x) - 1 on {v.Description}, keeping the relative precision of small x (expm1)."))
        {
            // 1/8!, 1/7!, ..., 1/2: x + x^2 (1/2 + x (1/6 + ...))
            w.WriteLine($"var p = {Fma(Of("2.48015873e-5f"), "x", Of("1.98412698e-4f"))};");
            foreach (var c in new[] { "1.38888889e-3f", "8.33333333e-3f", "4.16666667e-2f", "1.66666667e-1f", "0.5f" })
                w.WriteLine($"p = {Fma("p", "x", Of(c))};");
            w.WriteLine($"p = {Fma("p", "x * x", "x")};");
            w.WriteLine($"return {v.Static}.ConditionalSelect({v.Static}.GreaterThan({v.Static}.Abs(x), {Of("0.5f")}), {Name(v)}(x) - {Of("1f")}, p);");
        }
    }
}
