using System;
using System.Globalization;
using System.Linq;
using CnnGen;
using CnnGen.Reference;

namespace Lecture;

/// <summary>
/// The lecture on convolution, step by step. Every step runs a generated network and the reference
/// engine on the same input and parameters and prints both; the exit code is 1 if they ever disagree
/// or if the worked example (step 2) does not give the numbers on the slide.
/// </summary>
internal static class Program
{
    private const float Tolerance = 1e-4f;

    private static int Main()
    {
        bool ok = true;
        ok &= KernelAndPadding();
        ok &= WorkedExample();
        ok &= ChannelsAndFilters();
        ok &= Pooling();

        Console.WriteLine();
        Console.WriteLine(ok ? "All steps agree." : "SOME STEPS DISAGREE: see the lines marked MISMATCH above.");
        return ok ? 0 : 1;
    }

    /// <summary>Step 1: a 2x2 kernel slides over a 4x4 image; padding makes the output larger.</summary>
    private static bool KernelAndPadding()
    {
        Title("Step 1: a 2x2 kernel over a 4x4 input, without and with padding");
        float[] input = Enumerable.Range(1, 16).Select(i => (float)i).ToArray();
        float[] kernel = { 1, 0, 0, -1 };
        float[] parameters = [.. kernel, 0f]; // weight [1, 1, 2, 2], then bias [1]

        var (valid, validReference) = Run<SmallConv>(input, parameters);
        Console.WriteLine("No padding: every output is the kernel laid over a 2x2 patch (top-left minus bottom-right).");
        PrintShapeRule(SmallConv.InputHeight, padding: 0, kernel: 2, stride: 1, SmallConv.OutputHeight);
        Matrix.PrintSideBySide(
            new Matrix("input 4x4", input, 4, 4),
            new Matrix("kernel 2x2", kernel, 2, 2),
            new Matrix("generated 3x3", valid, SmallConv.OutputHeight, SmallConv.OutputWidth),
            new Matrix("reference 3x3", validReference, SmallConv.OutputHeight, SmallConv.OutputWidth));
        bool ok = ReportAgreement("generated vs reference", valid, validReference);

        var (padded, paddedReference) = Run<SmallConvPadded>(input, parameters);
        Console.WriteLine();
        Console.WriteLine("Padding = 1: a ring of zeros around the input, so the kernel also visits the border.");
        PrintShapeRule(SmallConvPadded.InputHeight, padding: 1, kernel: 2, stride: 1, SmallConvPadded.OutputHeight);
        Matrix.PrintSideBySide(
            new Matrix("generated 5x5", padded, SmallConvPadded.OutputHeight, SmallConvPadded.OutputWidth),
            new Matrix("reference 5x5", paddedReference, SmallConvPadded.OutputHeight, SmallConvPadded.OutputWidth));
        ok &= ReportAgreement("generated vs reference", padded, paddedReference);

        var (same, sameReference) = Run<SmallConvSame>(input, parameters);
        Console.WriteLine();
        Console.WriteLine("PadBottom = 1, PadRight = 1: images can be padded on each side separately; one row below and one");
        Console.WriteLine("column to the right keep the 4x4 size (floor((4 + 0 + 1 - 2) / 1) + 1 = 4).");
        Console.WriteLine();
        Matrix.PrintSideBySide(
            new Matrix("generated 4x4", same, SmallConvSame.OutputHeight, SmallConvSame.OutputWidth),
            new Matrix("reference 4x4", sameReference, SmallConvSame.OutputHeight, SmallConvSame.OutputWidth));
        return ReportAgreement("generated vs reference", same, sameReference) & ok;
    }

