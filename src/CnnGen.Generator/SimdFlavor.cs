namespace CnnGen.Generator;

/// <summary>
/// The SIMD vector an emitted method is written for. Each vectorized layer gets a method per flavor;
/// the layer's entry point picks one with IsHardwareAccelerated, which the JIT folds to a constant.
/// </summary>
internal sealed class SimdFlavor
{
    private SimdFlavor(string suffix, string @static, int? lanes, int registers, int accumulators, string description, string? accelerated = null)
    {
        IsHardwareAccelerated = accelerated ?? @static + ".IsHardwareAccelerated";
        Suffix = suffix;
        Static = @static;
        Lanes = lanes;
        Registers = registers;
        Accumulators = accumulators;
        Description = description;
    }

    /// <summary>Vector&lt;float&gt;: 128 or 256 bits as the JIT decides, so its lane count is the JIT's constant, not ours.</summary>
    public static SimdFlavor Portable { get; } = new("", "global::System.Numerics.Vector", null, 16, 16, "SIMD vectors");

    /// <summary>
    /// Vector512&lt;float&gt;, used when the CPU runs AVX-512: 16 lanes, known here, so tiles are planned
    /// around them; its 32 registers hold 24 accumulators besides the operands.
    /// </summary>
    public static SimdFlavor Wide { get; } = new("512", "global::System.Runtime.Intrinsics.Vector512", WideLanes, 32, 24, "512-bit vectors");

    /// <summary><see cref="Wide"/>'s lanes, as a constant for the plans counted in them.</summary>
    public const int WideLanes = 16;

    /// <summary><see cref="Portable"/>'s fewest lanes (128 bits): what a loop over its vectors can count on.</summary>
    public const int PortableLeastLanes = 4;

    /// <summary>
    /// Vector256&lt;float&gt; in the 512-bit path's place, for a channels-last convolution of 8 to 15 filters, which a
    /// 512-bit vector would not fill: run where Vector512 is accelerated, so AVX-512's 32 registers hold its tiles.
    /// </summary>
    public static SimdFlavor Half { get; } = new("256", "global::System.Runtime.Intrinsics.Vector256", 8, 32, 24, "256-bit vectors", Wide.IsHardwareAccelerated);

    /// <summary>Vector128&lt;float&gt; in the 512-bit path's place, for 4 to 7 filters; as <see cref="Half"/>.</summary>
    public static SimdFlavor Quarter { get; } = new("128", "global::System.Runtime.Intrinsics.Vector128", 4, 32, 24, "128-bit vectors", Wide.IsHardwareAccelerated);

    /// <summary>Appended to the layer's method name.</summary>
    public string Suffix { get; }

    /// <summary>The static class of the vector operations.</summary>
    public string Static { get; }

    public string Type => Static + "<float>";

    /// <summary>Lanes per vector when the generator knows them (null: decided by the JIT).</summary>
    public int? Lanes { get; }

    /// <summary>Vector registers the target has (AVX2: 16; AVX-512: 32), for tiles that must not spill.</summary>
    public int Registers { get; }

    /// <summary>Accumulator registers a tile may hold.</summary>
    public int Accumulators { get; }

    public string Description { get; }

    /// <summary>Lanes as the emitted code spells them: a literal, or Vector&lt;float&gt;.Count.</summary>
    public string Count => Lanes is int lanes ? lanes.ToString(System.Globalization.CultureInfo.InvariantCulture) : Type + ".Count";

    /// <summary>The condition the JIT folds to choose this flavor's method.</summary>
    public string IsHardwareAccelerated { get; }

    public string Broadcast(string scalar) => Lanes is null ? $"new {Type}({scalar})" : $"{Static}.Create({scalar})";

    public string Load(string reference, string offset) => $"{Static}.LoadUnsafe(ref {reference}, (nuint)({offset}))";

    /// <summary>A vector of the span's first lanes (checked): Vector&lt;T&gt;'s constructor, Vector512's Create.</summary>
    public string FromSpan(string span) => Lanes is null ? $"new {Type}({span})" : $"{Static}.Create<float>({span})";

    public string Store(string value, string reference, string offset) => $"{Static}.StoreUnsafe({value}, ref {reference}, (nuint)({offset}));";

    public string MultiplyAdd(string a, string b, string addend) => $"{Static}.MultiplyAddEstimate({a}, {b}, {addend})";

    /// <summary>Vector&lt;T&gt;.CopyTo is an instance method; Vector512's is an extension, called here by its class.</summary>
    public string CopyTo(string value, string span) => Lanes is null ? $"{value}.CopyTo({span});" : $"{Static}.CopyTo({value}, {span});";

    /// <summary>
    /// max(0, value) as one maxps: IEEE's Max also orders -0 below +0, which costs the JIT a vfixupimmps (or a compare
    /// and a blend) a vector. maxps returns its second operand where either is NaN, so a NaN still comes through as
    /// PyTorch's does; a -0 stays -0, which equals 0.
    /// </summary>
    public string ReLU(string value) => $"{Static}.MaxNative({Type}.Zero, {value})";
}
