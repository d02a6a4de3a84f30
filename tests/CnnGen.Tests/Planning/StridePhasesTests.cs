using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Planning;
using CnnGen.Ir;
using Xunit;

namespace CnnGen.Tests.Planning;

/// <summary>
/// A transposed convolution as its stride phases: which taps land on which outputs, the stride-1
/// convolution that computes each phase, and the pass that turns the layer into those convolutions.
/// </summary>
public class StridePhasesTests
{
    [Fact]
    public void A_2x2_stride_2_kernel_puts_one_tap_on_each_phase()
    {
        // U-Net's up-convolution: output 2i + k takes input i through tap k, so each phase is a 1x1 convolution
        var even = PhaseAxis.Of(0, input: 8, output: 16, kernel: 2, stride: 2, padding: 0, dilation: 1);
        var odd = PhaseAxis.Of(1, input: 8, output: 16, kernel: 2, stride: 2, padding: 0, dilation: 1);

        Assert.Equal((0, 1, 0, 0, 8, 0, 0, 8), (even.FirstTap, even.Taps, even.PadBefore, even.PadAfter, even.SourceSize, even.SourceOffset, even.FirstOutput, even.Count));
        Assert.Equal((1, 1, 0, 0, 8, 0, 1, 8), (odd.FirstTap, odd.Taps, odd.PadBefore, odd.PadAfter, odd.SourceSize, odd.SourceOffset, odd.FirstOutput, odd.Count));
    }

    [Fact]
    public void A_4x4_stride_2_padding_1_kernel_puts_two_taps_on_each_phase_reversed()
    {
        // DCGAN's decoder: output o = 2i - 1 + k. Odd outputs (residue 0 of o + 1) take taps 0 and 2, from inputs
        // (o + 1) / 2 and (o + 1) / 2 - 1: a 2-tap convolution, tap 2 first, padded after
        var odd = PhaseAxis.Of(0, input: 4, output: 8, kernel: 4, stride: 2, padding: 1, dilation: 1);
        var even = PhaseAxis.Of(1, input: 4, output: 8, kernel: 4, stride: 2, padding: 1, dilation: 1);

        Assert.Equal((2, 0, 0), (odd.Tap(0), odd.Tap(1), odd.PadBefore));
        Assert.Equal((1, 4, 1, 4), (odd.PadAfter, odd.SourceSize, odd.FirstOutput, odd.Count));
        Assert.Equal((3, 1, 1, 0), (even.Tap(0), even.Tap(1), even.PadBefore, even.PadAfter));
        Assert.Equal((4, 0, 4), (even.SourceSize, even.FirstOutput, even.Count));
    }

    [Fact]
    public void Dilation_sharing_a_factor_with_the_stride_leaves_phases_no_tap_reaches()
    {
        // stride 2, dilation 2: every tap moves the output by an even amount, so odd outputs are the bias alone
        var odd = PhaseAxis.Of(1, input: 4, output: 11, kernel: 3, stride: 2, padding: 0, dilation: 2);
        var even = PhaseAxis.Of(0, input: 4, output: 11, kernel: 3, stride: 2, padding: 0, dilation: 2);

        Assert.Equal((0, 5), (odd.Taps, odd.Count));
        Assert.Equal((3, 1, 1, 6), (even.Taps, even.TapStep, even.Dilation, even.Count));
    }

