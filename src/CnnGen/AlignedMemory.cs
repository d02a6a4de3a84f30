using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnGen;

/// <summary>
/// Float arrays for generated code whose first element sits on a cache line: used by generated code, not meant to be
/// called directly. A 512-bit vector is a cache line wide, so one that starts off a line's boundary reads or writes two
/// lines: the generated kernels' activations and weights, laid out in whole vectors, run up to a third faster aligned.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class AlignedMemory
{
    /// <summary>The bytes of a cache line, and of a 512-bit vector.</summary>
    public const int Alignment = 64;

    /// <summary>
    /// <paramref name="length"/> zeroed floats whose first sits on a 64-byte boundary. The array is allocated on the
    /// pinned heap, where the collector never moves it, so the boundary holds for the array's life.
    /// </summary>
    public static unsafe ArraySegment<float> Floats(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        const int spare = Alignment / sizeof(float) - 1;
        var array = GC.AllocateArray<float>(checked(length + spare), pinned: true);
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        // an array's elements are 4-byte aligned, so a whole number of floats reaches the boundary
        int start = (int)((Alignment - address % Alignment) % Alignment / sizeof(float));
        return new ArraySegment<float>(array, start, length);
    }
}
