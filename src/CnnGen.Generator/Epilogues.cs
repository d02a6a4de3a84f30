using CnnGen.Ir;

namespace CnnGen.Generator;

/// <summary>
/// How elementwise ops are written: as a scalar expression, and where it costs a few vector
/// instructions, as a vector one. Both the standalone activation methods and the stores of the
/// convolutions they are fused into use these, so each function is spelled once.
/// </summary>
internal static class Epilogues
{
    /// <summary>The math classes as generated code names them, whatever the user's namespaces hold.</summary>
    public const string MathF = "global::System.MathF";

    public const string Math = "global::System.Math";

    /// <summary>Whether a step's vector loop may apply the op as it stores: an activation with a vector form, so every flavor can.</summary>
    public static bool IsFusable(Op op) => op is ActivationOp activation && Vector(activation, SimdFlavor.Portable, "v") is not null;

    /// <summary>
    /// Whether a convolution may apply the op in its store, beside its tile's accumulators: a fusable op whose vector
    /// form is short. GELU's and Mish's (an exp, a division and, for GELU, a degree-9 polynomial: 50 to 60 instructions
    /// with their constants) spilled the registers there: a 1x1 convolution's 512-bit kernel with GELU in its store
    /// moved vectors to and from the stack 684 times and took 228 µs (32 to 96 channels on 32 x 32, Zen 5), where the
    /// convolution and a GELU step after it took 37 and 83 µs (the network around them 251 µs to 199). Nor does a
    /// depthwise convolution apply any activation through exp (SiLU, Sigmoid, ELU, SELU): its tile of 24 sums left no
    /// registers for the exp's, and past the JIT's inlining budget (the kernel's tens of stores) the exp was a call
    /// that moved every sum to the stack and back. EfficientNet-B0 on 224 x 224 (per-layer profile, Zen 5): its
    /// depthwise convolutions with SiLU in their stores took 322, 319 and 427 µs (32 channels on 112 x 112, 96 at
    /// stride 2, 144 on 56 x 56), and 112 + 112, 129 + 90 and 143 + 128 as a convolution and a SiLU step; timed beside
    /// the code before in one process, with the exp's vscalefps (<see cref="VectorExp"/>), the network took 0.84 of its time. A 1x1 convolution's channel kernel keeps
    /// SiLU in its store: 594 µs, where the convolution and the step took 262 + 368 (16 to 96 channels on 112 x 112).
    /// Such an activation stays a step of its own, on 512-bit vectors where the CPU has them, in the convolution's
    /// layout (<see cref="Planning.Layouts"/>).
    /// </summary>
    /// <param name="op">The op after the convolution.</param>
    /// <param name="depthwise">Whether the convolution is depthwise (a filter a channel).</param>
    public static bool FitsConvolutionStore(Op op, bool depthwise) =>
        IsFusable(op) && !VectorGelu.IsNeededBy(op) && !VectorGelu.IsNeededByTanh(op) && !VectorMish.IsNeededBy(op) && !(depthwise && NeedsVectorExp(op));

    /// <summary>Whether the op's vector form calls the emitted vector exp: ELU and SELU through expm1, which calls it; erf's GELU has its own (<see cref="VectorGelu.Write"/>).</summary>
    public static bool NeedsVectorExp(Op op) => op is ActivationOp
    {
        Function: Activation.Sigmoid or Activation.SiLU or Activation.Mish,
    } || VectorExp.IsExpM1NeededBy(op) || VectorGelu.IsNeededByTanh(op);

    /// <summary>
    /// Whether the op's vector form is a long chain of dependent steps (GELU's erfc, or an exp: Mish, SiLU, Sigmoid, ELU,
    /// SELU, GELU's tanh form), which a step of its own takes several vectors at a time (<c>ActivationVectorsAStep</c>).
    /// </summary>
    public static bool IsLongChain(Op op) => VectorGelu.IsNeededBy(op) || NeedsVectorExp(op);