    /// <summary>Step 2: the worked example; both engines must reproduce the slide, with stride 1 and 2.</summary>
    private static bool WorkedExample()
    {
        Title("Step 2: the worked 5x5 example, kernel 3x3, bias -1");
        float[] input =
        {
            0, 2, -3, 2, -3,
            -2, -2, -2, -1, -2,
            -3, -3, 2, -2, 1,
            -3, -2, 1, -3, 1,
            0, -1, 0, 2, -3,
        };
        float[] kernel = { -1, 0, -2, 1, 1, -1, -1, -1, 0 };
        float[] parameters = [.. kernel, -1f];
        Matrix.PrintSideBySide(new Matrix("input 5x5", input, 5, 5), new Matrix("kernel 3x3", kernel, 3, 3));

        float[] expected1 = { 9, -9, 7, 2, 5, 6, -7, 9, -10 };
        var (stride1, stride1Reference) = Run<WorkedStride1>(input, parameters);
        Console.WriteLine("Stride 1:");
        PrintShapeRule(WorkedStride1.InputHeight, padding: 0, kernel: 3, stride: 1, WorkedStride1.OutputHeight);
        Matrix.PrintSideBySide(
            new Matrix("expected", expected1, 3, 3),
            new Matrix("generated", stride1, 3, 3),
            new Matrix("reference", stride1Reference, 3, 3));
        bool ok = ReportAgreement("generated vs expected", stride1, expected1);
        ok &= ReportAgreement("reference vs expected", stride1Reference, expected1);

        float[] expected2 = { 9, 7, -7, -10 };
        var (stride2, stride2Reference) = Run<WorkedStride2>(input, parameters);
        Console.WriteLine();
        Console.WriteLine("Stride 2: the kernel jumps two columns (and two rows) at a time.");
        PrintShapeRule(WorkedStride2.InputHeight, padding: 0, kernel: 3, stride: 2, WorkedStride2.OutputHeight);
        Matrix.PrintSideBySide(
            new Matrix("expected", expected2, 2, 2),
            new Matrix("generated", stride2, 2, 2),
            new Matrix("reference", stride2Reference, 2, 2));
        ok &= ReportAgreement("generated vs expected", stride2, expected2);
        ok &= ReportAgreement("reference vs expected", stride2Reference, expected2);
        return ok;
    }

    /// <summary>Step 3: each filter spans all input channels and yields one output channel.</summary>
    private static bool ChannelsAndFilters()
    {
        Title("Step 3: a 3-channel 5x5 input and two 3x3x3 filters, each with its own bias");
        float[] input =
        {
            // channel 0 (red)
            1, 0, 2, 1, 0,
            0, 1, 1, 0, 2,
            2, 1, 0, 1, 1,
            1, 0, 1, 2, 0,
            0, 2, 1, 0, 1,
            // channel 1 (green)
            0, 1, 0, 2, 1,
            1, 2, 1, 0, 0,
            0, 1, 2, 1, 2,
            2, 0, 1, 1, 0,
            1, 1, 0, 0, 2,
            // channel 2 (blue)
            2, 0, 1, 0, 1,
            1, 1, 0, 2, 0,
            0, 2, 1, 1, 0,
            1, 0, 0, 1, 2,
            0, 1, 2, 0, 1,
        };
        float[] filter0 =
        {
            1, 0, -1, 1, 0, -1, 1, 0, -1,   // on channel 0: vertical edges
            0, 1, 0, 1, -4, 1, 0, 1, 0,     // on channel 1: a Laplacian
            0, 0, 0, 0, 1, 0, 0, 0, 0,      // on channel 2: copy the centre
        };
        float[] filter1 =
        {
            1, 1, 1, 0, 0, 0, -1, -1, -1,   // horizontal edges on every channel
            1, 1, 1, 0, 0, 0, -1, -1, -1,
            1, 1, 1, 0, 0, 0, -1, -1, -1,
        };
        float[] parameters = [.. filter0, .. filter1, 1f, 0f]; // weight [2, 3, 3, 3], then bias [2]

        Matrix.PrintSideBySide(
            Matrix.Channel("input channel 0", input, 0, 5, 5),
            Matrix.Channel("input channel 1", input, 1, 5, 5),
            Matrix.Channel("input channel 2", input, 2, 5, 5));
        Console.WriteLine("Filter 0 (bias 1), one 3x3 slice per input channel:");
        Matrix.PrintSideBySide(
            Matrix.Channel("on channel 0", filter0, 0, 3, 3),
            Matrix.Channel("on channel 1", filter0, 1, 3, 3),
            Matrix.Channel("on channel 2", filter0, 2, 3, 3));
        Console.WriteLine("Filter 1 (bias 0):");
        Matrix.PrintSideBySide(
            Matrix.Channel("on channel 0", filter1, 0, 3, 3),
            Matrix.Channel("on channel 1", filter1, 1, 3, 3),
            Matrix.Channel("on channel 2", filter1, 2, 3, 3));

        var (output, reference) = Run<ColorConv>(input, parameters);
        Console.WriteLine($"Output: {ColorConv.OutputChannels} channels, one per filter, each the sum over all 3 input channels plus the bias.");
        Matrix.PrintSideBySide(
            Matrix.Channel("filter 0: generated", output, 0, 3, 3),
            Matrix.Channel("filter 0: reference", reference, 0, 3, 3),
            Matrix.Channel("filter 1: generated", output, 1, 3, 3),
            Matrix.Channel("filter 1: reference", reference, 1, 3, 3));
        return ReportAgreement("generated vs reference", output, reference);
    }

