using System;
using System.Globalization;
using System.Linq;
using CnnGen.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports, as the user meets it: its ID and severity, the exact
/// text it underlines (the named argument at fault where there is one, else the attribute), and
/// its message with the arithmetic filled in. An error leaves the class without generated code
/// and the compilation without any other error.
/// </summary>
public sealed class DiagnosticTests
{
    [Fact]
    public void CNN0001_layers_without_InputShape_are_reported_once_on_the_first_layer() =>
        AssertError("""
            [Conv2D(Filters = 4, Kernel = 3)]
            [ReLU]
            [Conv2D(Filters = 2, Kernel = 1)]
            public partial class Net { }
            """,
            "CNN0001", "Conv2D(Filters = 4, Kernel = 3)",
            "'Net' has layer attributes but no [InputShape]; add [InputShape(channels, height, width)] to give the input the first layer reads");

    [Fact]
    public void CNN0001_is_reported_on_the_first_layer_whatever_its_kind() =>
        AssertError("""
            [ReLU, Flatten]
            [Dense(Outputs = 2)]
            public partial class Net { }
            """,
            "CNN0001", "ReLU",
            "'Net' has layer attributes but no [InputShape]; add [InputShape(channels, height, width)] to give the input the first layer reads");

    [Fact]
    public void CNN0002_InputShape_without_layers() =>
        AssertError("""
            [InputShape(3, 8, 8)]
            public partial class Net { }
            """,
            "CNN0002", "InputShape(3, 8, 8)",
            "'Net' has [InputShape] but no layer attributes; add layers such as [Conv2D(Filters = 8, Kernel = 3)]");

    [Fact]
    public void CNN0003_a_class_that_is_not_partial() =>
        AssertError("""
            [InputShape(1, 4, 4)]
            [ReLU]
            public class Net { }
            """,
            "CNN0003", "InputShape(1, 4, 4)",
            "'Net' must be declared partial so the generator can add the forward pass to it");

    [Fact]
    public void CNN0003_a_containing_class_that_is_not_partial() =>
        AssertError("""
            public class Outer
            {
                [InputShape(1, 4, 4)]
                [ReLU]
                public partial class Net { }
            }
            """,
            "CNN0003", "InputShape(1, 4, 4)",
            "'Outer' must be declared partial so the generator can add the forward pass to it");

    [Fact]
    public void CNN0003_also_points_at_the_class_name()
    {
        var result = GeneratorHarness.Run(Usings + """
            [InputShape(1, 4, 4)]
            [ReLU]
            public class Net { }
            """);
        var diagnostic = Assert.Single(result.GeneratorDiagnostics, d => d.Id == "CNN0003");
        Assert.Equal("Net", Assert.Single(diagnostic.AdditionalLocations).SourceTree!.GetText().ToString(diagnostic.AdditionalLocations[0].SourceSpan));
    }

    [Fact]
    public void CNN0004_layers_spread_over_two_partial_declarations_are_reported_on_the_second() =>
        AssertError("""
            [InputShape(1, 4, 4)]
            [ReLU]
            public partial class Net { }

            [Sigmoid]
            public partial class Net { }
            """,
            "CNN0004", "Sigmoid",
            "The layers of 'Net' are spread over several partial declarations, so their order is undefined; put every layer attribute on one declaration");

    [Theory]
    [InlineData("[Conv2D(Filters = 0, Kernel = 3)]", "Filters = 0", "Conv2D (layer 0): Filters = 0 is invalid; it must be at least 1")]
    [InlineData("[Conv2D(Filters = 2, Kernel = -3)]", "Kernel = -3", "Conv2D (layer 0): Kernel = -3 is invalid; it must be at least 1")]
    [InlineData("[Conv2D(Filters = 2, Kernel = 3, StrideWidth = 0)]", "StrideWidth = 0", "Conv2D (layer 0): StrideWidth = 0 is invalid; it must be at least 1")]
    [InlineData("[Conv2D(Filters = 2, Kernel = 3, Dilation = 0)]", "Dilation = 0", "Conv2D (layer 0): Dilation = 0 is invalid; it must be at least 1")]
    [InlineData("[Conv2D(Filters = 2, Kernel = 3, Groups = 0)]", "Groups = 0", "Conv2D (layer 0): Groups = 0 is invalid; it must be at least 1")]
    [InlineData("[Conv2D(Filters = 2, Kernel = 3, Padding = -1)]", "Padding = -1", "Conv2D (layer 0): Padding = -1 is invalid; it must be 0 or more")]
    [InlineData("[Conv2D(Filters = 2, Kernel = 3, PadRight = -2)]", "PadRight = -2", "Conv2D (layer 0): PadRight = -2 is invalid; it must be 0 or more")]
    [InlineData("[MaxPool2D(Kernel = 2, Stride = 0)]", "Stride = 0", "MaxPool2D (layer 0): Stride = 0 is invalid; it must be at least 1")]
    [InlineData("[Flatten, Dense(Outputs = 0)]", "Outputs = 0", "Dense (layer 1): Outputs = 0 is invalid; it must be at least 1")]
    public void CNN0005_an_invalid_hyperparameter_is_reported_on_its_argument(string layers, string span, string message) =>
        AssertError("[InputShape(3, 8, 8)]\n" + layers + "\npublic partial class Net { }", "CNN0005", span, message);