    /// <summary>
    /// For every output of many small axes, the (input, tap) pairs the phase's convolution multiplies, inside
    /// the input, are exactly those nn.ConvTranspose2d's scatter adds there: o = i * S - P + k * D.
    /// </summary>
    [Fact]
    public void Each_phase_convolution_multiplies_exactly_the_pairs_the_scatter_adds()
    {
        int checkedAxes = 0;
        foreach (int input in new[] { 1, 2, 3, 5, 8 })
        foreach (int kernel in new[] { 1, 2, 3, 4, 5, 7 })
        foreach (int stride in new[] { 1, 2, 3, 4 })
        foreach (int dilation in new[] { 1, 2, 3, 4 })
        foreach (int padding in new[] { 0, 1, 2, 3, 6 })
        for (int outputPadding = 0; outputPadding < Math.Max(stride, dilation); outputPadding++)
        {
            long size = ConvTransposeOp.OutputSize(input, stride, padding, dilation, kernel, outputPadding);
            if (size < 1) continue;
            int output = (int)size;
            var covered = new int[output];
            for (int residue = 0; residue < stride; residue++)
            {
                var axis = PhaseAxis.Of(residue, input, output, kernel, stride, padding, dilation);
                string where = $"input {input}, kernel {kernel}, stride {stride}, dilation {dilation}, padding {padding}, output padding {outputPadding}, residue {residue}";
                if (axis.Count > 0 && axis.Taps > 0)
                {
                    Assert.True(axis.PadBefore >= 0 && axis.PadAfter >= 0 && axis.SourceOffset >= 0, where);
                    Assert.Equal(input + axis.PadBefore + axis.PadAfter - (axis.Taps - 1) * axis.Dilation, axis.SourceSize);
                    Assert.True(axis.SourceOffset + axis.Count <= axis.SourceSize, where);
                }
                for (int i = 0; i < axis.Count; i++)
                {
                    int o = axis.FirstOutput + i * stride;
                    Assert.True(o >= 0 && o < output && (o + padding) % stride == residue, where);
                    covered[o]++;
                    var scatter = new HashSet<(int, int)>();
                    for (int source = 0; source < input; source++)
                        for (int k = 0; k < kernel; k++)
                            if (source * stride - padding + k * dilation == o) scatter.Add((source, k));
                    var phase = new HashSet<(int, int)>();
                    int u = axis.SourceOffset + i;
                    for (int j = 0; j < axis.Taps; j++)
                    {
                        int source = u - axis.PadBefore + j * axis.Dilation;
                        if (source >= 0 && source < input) phase.Add((source, axis.Tap(j)));
                    }
                    Assert.True(scatter.SetEquals(phase), $"{where}, output {o}");
                }
            }
            Assert.All(covered, c => Assert.Equal(1, c));
            checkedAxes++;
        }
        Assert.True(checkedAxes > 1000);
    }

    private static readonly ConvTransposeOp UpConvolution = new() { Filters = 4, KernelHeight = 2, KernelWidth = 2, StrideHeight = 2, StrideWidth = 2 };

    private static List<Step> Lowered(int channels, int size, params Op[] ops)
    {
        var shapes = ShapeInference.Infer(NetworkGraph.Chain(FeatureShape.Map(channels, size, size), ops));
        Assert.False(shapes.HasErrors, string.Join("; ", shapes.Problems.Select(p => p.Message)));
        return Passes.LowerTransposedConvolutions(Passes.Canonicalize(shapes));
    }

    [Fact]
    public void The_pass_runs_each_phase_as_a_convolution_then_interleaves()
    {
        var steps = Lowered(8, 6, UpConvolution);

        Assert.Equal(5, steps.Count);
        var phases = steps.Take(4).ToList();
        Assert.All(phases, s => Assert.Equal(0, s.Index));
        Assert.All(phases, s => Assert.Equal(new[] { 0 }, s.InputValues));
        Assert.All(phases, s => Assert.Equal(new ConvolutionOp { Filters = 4, KernelHeight = 1, KernelWidth = 1 }, s.Op));
        Assert.Equal(new[] { (0, 0), (0, 1), (1, 0), (1, 1) }, phases.Select(s => (s.Phase!.Rows.Residue, s.Phase.Columns.Residue)));
        var interleave = steps[4];
        Assert.IsType<ConvTransposeOp>(interleave.Op);
        Assert.Equal(phases.Select(s => s.OutputValue), interleave.InputValues);
        Assert.Equal(4, interleave.Phases.Count);
        Assert.Equal(1, interleave.OutputValue);
    }

    [Fact]
    public void A_stride_1_layer_is_one_convolution_writing_its_output()
    {
        var steps = Lowered(8, 6, new ConvTransposeOp { Filters = 4, KernelHeight = 3, KernelWidth = 3, PaddingHeight = 1, PaddingWidth = 1 });

        var step = Assert.Single(steps);
        Assert.Equal(new ConvolutionOp { Filters = 4, KernelHeight = 3, KernelWidth = 3, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 }, step.Op);
        Assert.True(step.Phase!.IsWhole);
        Assert.Equal(1, step.OutputValue);
    }

    [Fact]
    public void Phases_no_tap_reaches_are_the_interleaves_to_fill()
    {
        var steps = Lowered(3, 4, new ConvTransposeOp { Filters = 2, KernelHeight = 3, KernelWidth = 3, StrideHeight = 2, StrideWidth = 2, DilationHeight = 2, DilationWidth = 2 });

        // only the even rows and columns get taps: one convolution, three phases of bias
        Assert.Single(steps, s => s.Phase is not null);
        Assert.Equal(4, steps[^1].Phases.Count);
        Assert.Single(steps[^1].InputValues);
    }

