using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Planning;

/// <summary>
/// Which steps read an input that is likely to hold exact zeros: the ones that come out of a ReLU, ReLU6, Hardswish or
/// Hardsigmoid (for about half their values) and what passes them on (a max pool, a Concat, a product). The kernels
/// that can skip zero inputs (a Dense layer's, a convolution's on one pixel) list them only there: elsewhere (after a
/// global average, an affine layer, a sigmoid) the list would name every input and cost its time for nothing.
/// Skipping is exact wherever it runs, so this decides speed only; the network's input may hold anything and counts
/// as holding zeros.
/// </summary>
internal static class ZeroInputs
{
    /// <summary>The steps, each with <see cref="Step.InputHoldsZeros"/> for its first input.</summary>
    public static List<Step> Mark(List<Step> steps)
    {
        // by the value each step defines (SSA, in order: a step's inputs are defined before it); 0 is the network's input
        var holds = new Dictionary<int, bool> { [0] = true };
        // a value no step defined before its reader (none should be) counts as the network's input: listed, as before
        bool Holds(int value) => !holds.TryGetValue(value, out bool h) || h;
        foreach (var step in steps) holds[step.OutputValue] = LeavesZeros(step, Holds);
        return steps.Select(s => s with { InputHoldsZeros = Holds(s.InputValues[0]) }).ToList();
    }

    /// <summary>Whether a step's output holds zeros: its op's, then the shortcut's sum, the activation and the pool fused into it, in the order they apply.</summary>
    private static bool LeavesZeros(Step step, Func<int, bool> holds)
    {
        bool result = step.Op.Accept(new Rule(step.InputValues.Select(holds).ToArray()));
        // a fused shortcut adds the step's second input to its result: AddOp's rule on the two
        if (step.Shortcut is not null) result = new AddOp().Accept(new Rule(new[] { result, holds(step.InputValues[1]) }));
        if (step.Epilogue is not null) result = step.Epilogue.Op.Accept(new Rule(new[] { result }));
        // a fused pool is a max pool: it passes zeros on
        return result;
    }

    /// <summary>Each op's rule, from whether each of its inputs holds zeros.</summary>
    private sealed class Rule : IOpVisitor<bool>
    {
        private readonly bool[] _inputs;

        public Rule(bool[] inputs) => _inputs = inputs;

        private bool First => _inputs.Length > 0 && _inputs[0];

        // affine maps make a zero only where a sum cancels exactly
        public bool Convolution(ConvolutionOp op) => false;
        public bool ConvTranspose(ConvTransposeOp op) => false;
        public bool Dense(DenseOp op) => false;
        public bool BatchNorm(BatchNormOp op) => false;

        // a max or min of a window with zeros is often zero; an average only where the whole window is
        public bool Pool(PoolOp op) => op.Reduction != Reduction.Average && First;
        public bool GlobalPool(GlobalPoolOp op) => op.Reduction != Reduction.Average && First;
        public bool AdaptivePool(AdaptivePoolOp op) => op.Reduction != Reduction.Average && First;

        public bool Activation(ActivationOp op) => op.Function switch
        {
            // zero for every input at or below a bound: about half of them after an affine layer
            Ir.Activation.ReLU or Ir.Activation.ReLU6 or Ir.Activation.Hardswish or Ir.Activation.Hardsigmoid => true,
            Ir.Activation.LeakyReLU => op.NegativeSlope == 0f || First,
            Ir.Activation.Hardtanh => op.Min == 0f || op.Max == 0f || (First && op.Min <= 0f && op.Max >= 0f),
            // f(0) = 0: zeros pass through
            Ir.Activation.Tanh or Ir.Activation.SiLU or Ir.Activation.Mish or Ir.Activation.GELU or Ir.Activation.ELU or Ir.Activation.SELU => First,
            // never zero
            Ir.Activation.Sigmoid or Ir.Activation.Softplus => false,
        };

        public bool PReLU(PReLUOp op) => First;
        public bool Flatten(FlattenOp op) => First;
        public bool Dropout(DropoutOp op) => First;
        public bool Identity(IdentityOp op) => First;
        public bool Softmax(SoftmaxOp op) => false;

        // a sum is zero where both terms are; a Concat holds its parts' zeros; a product is zero where a factor is
        public bool Add(AddOp op) => _inputs.Length > 0 && _inputs.All(h => h);
        public bool Concat(ConcatOp op) => _inputs.Any(h => h);
        public bool Multiply(MultiplyOp op) => _inputs.Any(h => h);

        public bool Pad(PadOp op) => op.Mode == PadMode.Zeros || First;
        public bool Upsample(UpsampleOp op) => First;
        public bool PixelShuffle(PixelShuffleOp op) => First;
        public bool ChannelSlice(ChannelSliceOp op) => First;
        public bool ChannelShuffle(ChannelShuffleOp op) => First;
        public bool ChannelPad(ChannelPadOp op) => op.Before + (long)op.After > 0 || First;
        public bool ChannelRepeat(ChannelRepeatOp op) => First;
    }
}
