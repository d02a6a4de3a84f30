using System.Linq;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// The 1D PyTorch fixtures (tests/fixtures/sequences, made by tests/torch/sequence_cases.py): every run
/// case, generated into this assembly as a user's network is, matches PyTorch through LoadParameters +
/// Forward and through LoadSafetensors, on every SIMD path in CI; every error case fails on its line with its diagnostic.
/// </summary>
public class SequenceFixtureTests
{
    private static readonly FixtureFolder Fixtures = new("sequences", "Fixtures.Sequences");

    public static TheoryData<string> Run() => new(Fixtures.Cases("run").Select(c => c.Name));

    public static TheoryData<string> Errors() => new(Fixtures.Cases("error").Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Run))]
    public void A_run_case_matches_PyTorch(string name) => Fixtures.AssertRunCaseMatchesPyTorch(name);

    [Theory]
    [MemberData(nameof(Errors))]
    public void An_error_case_fails_on_its_line_with_its_diagnostic(string name) => Fixtures.AssertErrorCaseFailsOnItsLine(name);
}
