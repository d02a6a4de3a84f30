using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// The PyTorch fixtures of issue 15 (tests/fixtures/upsampling, made by tests/torch/upsampling_cases.py):
/// ConvTranspose2D, Upsample, PixelShuffle, the padding layers and Conv2D's PaddingMode, a U-Net; every run
/// case matches PyTorch on every SIMD path in CI, every error case fails on its line with its diagnostic.
/// </summary>
public class UpsamplingFixtureTests
{
    private static readonly FixtureFolder Fixtures = new("upsampling", "Fixtures.Upsampling");

    public static TheoryData<string> Run() => new(Fixtures.Cases("run").Select(c => c.Name));

    public static TheoryData<string> Errors() => new(Fixtures.Cases("error").Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Run))]
    public void A_run_case_matches_PyTorch(string name) => Fixtures.AssertRunCaseMatchesPyTorch(name);

    [Theory]
    [MemberData(nameof(Errors))]
    public void An_error_case_fails_on_its_line_with_its_diagnostic(string name) => Fixtures.AssertErrorCaseFailsOnItsLine(name);
}
