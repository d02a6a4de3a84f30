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
    /// Asks the CPU to bring the cache line <paramref name="offset"/> floats past <paramref name="origin"/> into
    /// every cache level. A hint only: it reads nothing into the program and never faults, whatever the address
    /// (past the end of the array included, which is why the offset is applied to an address, not to a reference);
    /// nothing on CPUs without SSE.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(ref float origin, nint offset)
    {
        // an address taken from a reference into a movable array: if the GC moves the array meanwhile, the
        // hint fetches a stale line, which costs nothing but the hint
        if (Sse.IsSupported) Sse.Prefetch0((float*)Unsafe.AsPointer(ref origin) + offset);
    }
}
