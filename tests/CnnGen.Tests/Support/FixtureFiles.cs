using System;
using System.IO;
using System.Buffers.Binary;
using Xunit;

namespace CnnGen.Tests.Support;

/// <summary>
/// The PyTorch cases in tests/fixtures, as copied beside the test assembly; <c>folder</c> names a
/// subfolder ("layers" for tests/fixtures/layers), null the top one.
/// </summary>
public static class FixtureFiles
{
    public static string PathOf(string file, string? folder = null) =>
        folder is null ? Path.Combine(AppContext.BaseDirectory, "fixtures", file) : Path.Combine(AppContext.BaseDirectory, "fixtures", folder, file);

    /// <summary>A little-endian float32 file, read the same on any host.</summary>
    public static float[] ReadFloats(string file, string? folder = null)
    {
        byte[] bytes = File.ReadAllBytes(PathOf(file, folder));
        var values = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        return values;
    }

    /// <summary>
    /// PyTorch's outputs are float64 results rounded to float32; ours sum in float32 in another order.
    /// Allowed: 1e-4 of the value plus 1e-5 of the output's scale.
    /// </summary>
    public static void AssertMatches(float[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1;
        foreach (var e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = 1e-4 * Math.Abs(expected[i]) + 1e-5 * scale;
            if (!(Math.Abs(actual[i] - expected[i]) <= allowed))
                Assert.Fail($"{context}: element {i} is {actual[i]}, PyTorch says {expected[i]} (allowed difference {allowed:g3})");
        }
    }
}