    /// <summary>Whether a max pool fused after the op may pool first and apply the op to the pooled value only.</summary>
    public static bool CommutesWithMaxPool(Op op) => op is ActivationOp { CommutesWithMaxPool: true };

    /// <summary>The op applied to the float <paramref name="v"/> (an expression that may be repeated: a name or a call).</summary>
    public static string Scalar(ActivationOp op, string v) => op.Function switch
    {
        Activation.ReLU => $"{MathF}.Max({v}, 0f)",
        Activation.LeakyReLU => $"{v} >= 0f ? {v} : {v} * {Literal.Float(op.NegativeSlope)}",
        Activation.Sigmoid => $"1f / (1f + {MathF}.Exp(-{v}))",
        Activation.Tanh => $"{MathF}.Tanh({v})",
        Activation.ReLU6 => $"{MathF}.Min({MathF}.Max({v}, 0f), 6f)",
        Activation.Hardtanh => $"{MathF}.Min({MathF}.Max({v}, {Literal.Float(op.Min)}), {Literal.Float(op.Max)})",
        // ATen's order of operations: min(max(x + 3, 0), 6) / 6
        Activation.Hardsigmoid => $"{MathF}.Min({MathF}.Max({v} + 3f, 0f), 6f) / 6f",
        Activation.Hardswish => $"{v} * {MathF}.Min({MathF}.Max({v} + 3f, 0f), 6f) / 6f",
        Activation.SiLU => $"{v} / (1f + {MathF}.Exp(-{v}))",
        // in double, through the class's Log1PExp: log(1 + exp(x)) neither overflows early nor loses the small values
        Activation.Mish => $"(float)({v} * {Math}.Tanh(CnnGenLog1PExp({v})))",
        Activation.GELU => op.UsesTanhApproximation ? $"CnnGenGeluTanh({v})" : $"CnnGenGelu({v})",
        Activation.ELU => $"{v} > 0f ? {v} : (float)({Literal.Float(op.Alpha)} * {ScalarExpM1(v)})",
        Activation.SELU => $"(float)({ActivationOp.SeluScale.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} * ({v} > 0f ? {v} : {ActivationOp.SeluAlpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} * {ScalarExpM1(v)}))",
        // PyTorch: x where x * beta > threshold, else log1p(exp(x * beta)) / beta
        Activation.Softplus => $"{v} * {Literal.Float(op.Beta)} > {Literal.Float(op.Threshold)} ? {v} : (float)(CnnGenLog1PExp({v} * (double){Literal.Float(op.Beta)}) / {Literal.Float(op.Beta)})",
    };

    /// <summary>
    /// expm1 of the float <paramref name="v"/> in double, as PyTorch's ELU and SELU take it: exp(x) - 1 in double is 0
    /// for x under 1e-16 (1e-30 came out as 0), so below 1e-5 in magnitude x + x^2 / 2, whose remainder (x^3 / 6) and
    /// the subtraction's error above it are both under 1e-10 of the result.
    /// </summary>
    private static string ScalarExpM1(string v) => $"({Math}.Abs({v}) < 1e-5f ? {v} + 0.5 * {v} * {v} : {Math}.Exp({v}) - 1.0)";

