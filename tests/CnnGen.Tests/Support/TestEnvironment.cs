using System;
using System.Globalization;

namespace CnnGen.Tests.Support;

/// <summary>The environment variables that replay or lengthen the random tests (CNNGEN_FUZZ_SEED, CNNGEN_FUZZ_COUNT).</summary>
public static class TestEnvironment
{
    /// <summary>The variable's value as an integer, or <paramref name="fallback"/> when it is unset or not one.</summary>
    public static int Int(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;
}