    [Theory]
    [InlineData(5, 4, 0)] // 20 phases: methods of their own each
    [InlineData(1, 1, 3)] // a padding cropping all but a corner of the scatter: the phases would compute far more than lands
    public void Many_phases_or_a_heavy_crop_stay_the_gather(int strideHeight, int strideWidth, int padding)
    {
        var op = new ConvTransposeOp { Filters = 2, KernelHeight = 2, KernelWidth = 2, StrideHeight = strideHeight, StrideWidth = strideWidth, PaddingHeight = padding, PaddingWidth = padding };
        var steps = Lowered(3, 8, op);

        var step = Assert.Single(steps);
        Assert.Equal(op, step.Op);
        Assert.Empty(step.Phases);
    }

    [Fact]
    public void Fuse_applies_the_activation_after_the_interleave_in_the_phases_stores()
    {
        // the phases' convolutions apply it as they store, and the interleave is a plain copy
        var steps = Passes.Fuse(Lowered(8, 6, UpConvolution, new ActivationOp(Activation.ReLU)));
        Assert.All(steps.Take(4), s => Assert.Equal(1, s.Epilogue?.Index));
        Assert.Null(steps[4].Epilogue);
        Assert.Equal(2, steps[4].OutputValue);

        // phases of 32 multiply-adds are straight-line code, which takes no epilogue: the interleave applies it
        var small = Passes.Fuse(Lowered(2, 2, UpConvolution, new ActivationOp(Activation.ReLU)));
        Assert.All(small.Take(4), s => Assert.Null(s.Epilogue));
        Assert.Equal(1, small[4].Epilogue?.Index);

        // and so it does where some phase is the bias alone
        var gaps = Passes.Fuse(Lowered(8, 6, new ConvTransposeOp { Filters = 4, KernelHeight = 2, KernelWidth = 2, StrideHeight = 3, StrideWidth = 3 }, new ActivationOp(Activation.ReLU)));
        Assert.Equal(1, gaps[^1].Epilogue?.Index);
    }

    [Fact]
    public void Fuse_folds_a_BatchNorm_after_a_transposed_convolution_into_each_phase()
    {
        // DCGAN's decoder block: every phase's kernel and bias take the BatchNorm, and its ReLU goes into their stores
        var steps = Passes.Fuse(Lowered(8, 6, UpConvolution, new BatchNormOp(), new ActivationOp(Activation.ReLU)));
        Assert.Equal(5, steps.Count);
        Assert.All(steps.Take(4), s => Assert.Equal((1, 2), (s.Folded?.Index, s.Epilogue?.Index)));
        Assert.Equal(3, steps[4].OutputValue);

        // a stride-1 layer is one convolution, which folds it as any convolution does
        var whole = Passes.Fuse(Lowered(8, 6, new ConvTransposeOp { Filters = 4, KernelHeight = 3, KernelWidth = 3 }, new BatchNormOp()));
        Assert.Equal(1, Assert.Single(whole).Folded?.Index);

        // phases of the bias alone would need the BatchNorm too: it stays a step
        var gaps = Passes.Fuse(Lowered(8, 6, new ConvTransposeOp { Filters = 4, KernelHeight = 2, KernelWidth = 2, StrideHeight = 3, StrideWidth = 3 }, new BatchNormOp()));
        Assert.IsType<BatchNormOp>(gaps[^1].Op);
    }

    [Fact]
    public void PackWeights_gives_each_phase_its_kernel_after_the_state()
    {
        var shapes = ShapeInference.Infer(NetworkGraph.Chain(FeatureShape.Map(8, 6, 6), new Op[] { UpConvolution }));
        var plan = Passes.Plan(shapes);

        var phases = plan.Steps.Where(s => s.Phase is not null).ToList();
        // 4 filters x 8 channels x 1 tap each, one after the other after the 8 x 4 x 2 x 2 weight and 4 biases (132
        // floats), from the first cache line after them (144 = 9 x 16 floats)
        Assert.Equal(new[] { 144, 176, 208, 240 }, phases.Select(s => s.DerivedOffset));
        Assert.Equal(12 + 128, plan.DerivedLength);
    }
}