    /// <summary>Step 4: pooling shrinks a map by summarising each window; it has no parameters.</summary>
    private static bool Pooling()
    {
        Title("Step 4: max, mean and min pooling, 2x2 window, stride 2");
        float[] input =
        {
            1, 3, 2, 1,
            4, 6, 5, 0,
            7, 2, 9, 8,
            3, 1, 4, 6,
        };
        var (max, maxReference) = Run<MaxPool>(input, []);
        var (mean, meanReference) = Run<MeanPool>(input, []);
        var (min, minReference) = Run<MinPool>(input, []);
        Matrix.PrintSideBySide(
            new Matrix("input 4x4", input, 4, 4),
            new Matrix("max", max, 2, 2),
            new Matrix("mean", mean, 2, 2),
            new Matrix("min", min, 2, 2));
        Console.WriteLine("Reference engine:");
        Matrix.PrintSideBySide(
            new Matrix("max", maxReference, 2, 2),
            new Matrix("mean", meanReference, 2, 2),
            new Matrix("min", minReference, 2, 2));
        bool ok = ReportAgreement("max:  generated vs reference", max, maxReference);
        ok &= ReportAgreement("mean: generated vs reference", mean, meanReference);
        ok &= ReportAgreement("min:  generated vs reference", min, minReference);
        return ok;
    }

    /// <summary>Runs the generated network <typeparamref name="TNet"/> and the reference engine on the same input and parameters.</summary>
    private static (float[] Generated, float[] Reference) Run<TNet>(float[] input, float[] parameters)
        where TNet : INetwork, new()
    {
        INetwork generated = new TNet();
        var reference = new ReferenceNetwork(generated.Spec);
        generated.LoadParameters(parameters);
        reference.LoadParameters(parameters);

        var generatedOutput = new float[generated.OutputLength];
        var referenceOutput = new float[reference.OutputLength];
        generated.Forward(input, generatedOutput);
        reference.Forward(input, referenceOutput);
        return (generatedOutput, referenceOutput);
    }

    /// <summary>Prints the largest absolute difference and whether it is within tolerance; returns whether it is.</summary>
    private static bool ReportAgreement(string what, float[] actual, float[] expected)
    {
        float maxDifference = actual.Length == expected.Length
            ? actual.Zip(expected, (a, e) => MathF.Abs(a - e)).Max()
            : float.PositiveInfinity;
        bool agree = maxDifference <= Tolerance;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what}: max |difference| = {maxDifference:G3} -> {(agree ? "agree" : "MISMATCH")}"));
        return agree;
    }

    /// <summary>PyTorch's output size rule, with the numbers filled in.</summary>
    private static void PrintShapeRule(int size, int padding, int kernel, int stride, int generatedSize)
    {
        int computed = (size + 2 * padding - kernel) / stride + 1;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  output size = floor((in + 2*padding - kernel) / stride) + 1 = floor(({size} + 2*{padding} - {kernel}) / {stride}) + 1 = {computed}"
            + $"  (generated class: {generatedSize}x{generatedSize})"));
        Console.WriteLine();
    }

    private static void Title(string title)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(new string('=', title.Length));
        Console.WriteLine();
    }
}
