// Shared as a linked file by the runtime library (its safetensors reader), the generator and the build task (their
// header text): one table of the dtypes a safetensors file may hold.
using System;
using System.Collections.Generic;

namespace CnnGen.Ir;

/// <summary>Bits per element of every dtype the Rust safetensors library knows (its Dtype::bitsize), as of safetensors 0.6.</summary>
internal static class SafetensorsDTypes
{
    private static readonly Dictionary<string, int> Bits = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 8,
        ["F4"] = 4,
        ["F6_E2M3"] = 6,
        ["F6_E3M2"] = 6,
        ["U8"] = 8,
        ["I8"] = 8,
        ["F8_E5M2"] = 8,
        ["F8_E4M3"] = 8,
        ["F8_E8M0"] = 8,
        ["I16"] = 16,
        ["U16"] = 16,
        ["F16"] = 16,
        ["BF16"] = 16,
        ["I32"] = 32,
        ["U32"] = 32,
        ["F32"] = 32,
        ["C64"] = 64,
        ["F64"] = 64,
        ["I64"] = 64,
        ["U64"] = 64,
    };

    /// <summary>The dtype's bits per element, or 0 for a name safetensors does not know.</summary>
    public static int BitsOf(string dtype) => Bits.TryGetValue(dtype, out int bits) ? bits : 0;

    /// <summary>The known names, for messages.</summary>
    public static string Known => string.Join(", ", Bits.Keys);
}
