// Shared between the generator and the runtime library as a linked file: the ops that join values,
// which the blocks put where their branches meet. They own no tensors.
using System.Linq;

namespace CnnGen.Ir;

/// <summary>A Residual's sum: y = body(x) + shortcut (x itself, or the shortcut's output); both of one shape.</summary>
internal sealed record AddOp : Op
{
    /// <summary>Whether the second term is a shortcut's output rather than the block's input.</summary>
    public bool HasShortcut { get; init; }

    public override string Kind => "Residual";

    public override FeatureShape Infer(InferenceContext context)
    {
        FeatureShape body = context.Inputs[0], other = context.Inputs[1];
        if (body != other)
            context.Report(ShapeProblemKind.ResidualMismatch, null, context.Where, context.Index, body, HasShortcut ? "the shortcut gives" : "its input is", other);
        return body;
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Add(this);
}

/// <summary>torch.cat over the channels (dim 1): maps of one height and width, or vectors.</summary>
internal sealed record ConcatOp : Op
{
    /// <summary>Whether the first part is the block's input itself (IncludeInput).</summary>
    public bool IncludesInput { get; init; }

    public override string Kind => "Concat";

    public override FeatureShape Infer(InferenceContext context)
    {
        var first = context.Inputs[0];
        long channels = 0;
        bool same = true;
        foreach (var part in context.Inputs)
        {
            same &= part.Rank == first.Rank && part.Height == first.Height && part.Width == first.Width;
            channels += part.Channels;
        }
        if (!same)
        {
            string parts = string.Join(", ", context.Inputs.Select((p, i) => (IncludesInput && i == 0 ? "the input " : $"branch {(IncludesInput ? i - 1 : i)} ") + p));
            context.Report(ShapeProblemKind.ConcatMismatch, null, context.Where, context.Index, parts);
            return first;
        }
        if (!context.Fits("the output", channels, first.Height, first.Width)) return first;
        return first with { Channels = (int)channels };
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Concat(this);
}

/// <summary>y = x * gate, the gate of x's shape or [C, 1, 1] (one factor per channel: squeeze-and-excitation).</summary>
internal sealed record MultiplyOp : Op
{
    public override string Kind => "Multiply";

    /// <summary>Whether the gate is one factor per channel ([C, 1, 1] for a map, [C, 1] for a sequence) rather than one per element.</summary>
    public static bool IsChannelGate(FeatureShape x, FeatureShape gate) =>
        !x.IsFlat && gate.Rank == x.Rank && gate.Channels == x.Channels && gate.Height == 1 && gate.Width == 1 && (x.Height != 1 || x.Width != 1);

    public override FeatureShape Infer(InferenceContext context)
    {
        FeatureShape x = context.Inputs[0], gate = context.Inputs[1];
        if (gate != x && !IsChannelGate(x, gate))
        {
            string allowed = x.IsFlat ? x.ToString() : $"{x} or {x with { Height = 1, Width = 1 }}";
            context.Report(ShapeProblemKind.MultiplyMismatch, null, context.Where, context.Index, x, gate, allowed);
        }
        return x;
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Multiply(this);
}