    [Fact]
    public void CNN0005_an_input_shape_without_rows() =>
        AssertError("""
            [InputShape(3, 0, 8)]
            [ReLU]
            public partial class Net { }
            """,
            "CNN0005", "InputShape(3, 0, 8)",
            "InputShape(3, 0, 8) must have a positive number of channels, rows and columns");

    [Theory]
    [InlineData("[Conv2D(Kernel = 3)]", "Conv2D(Kernel = 3)", "Conv2D (layer 0) needs Filters")]
    [InlineData("[Conv2D(Filters = 2)]", "Conv2D(Filters = 2)", "Conv2D (layer 0) needs Kernel (or KernelHeight and KernelWidth)")]
    [InlineData("[Conv2D(Filters = 2, KernelHeight = 3)]", "Conv2D(Filters = 2, KernelHeight = 3)", "Conv2D (layer 0) needs KernelWidth to go with KernelHeight (or Kernel for a square kernel)")]
    [InlineData("[AvgPool2D(KernelWidth = 2)]", "AvgPool2D(KernelWidth = 2)", "AvgPool2D (layer 0) needs KernelHeight to go with KernelWidth (or Kernel for a square kernel)")]
    [InlineData("[MaxPool2D]", "MaxPool2D", "MaxPool2D (layer 0) needs Kernel (or KernelHeight and KernelWidth)")]
    [InlineData("[Flatten]\n[Dense(Inputs = 192)]", "Dense(Inputs = 192)", "Dense (layer 1) needs Outputs")]
    public void CNN0006_a_required_property_missing(string layers, string span, string message) =>
        AssertError("[InputShape(3, 8, 8)]\n" + layers + "\npublic partial class Net { }", "CNN0006", span, message);

    [Theory]
    [InlineData("Conv2D(Filters = 2, Kernel = 3, KernelHeight = 2)", "KernelHeight = 2", "Kernel", "KernelHeight")]
    [InlineData("Conv2D(Filters = 2, KernelWidth = 3, Kernel = 3)", "Kernel = 3", "KernelWidth", "Kernel")]
    [InlineData("Conv2D(Filters = 2, Kernel = 3, Stride = 2, StrideWidth = 1)", "StrideWidth = 1", "Stride", "StrideWidth")]
    [InlineData("Conv2D(Filters = 2, Kernel = 3, Dilation = 2, DilationHeight = 1)", "DilationHeight = 1", "Dilation", "DilationHeight")]
    [InlineData("Conv2D(Filters = 2, Kernel = 3, Padding = 1, PadTop = 2)", "PadTop = 2", "Padding", "PadTop")]
    [InlineData("Conv2D(Filters = 2, Kernel = 3, Padding = 1, PaddingWidth = 0)", "PaddingWidth = 0", "Padding", "PaddingWidth")]
    [InlineData("Conv2D(Filters = 2, Kernel = 3, PaddingHeight = 1, PadLeft = 1)", "PadLeft = 1", "PaddingHeight", "PadLeft")]
    [InlineData("Conv2D(Filters = 2, Kernel = 3, PadBottom = 1, PaddingWidth = 1)", "PaddingWidth = 1", "PadBottom", "PaddingWidth")]
    [InlineData("MaxPool2D(Kernel = 2, KernelWidth = 2)", "KernelWidth = 2", "Kernel", "KernelWidth")]
    [InlineData("AvgPool2D(Kernel = 2, Padding = 1, PaddingHeight = 0)", "PaddingHeight = 0", "Padding", "PaddingHeight")]
    public void CNN0007_two_forms_of_one_setting_are_reported_on_the_second(string layer, string span, string first, string second) =>
        AssertError("[InputShape(3, 8, 8)]\n[" + layer + "]\npublic partial class Net { }", "CNN0007", span,
            $"{layer.Substring(0, layer.IndexOf('('))} (layer 0) sets both {first} and {second}, two forms of the same setting; keep one of them");

