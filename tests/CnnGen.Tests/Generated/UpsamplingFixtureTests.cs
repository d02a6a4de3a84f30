using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// The PyTorch fixtures of issue 15 (tests/fixtures/upsampling, made by tests/torch/upsampling_cases.py):
/// Upsample, PixelShuffle, the padding layers and Conv2D's PaddingMode; every run case matches PyTorch on
/// every SIMD path in CI, every error case fails on its line with its diagnostic. The cases that use
/// ConvTranspose2D await it and are listed by name, so that one which starts to compile is noticed.
/// </summary>
public class UpsamplingFixtureTests
{
    private static readonly FixtureFolder Fixtures = new("upsampling", "Fixtures.Upsampling");

    /// <summary>The cases that need [ConvTranspose2D], which does not exist yet: they must still fail to compile.</summary>
    internal static readonly HashSet<string> AwaitingConvTranspose = new()
    {
        "ConvTransposeAfterFlatten", "ConvTransposeBnRelu", "ConvTransposeDepthwise", "ConvTransposeDilated", "ConvTransposeDilatedStrided",
        "ConvTransposeFromPixel", "ConvTransposeGroups", "ConvTransposeGroupsFilters", "ConvTransposeGroupsInChannels", "ConvTransposeIn1DNetwork",
        "ConvTransposeInChannelsMismatch", "ConvTransposeK3S2P1Op1", "ConvTransposeK4S2P1", "ConvTransposeKernelTwoForms",
        "ConvTransposeMissingFilters", "ConvTransposeMissingKernelWidth", "ConvTransposeNegativePadding", "ConvTransposeOutputPaddingAtStride",
        "ConvTransposeOutputPaddingDilation", "ConvTransposeOutputPaddingDilationRect", "ConvTransposeOutputPaddingOverDilation",
        "ConvTransposeOutputPaddingStride1", "ConvTransposeOutputPaddingWidth", "ConvTransposeOutputTooSmall", "ConvTransposePaddingOverKernel",
        "ConvTransposeRect", "ConvTransposeRectOutputPadding", "ConvTransposeStride1", "ConvTransposeStrideHeightOnly",
        "ConvTransposeStrideOverKernel", "ConvTransposeUNetUp", "ConvTransposeWide3x3", "ConvTransposeWideUp", "UNet", "UNetOddSize",
    };

    public static TheoryData<string> Run() => new(Fixtures.Cases("run").Select(c => c.Name));

    public static TheoryData<string> Errors() => new(Fixtures.Cases("error").Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Run))]
    public void A_run_case_matches_PyTorch(string name)
    {
        if (AwaitingConvTranspose.Contains(name)) AssertAwaitsConvTranspose(name);
        else Fixtures.AssertRunCaseMatchesPyTorch(name);
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void An_error_case_fails_on_its_line_with_its_diagnostic(string name)
    {
        if (AwaitingConvTranspose.Contains(name)) AssertAwaitsConvTranspose(name);
        else Fixtures.AssertErrorCaseFailsOnItsLine(name);
    }

    [Fact]
    public void Exactly_the_cases_that_use_ConvTranspose2D_await_it()
    {
        var users = FixtureCase.In(Fixtures.Folder).Where(c => File.ReadAllText(c.SourcePath).Contains("[ConvTranspose2D", StringComparison.Ordinal)).Select(c => c.Name);
        Assert.Equal(AwaitingConvTranspose.OrderBy(n => n, StringComparer.Ordinal), users.OrderBy(n => n, StringComparer.Ordinal));
    }

    /// <summary>Until ConvTranspose2D exists, writing it is the compiler's error on the attribute, not a wrong answer.</summary>
    private static void AssertAwaitsConvTranspose(string name)
    {
        var result = GeneratorHarness.Run(File.ReadAllText(Fixtures.Case(name).SourcePath));
        Assert.Contains(result.AllDiagnostics, d => d.Severity == DiagnosticSeverity.Error && d.GetMessage(CultureInfo.InvariantCulture).Contains("ConvTranspose2D", StringComparison.Ordinal));
    }
}
