using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen.Generator.Planning;

/// <summary>
/// The passes from a checked graph to an execution plan, each a pure function with tests of its
/// own: canonicalize (views away), fuse (fold BatchNorm, epilogues, pools), plan memory, pack weights.
/// </summary>
internal static class Passes
{
    public static ExecutionPlan Plan(NetworkShapes shapes)
    {
        var steps = Fuse(Canonicalize(shapes));
        steps = PlanMemory(steps);
        return PackWeights(steps, shapes.ParameterCount);
    }

    /// <summary>
    /// The nodes that compute, in order. Flatten, Dropout and Identity only rename a value (the
    /// floats of a C x H x W map are already its flattened vector), so they become no step at all.
    /// </summary>
    public static List<Step> Canonicalize(NetworkShapes shapes)
    {
        var steps = new List<Step>();
        for (int i = 0; i < shapes.Graph.Nodes.Count; i++)
        {
            var op = shapes.Graph.Nodes[i].Op;
            if (op.Accept(IsView.Instance)) continue;
            steps.Add(new Step(i, op, shapes.Layers[i]));
        }
        return steps;
    }

    /// <summary>
    /// Merges ops into the step before them where the kernel can apply them for free: a BatchNorm
    /// into the convolution that feeds it (at load time), one activation into a looped convolution's
    /// store, and a 2x2/2 max pool into a 512-bit convolution's registers (after the activation, or
    /// before it where the activation never decreases, so that it runs on a quarter of the values). In a chain every value has
    /// one consumer, the next step.
    /// </summary>
    public static List<Step> Fuse(List<Step> steps)
    {
        var fused = new List<Step>();
        foreach (var step in steps)
        {
            // in a chain each value's only consumer is the next op, the views between them compute nothing
            var previous = fused.Count > 0 ? fused[fused.Count - 1] : null;
            if (previous is not null && previous.Op is ConvolutionOp conv)
            {
                if (step.Op is BatchNormOp norm && previous.Folded is null && previous.Epilogue is null && previous.Pool is null)
                {
                    fused[fused.Count - 1] = previous with { Folded = new FoldedBatchNorm(step.Index, norm, step.Shapes) };
                    continue;
                }
                var plan = new ConvolutionPlan(conv, previous.Shapes, 0, -1);
                if (previous.Epilogue is null && previous.Pool is null && Epilogues.IsFusable(step.Op) && !NetworkEmitter.IsStraightLine(plan))
                {
                    fused[fused.Count - 1] = previous with { Epilogue = new Epilogue(step.Index, step.Op) };
                    continue;
                }
                if (previous.Pool is null && step.Op is PoolOp pool && FusesPool(plan, pool))
                {
                    fused[fused.Count - 1] = previous with { Pool = new FusedPool(step.Index, pool, step.Shapes) };
                    continue;
                }
            }
            fused.Add(step);
        }
        return fused;
    }

    /// <summary>
    /// A 2x2, stride-2 max pool right after a convolution (and its epilogue), on an output of even
    /// height and width, where the convolution has a 512-bit method to pool in.
    /// </summary>
    private static bool FusesPool(ConvolutionPlan conv, PoolOp pool) =>
        pool is { Reduction: Reduction.Max, KernelHeight: 2, KernelWidth: 2, StrideHeight: 2, StrideWidth: 2, PaddingHeight: 0, PaddingWidth: 0 } &&
        conv.OutHeight % 2 == 0 && conv.OutWidth % 2 == 0 && NetworkEmitter.KernelFor(conv, SimdFlavor.Wide) != VectorKernel.None;

    /// <summary>
    /// Which span each step reads and writes: the caller's input, the caller's output, or one of two
    /// scratch buffers that activations ping-pong between. Elementwise steps work in place.
    /// </summary>
    public static List<Step> PlanMemory(List<Step> steps)
    {
        var planned = new List<Step>();
        string current = "input";
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            bool last = i == steps.Count - 1;
            bool inPlace = step.Op.IsElementwise || step.Op is SoftmaxOp;
            string destination = last ? "output" : inPlace && current != "input" ? current : current == "a" ? "b" : "a";
            planned.Add(step with { Source = current, Destination = destination });
            current = destination;
        }
        return planned;
    }

    /// <summary>The scratch lengths the planned steps need.</summary>
    public static (int A, int B) ScratchLengths(IEnumerable<Step> steps)
    {
        int a = 0, b = 0;
        foreach (var step in steps)
        {
            if (step.Destination == "a") a = Math.Max(a, step.Output.Length);
            if (step.Destination == "b") b = Math.Max(b, step.Output.Length);
        }
        return (a, b);
    }

    /// <summary>
    /// Places the weights made at load time after the state tensors: first each step's derived block
    /// (a folded convolution's weights and bias; a BatchNorm's scale and shift), then the permuted
    /// copies the channel-vector convolutions read.
    /// </summary>
    public static ExecutionPlan PackWeights(List<Step> steps, int parameterCount)
    {
        var packed = new List<Step>();
        int derived = 0;
        foreach (var step in steps)
        {
            int size = DerivedLength(step);
            packed.Add(size > 0 ? step with { DerivedOffset = parameterCount + derived } : step);
            derived += size;
        }
        int permuted = 0;
        for (int i = 0; i < packed.Count; i++)
        {
            if (packed[i].Op is not ConvolutionOp conv) continue;
            int size = NetworkEmitter.PermutedWeightLength(ConvolutionPlan.For(packed[i]));
            if (size == 0) continue;
            packed[i] = packed[i] with { PermutedOffset = parameterCount + derived + permuted };
            permuted += size;
        }
        var (a, b) = ScratchLengths(packed);
        return new ExecutionPlan(new EquatableArray<Step>(packed), a, b, derived, permuted);
    }

    /// <summary>Floats of a step's derived block: a folded convolution's weight and bias, a standalone BatchNorm's scale and shift.</summary>
    public static int DerivedLength(Step step) => step.Op switch
    {
        ConvolutionOp conv when step.Folded is not null => step.Shapes.Tensors[0].Length + conv.Filters,
        BatchNormOp => 2 * step.Shapes.Input.Channels,
        _ => 0,
    };

    /// <summary>Flatten, Dropout and Identity: the output is the input's floats as they are.</summary>
    private sealed class IsView : IOpVisitor<bool>
    {
        public static readonly IsView Instance = new();

        public bool Convolution(ConvolutionOp op) => false;
        public bool Pool(PoolOp op) => false;
        public bool GlobalPool(GlobalPoolOp op) => false;
        public bool AdaptivePool(AdaptivePoolOp op) => false;
        public bool Dense(DenseOp op) => false;
        public bool BatchNorm(BatchNormOp op) => false;
        public bool Activation(ActivationOp op) => false;
        public bool PReLU(PReLUOp op) => false;
        public bool Flatten(FlattenOp op) => true;
        public bool Dropout(DropoutOp op) => true;
        public bool Identity(IdentityOp op) => true;
        public bool Softmax(SoftmaxOp op) => false;
    }
}