    [Fact]
    public void CNN0008_InChannels_that_disagree_with_the_previous_layer() =>
        AssertError("""
            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 8, Kernel = 3)]
            [Conv2D(InChannels = 4, Filters = 4, Kernel = 3)]
            public partial class Net { }
            """,
            "CNN0008", "InChannels = 4",
            "Conv2D (layer 1) declares InChannels = 4 but layer 0 produces 8 channels");

    [Fact]
    public void CNN0008_InChannels_of_the_first_layer_against_the_input() =>
        AssertError("""
            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 8, Kernel = 3, InChannels = 1)]
            public partial class Net { }
            """,
            "CNN0008", "InChannels = 1",
            "Conv2D (layer 0) declares InChannels = 1 but InputShape produces 3 channels");

    [Fact]
    public void CNN0008_carries_the_produced_channels_for_the_code_fix()
    {
        var diagnostic = Assert.Single(GeneratorHarness.Run(Usings + """
            [InputShape(3, 8, 8)]
            [Conv2D(Filters = 8, Kernel = 3)]
            [Conv2D(InChannels = 4, Filters = 4, Kernel = 3)]
            public partial class Net { }
            """).GeneratorDiagnostics);
        Assert.Equal("8", diagnostic.Properties["Expected"]);
    }

    [Fact]
    public void CNN0009_a_kernel_larger_than_its_input() =>
        AssertError("""
            [InputShape(1, 4, 4)]
            [Conv2D(Filters = 1, Kernel = 5)]
            public partial class Net { }
            """,
            "CNN0009", "Kernel = 5",
            "Conv2D (layer 0): the input height is 4, padded 4; the effective kernel height is 5 and the stride 1, so the output height would be 0");

    [Fact]
    public void CNN0009_a_dilated_kernel_larger_than_its_padded_input() =>
        AssertError("""
            [InputShape(1, 8, 8)]
            [Conv2D(Filters = 1, Kernel = 3, Dilation = 5, Padding = 1)]
            public partial class Net { }
            """,
            "CNN0009", "Kernel = 3",
            "Conv2D (layer 0): the input height is 8, padded 10; the effective kernel height is 11 and the stride 1, so the output height would be 0");

    [Fact]
    public void CNN0009_a_pool_window_wider_than_what_reaches_it() =>
        AssertError("""
            [InputShape(1, 8, 3)]
            [MaxPool2D(KernelHeight = 2, KernelWidth = 4)]
            public partial class Net { }
            """,
            "CNN0009", "KernelWidth = 4",
            "MaxPool2D (layer 0): the input width is 3, padded 3; the effective kernel width is 4 and the stride 4, so the output width would be 0");

    [Fact]
    public void CNN0010_groups_that_do_not_divide_the_channels() =>
        AssertError("""
            [InputShape(6, 8, 8)]
            [Conv2D(Filters = 4, Kernel = 3, Groups = 3)]
            public partial class Net { }
            """,
            "CNN0010", "Groups = 3",
            "Conv2D (layer 0): Groups = 3 must divide both the input channels (6) and Filters (4)");

    [Fact]
    public void CNN0011_Dense_on_a_feature_map() =>
        AssertError("""
            [InputShape(1, 4, 4)]
            [Conv2D(Filters = 2, Kernel = 3)]
            [Dense(Outputs = 10)]
            public partial class Net { }
            """,
            "CNN0011", "Dense(Outputs = 10)",
            "Dense (layer 1) needs a flat vector but layer 0 produces the feature map [2, 2, 2]; insert [Flatten] before it");

    [Fact]
    public void CNN0012_Dense_Inputs_that_disagree() =>
        AssertError("""
            [InputShape(1, 4, 4)]
            [Flatten]
            [Dense(Outputs = 2, Inputs = 10)]
            public partial class Net { }
            """,
            "CNN0012", "Inputs = 10",
            "Dense (layer 1) declares Inputs = 10 but layer 0 produces 16 features");

