using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// The PyTorch fixtures of ChannelSlice and ChannelShuffle (tests/fixtures/channels, made by tests/torch/channel_cases.py):
/// each op on maps, sequences and vectors, a slice feeding a Residual, and small ShuffleNetV2s (stride-1 and stride-2
/// units, BatchNorm, depthwise convolutions) at 24 and 58 channels a branch; every run case matches PyTorch on every
/// SIMD path in CI, every error case fails on its line with its diagnostic.
/// </summary>
public class ChannelFixtureTests
{
    private static readonly FixtureFolder Fixtures = new("channels", "Fixtures.Channels");

    public static TheoryData<string> Run() => new(Fixtures.Cases("run").Select(c => c.Name));

    public static TheoryData<string> Errors() => new(Fixtures.Cases("error").Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Run))]
    public void A_run_case_matches_PyTorch(string name) => Fixtures.AssertRunCaseMatchesPyTorch(name);

    [Theory]
    [MemberData(nameof(Errors))]
    public void An_error_case_fails_on_its_line_with_its_diagnostic(string name) => Fixtures.AssertErrorCaseFailsOnItsLine(name);
}
