using System;
using System.Runtime.InteropServices;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>The buffers and parameters of generated networks start on cache lines, so that 512-bit vectors are whole lines.</summary>
public sealed class AlignedMemoryTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(100_000)]
    public void Floats_start_on_a_64_byte_boundary_zeroed_with_the_length_asked(int length)
    {
        // several arrays in a row, as a network's buffers are made: each is aligned on its own, not by luck of the heap
        for (int i = 0; i < 8; i++)
        {
            var floats = AlignedMemory.Floats(length);
            Assert.Equal(length, floats.Count);
            Assert.True(floats.Offset + floats.Count <= floats.Array!.Length);
            var handle = GCHandle.Alloc(floats.Array, GCHandleType.Pinned);
            long address = handle.AddrOfPinnedObject() + floats.Offset * sizeof(float);
            handle.Free();
            Assert.Equal(0, address % AlignedMemory.Alignment);
            Assert.All(floats, f => Assert.Equal(0f, f));
        }
    }

    [Fact]
    public void A_negative_length_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AlignedMemory.Floats(-1));
    }
}