    [Fact]
    public void CNN0013_pool_padding_over_half_the_window() =>
        AssertError("""
            [InputShape(1, 8, 8)]
            [MaxPool2D(Kernel = 2, Padding = 2)]
            public partial class Net { }
            """,
            "CNN0013", "Padding = 2",
            "MaxPool2D (layer 0): padding 2 is more than half the kernel 2; PyTorch allows at most kernel / 2 = 1");

    /// <summary>Off by default: textbook layers leave a row unread by design. .editorconfig turns it on (GeneratorHarness.RunWith does the same).</summary>
    [Fact]
    public void CNN0014_is_off_unless_the_project_turns_it_on()
    {
        const string source = Usings + """
            [InputShape(1, 8, 8)]
            [Conv2D(Filters = 1, Kernel = 3, StrideHeight = 2)]
            public partial class Net { }
            """;

        Assert.Empty(GeneratorHarness.Run(source).AllDiagnostics);
        Assert.Single(GeneratorHarness.RunWith("CNN0014", source).AllDiagnostics, d => d.Id == "CNN0014");
    }

    [Fact]
    public void CNN0014_a_stride_that_leaves_input_rows_unused_is_a_warning_and_the_code_is_still_generated()
    {
        var result = GeneratorHarness.RunWith("CNN0014", Usings + """
            [InputShape(1, 8, 8)]
            [Conv2D(Filters = 1, Kernel = 3, StrideHeight = 2)]
            public partial class Net { }
            """);
        AssertDiagnostic(result, "CNN0014", DiagnosticSeverity.Warning, "StrideHeight = 2",
            "Conv2D (layer 0): the last window ends before the input does, so the last 1 input rows of 8 are never used");
        Assert.Single(result.Run.GeneratedTrees);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void CNN0014_counts_the_columns_a_pool_window_never_reaches() =>
        AssertDiagnostic(GeneratorHarness.RunWith("CNN0014", Usings + """
            [InputShape(1, 4, 7)]
            [AvgPool2D(Kernel = 2)]
            public partial class Net { }
            """),
            "CNN0014", DiagnosticSeverity.Warning, "AvgPool2D(Kernel = 2)",
            "AvgPool2D (layer 0): the last window ends before the input does, so the last 1 input columns of 7 are never used");

    /// <summary>A window narrower than its stride skips input between windows by design (ResNet's 1x1 stride-2 projection): no warning for the tail.</summary>
    [Fact]
    public void CNN0014_is_not_reported_for_a_window_narrower_than_its_stride()
    {
        var result = GeneratorHarness.RunWith("CNN0014", Usings + """
            [InputShape(4, 8, 8)]
            [Conv2D(Filters = 8, Kernel = 1, Stride = 2)]
            public partial class Net { }
            """);
        Assert.Empty(result.AllDiagnostics);
    }

    [Fact]
    public void CNN0014_yields_to_pragma_warning_disable()
    {
        var result = GeneratorHarness.RunWith("CNN0014", Usings + """
            #pragma warning disable CNN0014
            [InputShape(1, 8, 8)]
            [Conv2D(Filters = 1, Kernel = 3, StrideHeight = 2)]
            #pragma warning restore CNN0014
            public partial class Net { }
            """);
        // the driver runs generator diagnostics through the compilation's filter, as the compiler does:
        // a pragma-disabled warning is kept but marked suppressed, so the build does not show it
        var warning = Assert.Single(result.GeneratorDiagnostics, d => d.Id == "CNN0014");
        Assert.True(warning.IsSuppressed);
        Assert.Single(result.Run.GeneratedTrees);
    }

    [Fact]
    public void CNN0015_a_kernel_window_too_large_to_unroll_is_information_and_the_code_is_still_generated()
    {
        var result = GeneratorHarness.Run(Usings + """
            [InputShape(1, 12, 12)]
            [Conv2D(Filters = 1, Kernel = 9)]
            public partial class Net { }
            """);
        AssertDiagnostic(result, "CNN0015", DiagnosticSeverity.Info, "Kernel = 9",
            "Conv2D (layer 0): kernel 9x9 = 81 taps is more than 64; the window is emitted as loops with constant bounds");
        Assert.Single(result.Run.GeneratedTrees);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void CNN0015_is_not_reported_for_a_window_of_64_taps() =>
        Assert.DoesNotContain(GeneratorHarness.Run(Usings + """
            [InputShape(1, 12, 12)]
            [Conv2D(Filters = 1, Kernel = 8)]
            public partial class Net { }
            """).GeneratorDiagnostics, d => d.Id == "CNN0015");

    [Fact]
    public void CNN0015_is_not_reported_where_the_whole_convolution_is_straight_line_code()
    {
        // 1 output x 81 taps: one unrolled statement, within the straight-line budget
        var result = GeneratorHarness.Run(Usings + """
            [InputShape(1, 9, 9)]
            [Conv2D(Filters = 1, Kernel = 9)]
            public partial class Net { }
            """);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "CNN0015");
        Assert.DoesNotContain("for (int ky", result.Run.GeneratedTrees.Single().ToString());
    }

    [Fact]
    public void CNN0016_a_convolution_after_Flatten() =>
        AssertError("""
            [InputShape(1, 4, 4)]
            [Flatten]
            [Conv2D(Filters = 1, Kernel = 1)]
            public partial class Net { }
            """,
            "CNN0016", "Conv2D(Filters = 1, Kernel = 1)",
            "Conv2D (layer 1) needs a channels x height x width feature map but layer 0 produces a flat vector [16]");

    [Fact]
    public void CNN0017_an_output_larger_than_two_to_the_thirtieth() =>
        AssertError("""
            [InputShape(1, 1024, 1024)]
            [Conv2D(Filters = 2048, Kernel = 1)]
            public partial class Net { }
            """,
            "CNN0017", "Conv2D(Filters = 2048, Kernel = 1)",
            "Conv2D (layer 0): the output of 2147483648 elements is too large (at most 1073741824)");

    /// <summary>Sizes whose product wraps a long around to something small (2^64 to 0) are still too large, not a network with an empty output.</summary>
    [Theory]
    [InlineData("[InputShape(1, 4, 4)]\n[Conv2D(Filters = 1, Kernel = 1, PadTop = 2147483647, PadBottom = 2147483645, PadLeft = 2147483647, PadRight = 2147483645)]",
        "Conv2D(Filters = 1, Kernel = 1, PadTop = 2147483647, PadBottom = 2147483645, PadLeft = 2147483647, PadRight = 2147483645)",
        "Conv2D (layer 0): the padded input of 18446744073709551616 elements is too large (at most 1073741824)")]
    [InlineData("[InputShape(2097152, 2097152, 4194304)]\n[ReLU]", "InputShape(2097152, 2097152, 4194304)",
        "InputShape(2097152, 2097152, 4194304): the input of 18446744073709551616 elements is too large (at most 1073741824)")]
    public void CNN0017_sizes_whose_product_overflows_a_long(string layers, string span, string message) =>
        AssertError(layers + "\npublic partial class Net { }", "CNN0017", span, message);

    [Fact]
    public void CNN0018_a_static_class() =>
        AssertError("""
            [InputShape(1, 4, 4)]
            [ReLU]
            public static partial class Net { }
            """,
            "CNN0018", "InputShape(1, 4, 4)",
            "'Net' must be a non-static class to hold a network");

    /// <summary>
    /// Odd declarations and arguments the generator must survive: it reports what is ours to report,
    /// leaves compiler errors to the compiler, and never crashes (CS8785) or fails internally (CNN0099).
    /// </summary>
    [Theory]
    [InlineData("[InputShape(1, 4, 4)] [ReLU] public partial class Net<T> where T : struct { }")]
    [InlineData("[InputShape(1, 4, 4)] [ReLU] public partial struct Net { }")]
    [InlineData("public partial class Outer<T> { private partial class Inner { [InputShape(1, 4, 4)] [Sigmoid] internal partial class Net { } } }")]
    [InlineData("public class Outer { public class Middle { [InputShape(1, 4, 4)] [ReLU] public partial class Net { } } }")]
    [InlineData("[InputShape(1, 4, 4)] [Conv2D(Filters = \"four\", Kernel = 3)] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4)] [Conv2D(Filters = Missing.Value, Kernel = 3)] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4)] [Conv2D(Filterz = 2, Kernel = 3)] public partial class Net { }")]
    [InlineData("[InputShape(1, 4)] [ReLU] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, \"4\")] [ReLU] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4), InputShape(1, 4, 4)] [ReLU] public partial class Net { }")]
    [InlineData("[InputShape(int.MaxValue, int.MaxValue, int.MaxValue)] [ReLU] public partial class Net { }")]
    [InlineData("[InputShape(int.MinValue, -1, 0)] [ReLU] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4)] [Conv2D(Filters = int.MaxValue, Kernel = int.MaxValue, Stride = int.MaxValue, Dilation = int.MaxValue, Padding = int.MaxValue)] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4)] [Conv2D(Filters = 1, Kernel = 1, PadTop = int.MaxValue, PadBottom = int.MaxValue)] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4)] [MaxPool2D(Kernel = int.MaxValue, Padding = int.MaxValue, CeilMode = true)] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4)] [Flatten] [Dense(Outputs = int.MaxValue)] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4)] [Conv2D(Filters = 2, Kernel = 1, Groups = int.MinValue)] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4)] [LeakyReLU(NegativeSlope = float.NaN)] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4)] public partial class Net { } [ReLU] public partial class Net { }")]
    [InlineData("[ReLU] public partial class Net { } [ReLU] public partial class Net { }")]
    [InlineData("[InputShape(1, 4, 4)] [ReLU] public partial record Net { }")]
    [InlineData("[InputShape(1, 4, 4)] [ReLU] public partial interface INet { }")]
    [InlineData("[InputShape(1, 4, 4)] [ReLU] public partial class { }")]
    [InlineData("public partial class Net { }")]
    public void The_generator_never_throws(string declaration)
    {
        var result = GeneratorHarness.Run(Usings + declaration);
        Assert.All(result.Run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(result.AllDiagnostics, d => d.Id is "CS8785" or "CNN0099");
    }

    [Fact]
    public void A_network_with_an_error_next_to_a_valid_one_leaves_the_valid_one_generated_and_gets_its_stand_in()
    {
        var result = GeneratorHarness.Run(Usings + """
            [InputShape(1, 4, 4)]
            [Conv2D(Filters = 1, Kernel = 5)]
            public partial class Broken { }

            [InputShape(1, 4, 4)]
            [Conv2D(Filters = 1, Kernel = 3)]
            public partial class Working { }
            """);
        Assert.Equal("CNN0009", Assert.Single(result.GeneratorDiagnostics).Id);
        var files = result.Run.GeneratedTrees.ToDictionary(t => System.IO.Path.GetFileName(t.FilePath), t => t.ToString());
        Assert.Equal(new[] { "Broken.g.cs", "Working.g.cs" }, files.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Contains("private const string CnnGenError = ", files["Broken.g.cs"]);
        Assert.Contains("private static void Run(", files["Working.g.cs"]);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Every_diagnostic_links_to_its_row_of_the_readme_table()
    {
        var directory = new System.IO.DirectoryInfo(System.AppContext.BaseDirectory);
        while (!System.IO.File.Exists(System.IO.Path.Combine(directory.FullName, "CnnGen.sln"))) directory = directory.Parent!;
        var readme = System.IO.File.ReadAllText(System.IO.Path.Combine(directory.FullName, "README.md"));
        foreach (var descriptor in Descriptors())
        {
            Assert.Equal("https://github.com/cnngen/cnngen#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
            Assert.Contains($"<a id=\"{descriptor.Id.ToLowerInvariant()}\"></a>{descriptor.Id}", readme);
        }
    }

    private const string Usings = "using CnnGen;\n\n";

    private static System.Collections.Generic.IEnumerable<DiagnosticDescriptor> Descriptors() =>
        typeof(CnnGen.Generator.NetworkGenerator).Assembly.GetType("CnnGen.Generator.DiagnosticDescriptors")!
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.GetValue(null)).OfType<DiagnosticDescriptor>();

    /// <summary>The error alone, on that text, with that message; no generated file and no other error.</summary>
    private static void AssertError(string declaration, string id, string span, string message)
    {
        var result = GeneratorHarness.Run(Usings + declaration);
        AssertDiagnostic(result, id, DiagnosticSeverity.Error, span, message);
        GeneratorHarness.AssertNoForwardPass(result);
        var cascade = result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(cascade.Count == 0, "errors besides ours: " + string.Join("\n", cascade));
    }

    private static void AssertDiagnostic(GeneratorHarness.Result result, string id, DiagnosticSeverity severity, string span, string message)
    {
        var ours = result.GeneratorDiagnostics.Where(d => !d.IsSuppressed).ToList();
        var diagnostic = Assert.Single(ours);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(span, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }
}
