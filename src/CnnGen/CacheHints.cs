using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace CnnGen;

/// <summary>
/// Cache hints for generated kernels, which stream weights too large for the caches: used by generated code,
/// not meant to be called directly. Generated code has no <c>unsafe</c> context (its users need not allow unsafe
/// blocks), and a prefetch instruction takes an address, so it asks here.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CacheHints
{
    // CPUID read once for both decisions below, which static initialization (in textual order) computes after it
    private static readonly string CpuVendor = Vendor();
    private static readonly int CpuSignature = Signature();

    /// <summary>
    /// Whether the hints bring a line into L2 only (PREFETCHT1), not into L1 too (PREFETCHT0): see
    /// <see cref="PrefetchesIntoL2"/>. A static readonly field, so the JIT folds it to a constant and each hint is
    /// one instruction.
    /// </summary>
    private static readonly bool IntoL2Only = PrefetchesIntoL2(CpuVendor, CpuSignature);

    /// <summary>
    /// Whether <see cref="PrefetchLowReuse"/> asks at all: see <see cref="HintsLowReuseStreams"/>. A static readonly
    /// field, folded by the JIT like <see cref="IntoL2Only"/>.
    /// </summary>
    private static readonly bool HintsLowReuse = HintsLowReuseStreams(CpuVendor, CpuSignature);

    /// <summary>
    /// Asks the CPU to bring the cache line <paramref name="offset"/> floats past <paramref name="origin"/> into
    /// the caches (every level, or L2 and L3 where that pays: <see cref="PrefetchesIntoL2"/>). A hint only: it reads
    /// nothing into the program and never faults, whatever the address (past the end of the array included, which is
    /// why the offset is applied to an address, not to a reference); nothing on CPUs without SSE.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(ref float origin, nint offset)
    {
        if (!Sse.IsSupported) return;
        // an address taken from a reference into a movable array: if the GC moves the array meanwhile, the
        // hint fetches a stale line, which costs nothing but the hint
        float* line = (float*)Unsafe.AsPointer(ref origin) + offset;
        if (IntoL2Only) Sse.Prefetch1(line);
        else Sse.Prefetch0(line);
    }

    /// <summary>
    /// <see cref="Prefetch"/> for a kernel that uses each weight it streams in few multiply-adds (at most 4: a
    /// convolution whose output map is 2 x 2 or smaller), so that its own loads run far ahead of its arithmetic:
    /// nothing where <see cref="HintsLowReuseStreams"/> says hints only slow such a stream, else the same hint.
    /// </summary>
    /// <param name="origin">A reference into the weights.</param>
    /// <param name="offset">How many floats past <paramref name="origin"/> the line to ask for lies.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PrefetchLowReuse(ref float origin, nint offset)
    {
        if (HintsLowReuse) Prefetch(ref origin, offset);
    }

    /// <summary>
    /// Whether kernels that use each streamed weight in few multiply-adds gain by asking for their weights ahead. Not
    /// on AMD's family 19h: there such a kernel keeps enough lines in flight with its own loads and the hints only add
    /// requests. On a Zen 4 EPYC, the hints of those kernels toggled in one process (medians of 31 rounds), a
    /// ResNet-50-style network on 64 x 64 (its 2 x 2 stage's 2 to 9 MB layers, 56 MB of weights from memory a call)
    /// took 0.88 to 0.95 of the time without them (the 3x3 512-filter layers 0.73 to 0.80 in the per-layer profile,
    /// where its 4 x 4 stage, 16 multiply-adds a weight, took 1.3 times as long without its hints); networks without
    /// such layers within the noise. Zen 5 keeps them: toggled there in alternating processes (three rounds), that
    /// network took 0.70 to 0.75 of ONNX Runtime's time with them and 0.78 to 0.95 without.
    /// </summary>
    /// <param name="vendor">CPUID leaf 0's vendor string ("AuthenticAMD").</param>
    /// <param name="signature">CPUID leaf 1's EAX: stepping, model, family and their extensions.</param>
    internal static bool HintsLowReuseStreams(string vendor, int signature) => !IsAmdFamily19h(vendor, signature);

    /// <summary>
    /// Whether a weight stream goes faster with its lines asked into L2 only: on AMD's family 19h (Zen 3, Zen 4),
    /// whose L1 prefetcher then keeps pace from L2, and where lines asked into L1 too take the load slots the kernel
    /// needs. Measured on a Zen 4 EPYC in one process, the kinds of hint toggled (medians of 41 rounds): ResNet-18's
    /// last stage alone (the WeightStream benchmark, 33 MB a call from memory) 1,857 us into L2, 2,321 with no hint,
    /// 2,821 into L1; ResNet18Small 4,586, 5,029 and 5,513 us; networks whose weights stay in L2 or L3 within the
    /// noise. On Zen 5 (family 1Ah) hints into L1 doubled that stream. Intel's Emerald Rapids (family 6, model CFh)
    /// too, where a core's requests to L3 are what limit a stream: in one process beside ONNX Runtime, five
    /// alternating rounds, ResNet18Small took 0.51 to 0.76 of ORT's time with hints into L2 (median 0.58) where hints
    /// into L1 took 0.55 to 0.90 (0.80), ResNet-34 on 112 x 112 0.78 to 0.87 (0.83) where 0.84 to 0.90 (0.86);
    /// MobileNetV2Small the same either way. Sapphire Rapids (model 8Fh), the same cores and mesh, with it. Other CPUs
    /// are not measured: they keep hints into every level.
    /// </summary>
    /// <param name="vendor">CPUID leaf 0's vendor string ("AuthenticAMD").</param>
    /// <param name="signature">CPUID leaf 1's EAX: stepping, model, family and their extensions.</param>
    internal static bool PrefetchesIntoL2(string vendor, int signature) =>
        IsAmdFamily19h(vendor, signature) || IsIntelXeonOnGoldenCoveMesh(vendor, signature);

    private static bool IsAmdFamily19h(string vendor, int signature) => vendor == "AuthenticAMD" && Family(signature) == 0x19;

    /// <summary>Sapphire Rapids (family 6, model 8Fh) and Emerald Rapids (model CFh).</summary>
    private static bool IsIntelXeonOnGoldenCoveMesh(string vendor, int signature) =>
        vendor == "GenuineIntel" && Family(signature) == 6 && Model(signature) is 0x8F or 0xCF;

    private static int Family(int signature)
    {
        int baseFamily = (signature >> 8) & 0xF;
        return baseFamily == 0xF ? baseFamily + ((signature >> 20) & 0xFF) : baseFamily;
    }

    // families 6 and 0Fh extend the model with bits 16 to 19
    private static int Model(int signature)
    {
        int baseFamily = (signature >> 8) & 0xF, model = (signature >> 4) & 0xF;
        return baseFamily is 6 or 0xF ? model | (((signature >> 16) & 0xF) << 4) : model;
    }

    internal static string Vendor()
    {
        if (!X86Base.IsSupported) return "";
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<byte> name = stackalloc byte[12];
        for (int i = 0; i < 4; i++)
        {
            name[i] = (byte)(ebx >> (8 * i));
            name[4 + i] = (byte)(edx >> (8 * i));
            name[8 + i] = (byte)(ecx >> (8 * i));
        }
        return System.Text.Encoding.ASCII.GetString(name);
    }

    internal static int Signature() => X86Base.IsSupported ? X86Base.CpuId(1, 0).Eax : 0;
}
