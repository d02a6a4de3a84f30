using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen;

/// <summary>
/// The inputs a generated Dense kernel (or a convolution that is one in all but name: one output pixel, one tap)
/// multiplies in: used by generated code, not meant to be called directly. A Dense layer after a ReLU or a max pool of
/// one gets many inputs that are exactly zero (LeNet-5's 400 and 120: 46% each); a zero input adds nothing to any
/// output, so the kernel skips its row of weights, which for a layer too large for L1 is most of its time. Skipping is exact only where every weight is finite: a zero times an infinite or NaN
/// weight is NaN, which PyTorch passes on.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class DenseInputs
{
    /// <summary>
    /// Room past the inputs' count that <see cref="Indices"/> needs in its destination and fills: it stores whole
    /// vectors of 16 positions, and a kernel asks for the weights of the position this many entries ahead.
    /// </summary>
    public const int Slack = 32;

    /// <summary>
    /// Writes the positions of <paramref name="x"/>'s inputs that are not zero (NaN is not zero), in increasing order,
    /// to the start of <paramref name="indices"/> and returns how many there are; every position when
    /// <paramref name="skipZeros"/> is false. The <see cref="Slack"/> entries after them repeat the last (0 when there
    /// is none), so that a kernel may read up to that far ahead to ask for weights. Every position written is less
    /// than <c>x.Length</c>, or 0.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is shorter than <c>x.Length + </c><see cref="Slack"/>.</exception>
    public static int Indices(ReadOnlySpan<float> x, Span<int> indices, bool skipZeros)
    {
        if (indices.Length - Slack < x.Length) throw new ArgumentException($"Needs room for {x.Length} + {Slack} indices.", nameof(indices));
        ref float inputs = ref MemoryMarshal.GetReference(x);
        ref int destination = ref MemoryMarshal.GetReference(indices);
        int count = 0, i = 0;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            var positions = Vector512<int>.Indices;
            var step = Vector512.Create(Vector512<int>.Count);
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count, positions += step)
            {
                var kept = skipZeros
                    ? ~Vector512.Equals(Vector512.LoadUnsafe(ref inputs, (nuint)i), Vector512<float>.Zero).AsInt32()
                    : Vector512<int>.AllBitsSet;
                // the register form: the form that stores to memory is microcoded and slow on Zen 4; count <= i, so
                // the 16 lanes stored end before x.Length + Slack
                Avx512F.Compress(Vector512<int>.Zero, kept, positions).StoreUnsafe(ref destination, (nuint)count);
                count += BitOperations.PopCount(kept.ExtractMostSignificantBits());
            }
        }
        for (; i < x.Length; i++)
        {
            // without a branch: which inputs are zero follows no pattern a predictor could learn
            Unsafe.Add(ref destination, count) = i;
            count += !skipZeros || Unsafe.Add(ref inputs, i) != 0f ? 1 : 0;
        }
        indices.Slice(count, Slack).Fill(count > 0 ? Unsafe.Add(ref destination, count - 1) : 0);
        return count;
    }

    /// <summary>Whether every value is finite (neither infinite nor NaN): then a zero input may skip its weights.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float value in values)
            if (!float.IsFinite(value)) return false;
        return true;
    }
}
