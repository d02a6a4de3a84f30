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
    /// <summary>
    /// Whether a prefetch is worth its instruction on this CPU: not where the hardware prefetcher already streams
    /// the weights at the memory's pace (see <see cref="PrefetcherKeepsPace"/>). A static readonly field, so the
    /// JIT folds it into a constant and drops the prefetches altogether where they do not pay.
    /// </summary>
    private static readonly bool AsksAhead = !PrefetcherKeepsPace(Vendor(), Signature());

    /// <summary>
    /// Asks the CPU to bring the cache line <paramref name="offset"/> floats past <paramref name="origin"/> into
    /// every cache level. A hint only: it reads nothing into the program and never faults, whatever the address
    /// (past the end of the array included, which is why the offset is applied to an address, not to a reference);
    /// nothing on CPUs without SSE, nor where the hardware prefetcher keeps pace alone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(ref float origin, nint offset)
    {
        // an address taken from a reference into a movable array: if the GC moves the array meanwhile, the
        // hint fetches a stale line, which costs nothing but the hint
        if (Sse.IsSupported && AsksAhead) Sse.Prefetch0((float*)Unsafe.AsPointer(ref origin) + offset);
    }

    /// <summary>
    /// Whether the CPU's hardware prefetcher streams a layer's weights from memory as fast as the kernel asking a
    /// line at a time 8 KiB ahead, so that those prefetches only take load slots: AMD's family 19h (Zen 3 and Zen 4).
    /// Measured on a Zen 4 EPYC, ResNet-18's last stage alone (the WeightStream benchmark, 33 MB a call): 2,340 to
    /// 2,960 us asking ahead, 1,840 to 1,970 without. On Zen 5 (family 1Ah) the same stream took twice as long
    /// without the prefetches, and other CPUs are not measured: they keep them.
    /// </summary>
    /// <param name="vendor">CPUID leaf 0's vendor string ("AuthenticAMD").</param>
    /// <param name="signature">CPUID leaf 1's EAX: stepping, model, family and their extensions.</param>
    internal static bool PrefetcherKeepsPace(string vendor, int signature)
    {
        int baseFamily = (signature >> 8) & 0xF;
        int family = baseFamily == 0xF ? baseFamily + ((signature >> 20) & 0xFF) : baseFamily;
        return vendor == "AuthenticAMD" && family == 0x19;
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
