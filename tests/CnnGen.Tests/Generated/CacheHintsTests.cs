using System.Reflection;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// Generated kernels ask for streamed weights ahead of use, into L2 only on AMD's family 19h (Zen 3, Zen 4) and Intel's
/// Sapphire and Emerald Rapids, into every level elsewhere, told from CPUID's vendor and signature. The decision is
/// internal to the library (its internals are not visible to the tests, which share the generator's internal types),
/// so it is reached by name.
/// </summary>
public sealed class CacheHintsTests
{
    private static T Call<T>(string method, params object[] arguments) =>
        (T)typeof(CacheHints).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, arguments)!;

    [Theory]
    [InlineData("AuthenticAMD", 0x00A10F11, true)]   // Zen 4, EPYC 9004: family 0Fh + 0Ah = 19h, model 11h
    [InlineData("AuthenticAMD", 0x00A60F12, true)]   // Zen 4, Ryzen 7000
    [InlineData("AuthenticAMD", 0x00A00F11, true)]   // Zen 3, EPYC 7003
    [InlineData("AuthenticAMD", 0x00B00F21, false)]  // Zen 5, EPYC 9005: family 1Ah, where hints into L1 double the stream
    [InlineData("AuthenticAMD", 0x00830F10, false)]  // Zen 2, family 17h
    [InlineData("GenuineIntel", 0x000C06F2, true)]   // Emerald Rapids, family 6, model CFh: measured faster into L2
    [InlineData("GenuineIntel", 0x000806F8, true)]   // Sapphire Rapids, model 8Fh, the same cores and mesh
    [InlineData("GenuineIntel", 0x000A06A4, false)]  // Meteor Lake, model AAh: not measured
    [InlineData("GenuineIntel", 0x00050657, false)]  // Cascade Lake, model 55h
    [InlineData("GenuineIntel", 0x000006F2, false)]  // model Fh without the extension is not CFh
    [InlineData("GenuineIntel", 0x00A10F11, false)]  // family 19h is AMD's numbering only
    [InlineData("", 0, false)]                       // no CPUID (not x86)
    public void Hints_go_into_L2_only_on_AMD_family_19h_and_Intel_Sapphire_and_Emerald_Rapids(string vendor, int signature, bool intoL2)
    {
        Assert.Equal(intoL2, Call<bool>("PrefetchesIntoL2", vendor, signature));
    }

    [Theory]
    [InlineData("AuthenticAMD", 0x00A10F11, false)]  // Zen 4: such a kernel's own loads keep the stream going
    [InlineData("AuthenticAMD", 0x00A00F11, false)]  // Zen 3, the same family
    [InlineData("AuthenticAMD", 0x00B00F21, true)]   // Zen 5: measured faster with them (0.70 to 0.75x ONNX Runtime, 0.78 to 0.95x without)
    [InlineData("GenuineIntel", 0x000806F8, true)]   // Sapphire Rapids: into L2 only, and these hinted too
    [InlineData("GenuineIntel", 0x000C06F2, true)]   // Emerald Rapids, measured with them
    [InlineData("", 0, true)]                        // nothing is emitted without SSE anyway
    public void Streams_of_weights_used_a_few_times_are_hinted_except_on_AMD_family_19h(string vendor, int signature, bool hints)
    {
        Assert.Equal(hints, Call<bool>("HintsLowReuseStreams", vendor, signature));
    }

    [Fact]
    public void The_vendor_is_read_as_CPUID_spells_it()
    {
        string vendor = Call<string>("Vendor");
        if (!X86Base.IsSupported)
        {
            Assert.Equal("", vendor);
            return;
        }
        // EBX, EDX, ECX in that order: "Auth" "enti" "cAMD", "Genu" "ineI" "ntel"
        Assert.Matches("^[ -~]{12}$", vendor);
        int signature = Call<int>("Signature");
        Assert.NotEqual(0, signature);
    }

    [Fact]
    public void A_prefetch_never_faults_wherever_it_points()
    {
        var floats = new float[4];
        CacheHints.Prefetch(ref floats[0], 0);
        CacheHints.Prefetch(ref floats[0], 1 << 28);
        CacheHints.Prefetch(ref floats[3], -(1 << 20));
        CacheHints.PrefetchLowReuse(ref floats[0], 1 << 28);
        CacheHints.PrefetchLowReuse(ref floats[3], -(1 << 20));
        Assert.Equal(0f, floats[0]);
    }
}
