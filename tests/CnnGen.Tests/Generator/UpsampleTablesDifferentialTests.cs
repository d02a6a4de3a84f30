using System;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Generator;

/// <summary>
/// [Upsample] from the generator's position tables: bilinear mixes each source row along the width once (vectors
/// shuffling each block of columns out of a window of the row) and blends two mixed rows per output row; nearest
/// widens each source row once into every output row that reads it. Both compute what the reference engine does
/// in the same float operations and order, so the outputs are the reference engine's bit for bit, on every SIMD path
/// in CI (Vector512, 256 and 128 bits, scalar: the class name is in its filter): widths below and above each vector,
/// odd widths, a factor of 1 on one axis, factors where PyTorch's float positions matter, and the loops that compute
/// positions in place past the tables' caps.
/// </summary>
public class UpsampleTablesDifferentialTests
{
    public static TheoryData<string> BilinearShapes()
    {
        var data = new TheoryData<string>();
        string[] shapes =
        [
            "[InputShape(2, 3, 1)] [Upsample(Mode = \"bilinear\"{0})]",                                       // one column: below any vector
            "[InputShape(2, 2, 3)] [Upsample(Mode = \"bilinear\"{0})]",                                       // 6 output columns
            "[InputShape(3, 5, 7)] [Upsample(Mode = \"bilinear\"{0})]",                                       // odd: 128-bit windows only
            "[InputShape(2, 4, 9)] [Upsample(Scale = 3, Mode = \"bilinear\"{0})]",                            // 256-bit windows, not 512
            "[InputShape(2, 3, 17)] [Upsample(Mode = \"bilinear\"{0})]",                                      // every vector; the last block overlaps
            "[InputShape(2, 16, 16)] [Upsample(Mode = \"bilinear\"{0})]",                                     // one 512-bit window is the whole row
            "[InputShape(1, 6, 40)] [Upsample(ScaleHeight = 1, ScaleWidth = 2, Mode = \"bilinear\"{0})]",     // the height kept
            "[InputShape(2, 5, 12)] [Upsample(ScaleHeight = 3, ScaleWidth = 1, Mode = \"bilinear\"{0})]",     // the width kept: weights 1 and 0
            "[InputShape(2, 3, 5)] [Upsample(Scale = 41, Mode = \"bilinear\"{0})]",                           // float positions at 41
            "[InputShape(1, 2, 49)] [Upsample(ScaleHeight = 1, ScaleWidth = 41, Mode = \"bilinear\"{0})]",    // 2009 columns, just under the cap
            "[InputShape(1, 2, 1100)] [Upsample(ScaleHeight = 1, ScaleWidth = 2, Mode = \"bilinear\"{0})]",   // 2200 columns: past the stack's cap
            "[InputShape(1, 2049, 2)] [Upsample(ScaleHeight = 2, ScaleWidth = 1, Mode = \"bilinear\"{0})]",   // 4098 rows: past the table cap
            "[InputShape(4, 6, 6)] [Upsample(Mode = \"bilinear\"{0})] [Upsample(Scale = 3, Mode = \"bilinear\"{0})]",          // one after another
        ];
        foreach (string shape in shapes)
        {
            data.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, ""));
            data.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, ", AlignCorners = true"));
        }
        return data;
    }

    public static TheoryData<string> NearestShapes() => new()
    {
        "[InputShape(2, 3, 1)] [Upsample]",
        "[InputShape(3, 5, 7)] [Upsample]",
        "[InputShape(2, 4, 9)] [Upsample(Scale = 3)]",
        "[InputShape(2, 3, 17)] [Upsample]",
        "[InputShape(1, 4, 33)] [Upsample(ScaleHeight = 1, ScaleWidth = 2)]",
        "[InputShape(2, 5, 12)] [Upsample(ScaleHeight = 3, ScaleWidth = 1)]",
        "[InputShape(2, 3, 5)] [Upsample(Scale = 41)]",
        "[InputShape(1, 2, 99)] [Upsample(ScaleHeight = 41, ScaleWidth = 41)]",
        "[InputShape(1, 1, 2049)] [Upsample]",                                       // 4098 columns: past the table cap
        "[InputShape(1, 1366, 1)] [Upsample(ScaleHeight = 3, ScaleWidth = 1)]",      // 4098 rows at a factor of 3: past the table cap
        "[InputShape(3, 4, 4)] [Upsample] [Upsample(ScaleHeight = 2, ScaleWidth = 5, Mode = \"bilinear\")] [Upsample(ScaleHeight = 7, ScaleWidth = 1)]",
    };

    [Theory]
    [MemberData(nameof(BilinearShapes))]
    public void Bilinear_is_the_reference_engines_bit_for_bit(string attributes) => AssertSameBits(attributes, Input);

    [Theory]
    [MemberData(nameof(NearestShapes))]
    public void Nearest_is_the_reference_engines_bit_for_bit(string attributes) => AssertSameBits(attributes, Input);

    /// <summary>
    /// Infinities and NaN travel as in PyTorch's loop: a weight of 0 still multiplies its pixel (an infinity times 0
    /// is NaN), and a kept axis still weighs each pixel 1 and its copy 0.
    /// </summary>
    [Theory]
    [InlineData("[InputShape(2, 4, 9)] [Upsample(Mode = \"bilinear\")]")]
    [InlineData("[InputShape(2, 4, 20)] [Upsample(Mode = \"bilinear\", AlignCorners = true)]")]
    [InlineData("[InputShape(2, 5, 12)] [Upsample(ScaleHeight = 3, ScaleWidth = 1, Mode = \"bilinear\")]")]
    [InlineData("[InputShape(1, 6, 40)] [Upsample(ScaleHeight = 1, ScaleWidth = 2, Mode = \"bilinear\")]")]
    [InlineData("[InputShape(2, 4, 9)] [Upsample(Scale = 3)]")]
    public void Infinities_and_NaN_land_where_the_reference_engine_puts_them(string attributes) =>
        AssertSameBits(attributes, length =>
        {
            var input = Input(length);
            input[length / 3] = float.PositiveInfinity;
            input[length / 2] = float.NegativeInfinity;
            input[length - 1] = float.NaN;
            input[1] = 3e38f;
            return input;
        });

    [Fact]
    public void The_tables_bound_the_generated_source_and_the_loops_take_over_past_them()
    {
        string atCap = Source("[InputShape(1, 1, 1024)] [Upsample(Mode = \"bilinear\")]");
        string pastCap = Source("[InputShape(1, 1, 1025)] [Upsample(Mode = \"bilinear\")]");
        string nearestPastCap = Source("[InputShape(1, 1, 2049)] [Upsample]");

        Assert.Contains("float[] Layer0UpsampleWX1 =", atCap, StringComparison.Ordinal);
        Assert.Contains("Vector512.ShuffleNative", atCap, StringComparison.Ordinal);
        Assert.True(atCap.Length < 200_000, $"{atCap.Length} characters for 2048 output columns");
        Assert.DoesNotContain("Layer0UpsampleX0", pastCap, StringComparison.Ordinal);
        Assert.DoesNotContain("stackalloc", pastCap, StringComparison.Ordinal);
        Assert.DoesNotContain("Layer0UpsampleX =", nearestPastCap, StringComparison.Ordinal);
        Assert.True(pastCap.Length < 50_000 && nearestPastCap.Length < 50_000);
    }

    [Fact]
    public void A_vector_size_is_left_out_where_its_window_is_wider_than_the_row()
    {
        string odd = Source("[InputShape(3, 5, 7)] [Upsample(Mode = \"bilinear\")]");
        string narrow = Source("[InputShape(3, 5, 3)] [Upsample(Mode = \"bilinear\")] [Upsample]");

        Assert.Contains("Vector128.ShuffleNative", odd, StringComparison.Ordinal);
        Assert.DoesNotContain("Vector256.ShuffleNative", odd, StringComparison.Ordinal);
        Assert.DoesNotContain("Vector512.ShuffleNative", odd, StringComparison.Ordinal);
        // the first upsample's rows are 3 wide, narrower than any window; the second's are 6 wide
        Assert.Single(narrow.Split("Vector128.ShuffleNative").Skip(1));
    }

    [Fact]
    public void Forward_through_the_tables_allocates_nothing()
    {
        var net = AttributeNetworks.Generate(
            "[InputShape(4, 8, 20)] [Upsample(Mode = \"bilinear\")] [Upsample(ScaleHeight = 3, ScaleWidth = 2)] [Upsample(ScaleHeight = 1, ScaleWidth = 2, Mode = \"bilinear\", AlignCorners = true)]",
            "ResizeAllocations");
        var input = Input(net.InputLength);
        var output = new float[net.OutputLength];
        net.Forward(input, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        net.Forward(input, output);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static float[] Input(int length) => Enumerable.Range(0, length).Select(i => (float)(Math.Cos(0.37 * i) * Math.Pow(10, i % 5 - 2))).ToArray();

    private static void AssertSameBits(string attributes, Func<int, float[]> input)
    {
        var net = AttributeNetworks.Generate(attributes, "ResizeTables");
        var reference = new ReferenceNetwork(net.Spec);
        var parameters = Enumerable.Range(0, net.ParameterCount).Select(i => (float)Math.Sin(0.7 * i)).ToArray();
        net.LoadParameters(parameters);
        reference.LoadParameters(parameters);
        var x = input(net.InputLength);
        var output = new float[net.OutputLength];

        net.Forward(x, output);

        float[] expected = reference.Forward(x);
        for (int i = 0; i < expected.Length; i++)
        {
            // NaN is NaN whatever its payload; every other value must be the same float, signed zeros included
            bool same = float.IsNaN(expected[i]) ? float.IsNaN(output[i]) : BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(output[i]);
            Assert.True(same, $"{attributes}: element {i} is {output[i]}, the reference engine's {expected[i]}");
        }
    }

    private static string Source(string attributes)
    {
        var result = GeneratorHarness.Run($"using CnnGen;\nnamespace ResizeSource;\n{attributes}\npublic partial class Net {{ }}");
        Assert.Empty(result.AllDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        return result.Run.GeneratedTrees.Single().ToString();
    }
}
