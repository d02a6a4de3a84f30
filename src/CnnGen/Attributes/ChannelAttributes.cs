using System;

namespace CnnGen;

/// <summary>
/// Takes channels <see cref="Start"/> to Start + Length - 1 of a map or a sequence, or those features of a vector:
/// x[:, Start:Start + Length], torch.narrow(x, 1, Start, Length). With blocks it splits a value along its channels as
/// torch.chunk and torch.split do (ShuffleNetV2's unit: a <see cref="ConcatAttribute"/> of two branches, each starting
/// with its half). No tensors.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ChannelSliceAttribute : LayerAttribute
{
    /// <summary>The first channel taken, from 0, less than the input's channels. Default 0.</summary>
    public int Start { get; set; }

    /// <summary>How many channels, at least 1, up to the input's last channel. Required.</summary>
    public int Length { get; set; }
}

/// <summary>
/// Interleaves a map's or a sequence's channels from <see cref="Groups"/> groups, as torch.nn.ChannelShuffle and
/// ShuffleNet's x.view(N, G, C / G, H, W).transpose(1, 2).reshape(N, C, H, W): output channel j * G + i is input
/// channel i * (C / G) + j. No tensors.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ChannelShuffleAttribute : LayerAttribute
{
    /// <summary>The number of groups G, at least 1, a divisor of the input's channels. Required.</summary>
    public int Groups { get; set; }
}

/// <summary>
/// Zero channels around a map's or a sequence's channels: <see cref="Before"/> of them, the input's, then
/// <see cref="After"/>, as F.pad(x, (0, 0, 0, 0, Before, After)) on a map. The CIFAR ResNets' "option A" shortcut
/// (He et al. 2016; ResNet-20 to ResNet-110 as pytorch_resnet_cifar10 writes them) pads x[:, :, ::2, ::2] to the
/// block's channels: a shortcut block of <c>[MaxPool2D(Kernel = 1, Stride = 2)]</c> (which takes every second row and
/// column) and <c>[ChannelPad(Before = C / 4, After = C / 4)]</c>. No tensors.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ChannelPadAttribute : LayerAttribute
{
    /// <summary>The zero channels before the input's, 0 or more. Default 0.</summary>
    public int Before { get; set; }

    /// <summary>The zero channels after the input's, 0 or more. Default 0.</summary>
    public int After { get; set; }
}