    /// <summary>
    /// The op on the vector <paramref name="v"/> (a name: it may be repeated), or null where it has no vector form here and stays scalar.
    /// The result is a primary expression (a call, or in parentheses), so a member access may follow it.
    /// </summary>
    public static string? Vector(ActivationOp op, SimdFlavor flavor, string v)
    {
        string zero = flavor.Type + ".Zero";
        string Of(float value) => flavor.Broadcast(Literal.Float(value));
        string Max(string a, string b) => $"{flavor.Static}.Max({a}, {b})";
        string Min(string a, string b) => $"{flavor.Static}.Min({a}, {b})";
        return op.Function switch
        {
            Activation.ReLU => flavor.ReLU(v),
            // a slope in (0, 1] keeps the larger of x and x * slope, a finite one above 1 the smaller: two instructions,
            // not a compare, a multiply and a blend. Exact: the rounded product lies on the same side of x as the exact
            // one, and a NaN x comes through as the second operand. The select for the rest: at slope 0, PyTorch's
            // -inf * 0 is NaN, which maxps would drop; a negative or NaN slope orders nothing
            Activation.LeakyReLU when op.NegativeSlope > 0f && op.NegativeSlope <= 1f => $"{flavor.Static}.MaxNative({v} * {Literal.Float(op.NegativeSlope)}, {v})",
            Activation.LeakyReLU when op.NegativeSlope > 1f && !float.IsInfinity(op.NegativeSlope) => $"{flavor.Static}.MinNative({v} * {Literal.Float(op.NegativeSlope)}, {v})",
            Activation.LeakyReLU => $"{flavor.Static}.ConditionalSelect({flavor.Static}.GreaterThanOrEqual({v}, {zero}), {v}, {v} * {Literal.Float(op.NegativeSlope)})",
            Activation.ReLU6 => Min(flavor.ReLU(v), Of(6f)),
            // a bound of 0 as ReLU's one maxps; Max by any other constant is one already (the JIT puts the constant first)
            Activation.Hardtanh => Min(op.Min == 0f ? flavor.ReLU(v) : Max(v, Of(op.Min)), Of(op.Max)),
            // parenthesized: the callers may apply a method to the result (value.CopyTo(lanes))
            Activation.Hardsigmoid => $"({Min(flavor.ReLU($"{v} + {Of(3f)}"), Of(6f))} / {Of(6f)})",
            Activation.Hardswish => $"({v} * {Min(flavor.ReLU($"{v} + {Of(3f)}"), Of(6f))} / {Of(6f)})",
            // the emitted vector exp (VectorExp.Name) is within 1 ulp
            Activation.Sigmoid => $"({Of(1f)} / ({Of(1f)} + {VectorExp.Name(flavor)}(-{v})))",
            Activation.SiLU => $"({v} / ({Of(1f)} + {VectorExp.Name(flavor)}(-{v})))",
            // exp(x) - 1 through the emitted expm1 (VectorExp.ExpM1Name), as PyTorch's: small values keep their relative precision
            Activation.ELU => $"{flavor.Static}.ConditionalSelect({flavor.Static}.GreaterThan({v}, {zero}), {v}, {VectorExp.ExpM1Name(flavor)}({v}) * {Literal.Float(op.Alpha)})",
            Activation.SELU => $"({flavor.Static}.ConditionalSelect({flavor.Static}.GreaterThan({v}, {zero}), {v}, {VectorExp.ExpM1Name(flavor)}({v}) * {Literal.Float((float)ActivationOp.SeluAlpha)}) * {Literal.Float((float)ActivationOp.SeluScale)})",
            // the emitted odd rational (VectorTanh.Name): small values keep their relative precision
            Activation.Tanh => $"{VectorTanh.Name(flavor)}({v})",
            // the emitted GELU through erfc (VectorGelu.Name), its tanh approximation as x / (1 + exp(-2u))
            // (VectorGelu.TanhName) and Mish as x n / (n + 2) (VectorMish.Name) keep small values' relative precision;
            // log1p in Softplus has no such vector form here
            Activation.GELU when !op.UsesTanhApproximation => $"{VectorGelu.Name(flavor)}({v})",
            Activation.GELU => $"{VectorGelu.TanhName(flavor)}({v})",
            Activation.Mish => $"{VectorMish.Name(flavor)}({v})",
            Activation.Softplus => null,
        };
    }

    /// <summary>The scalar store of a value through an optional epilogue.</summary>
    public static string Scalar(Planning.Epilogue? epilogue, string value) =>
        epilogue is null ? value : Scalar((ActivationOp)epilogue.Op, value);

    /// <summary>The vector store of a value through an optional epilogue.</summary>
    public static string Vector(Planning.Epilogue? epilogue, SimdFlavor flavor, string value) =>
        epilogue is null ? value : Vector((ActivationOp)epilogue.Op, flavor, value)!;
}
