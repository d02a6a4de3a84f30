namespace CnnGen.Generator;

/// <summary>
/// How far the emitter unrolls a convolution. The parser reads the same numbers to tell the user
/// (CNN0015) when a layer is too large to unroll, so the message and the emitted code cannot drift apart.
/// </summary>
internal static class UnrollBudget
{
    /// <summary>A convolution with at most this many multiply-adds becomes straight-line code: one statement per output element.</summary>
    public const int StraightLineMultiplyAdds = 512;

    /// <summary>Kernel windows up to this many taps are unrolled into one expression with constant offsets; larger ones become loops.</summary>
    public const int UnrolledWindowTaps = 64;
}
