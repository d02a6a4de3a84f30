// Shared between the generator and the runtime library as a linked file: the ops that take or reorder a value's
// channels without computing, which ShuffleNet's units are built of. They own no tensors.
namespace CnnGen.Ir;

/// <summary>
/// x[:, Start:Start + Length] (torch.narrow(x, 1, Start, Length)): channels Start to Start + Length - 1 of a map or a
/// sequence, or those features of a vector. One of the parts torch.chunk and torch.split make.
/// </summary>
internal sealed record ChannelSliceOp(int Start, int Length) : Op
{
    public override string Kind => "ChannelSlice";

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        string channels = input.IsFlat ? "features" : "channels";
        if (Start < 0 || Start >= input.Channels)
            context.Invalid("Start", Start, $"0 or more and less than the {input.Channels} {channels} {context.Source} produces");
        else if (Length < 1 || Length > input.Channels - Start)
            context.Invalid("Length", Length, $"at least 1 and at most the {input.Channels - Start} {channels} from Start = {Start} on ({context.Source} produces {input.Channels})");
        if (context.Failed) return input;
        return input with { Channels = Length };
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.ChannelSlice(this);
}

/// <summary>
/// nn.ChannelShuffle(Groups), ShuffleNet's x.view(G, C / G, H, W).transpose(0, 1).reshape(C, H, W): output channel
/// j * G + i is input channel i * (C / G) + j. On a map or a sequence.
/// </summary>
internal sealed record ChannelShuffleOp(int Groups) : Op
{
    public override string Kind => "ChannelShuffle";

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!context.NeedsChannels()) return input;
        if (Groups < 1 || input.Channels % Groups != 0)
            context.Invalid("Groups", Groups, $"at least 1 and a divisor of the {input.Channels} channels {context.Source} produces");
        return input;
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.ChannelShuffle(this);
}

/// <summary>
/// F.pad(x, (0, 0, 0, 0, Before, After)) on a map, F.pad(x, (0, 0, Before, After)) on a sequence: Before channels of
/// zeros, the input's channels, then After more. The CIFAR ResNets' "option A" shortcut (He et al. 2016) pads the
/// subsampled input x[:, :, ::2, ::2] to the block's wider output this way, where torchvision's ResNets convolve.
/// </summary>
internal sealed record ChannelPadOp(int Before, int After) : Op
{
    public override string Kind => "ChannelPad";

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!context.NeedsChannels()) return input;
        context.NotNegative("Before", Before);
        context.NotNegative("After", After);
        if (context.Failed) return input;
        return context.WithChannels("the padded channels", (long)input.Channels + Before + After);
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.ChannelPad(this);
}

/// <summary>
/// Each channel Repeats times in a row (torch.repeat_interleave(x, Repeats, dim=1)): output channel o is input channel
/// o / Repeats. No layer declares it: the planner puts one before a convolution of Repeats filters a channel (a
/// depthwise multiplier), which then runs as a depthwise convolution of the repeated channels with the same weights.
/// </summary>
internal sealed record ChannelRepeatOp(int Repeats) : Op
{
    public override string Kind => "ChannelRepeat";

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!context.NeedsChannels()) return input;
        context.Positive("Repeats", Repeats);
        if (context.Failed) return input;
        return context.WithChannels("the repeated channels", (long)input.Channels * Repeats);
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.ChannelRepeat(this);
}
