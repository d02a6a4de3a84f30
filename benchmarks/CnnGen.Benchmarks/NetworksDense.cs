using CnnGen;

namespace Benchmarks;

// Three dense-prediction networks, with PyTorch's weights and ONNX exports in fixtures/ (torch/networks_dense.py
// writes them from each class's TorchSource), and the parts that time their upsampling steps alone.

/// <summary>
/// A small U-Net (Ronneberger et al. 2015) for 4-class segmentation of a 3 x 128 x 128 image: three encoder levels
/// of two 3x3 convolutions with BatchNorm and ReLU (16, 32, 64 channels, a 2x2 max pool before each level below
/// the first), a bottleneck of 128 at 16 x 16, and a decoder that doubles the size with a 2x2, stride-2
/// ConvTranspose2D, concatenates the encoder's map of that size (skip first, then the up-convolution's output,
/// as torch.cat([skip, up], 1)) and runs two 3x3 convolutions with BatchNorm and ReLU; a 1x1 convolution to 4 classes.
/// 1.16 GFLOP (0.58 billion multiply-adds).
/// </summary>
[InputShape(3, 128, 128)]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Name = "enc1a")]
[BatchNorm2D(Name = "bn1a")]
[ReLU]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Name = "enc1b")]
[BatchNorm2D(Name = "bn1b")]
[ReLU]
[Concat(typeof(UNetLevel2), IncludeInput = true, Name = "skip1")]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Name = "dec1a")]
[BatchNorm2D(Name = "dbn1a")]
[ReLU]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Name = "dec1b")]
[BatchNorm2D(Name = "dbn1b")]
[ReLU]
[Conv2D(Filters = 4, Kernel = 1, Name = "outc")]
public partial class UNetSmall { }

/// <summary>The second level, [16, 128, 128] -> [16, 128, 128]: down to 64 x 64, 32 channels, the third level beside it, up again.</summary>
[Block]
[MaxPool2D(Kernel = 2, Name = "pool")]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Name = "enc2a")]
[BatchNorm2D(Name = "bn2a")]
[ReLU]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Name = "enc2b")]
[BatchNorm2D(Name = "bn2b")]
[ReLU]
[Concat(typeof(UNetLevel3), IncludeInput = true, Name = "skip2")]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Name = "dec2a")]
[BatchNorm2D(Name = "dbn2a")]
[ReLU]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Name = "dec2b")]
[BatchNorm2D(Name = "dbn2b")]
[ReLU]
[ConvTranspose2D(Filters = 16, Kernel = 2, Stride = 2, Name = "up1")]
public partial class UNetLevel2 { }

/// <summary>The third level, [32, 64, 64] -> [32, 64, 64]: 64 channels at 32 x 32, the bottleneck beside it.</summary>
[Block]
[MaxPool2D(Kernel = 2, Name = "pool")]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Name = "enc3a")]
[BatchNorm2D(Name = "bn3a")]
[ReLU]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Name = "enc3b")]
[BatchNorm2D(Name = "bn3b")]
[ReLU]
[Concat(typeof(UNetBottleneck), IncludeInput = true, Name = "skip3")]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Name = "dec3a")]
[BatchNorm2D(Name = "dbn3a")]
[ReLU]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Name = "dec3b")]
[BatchNorm2D(Name = "dbn3b")]
[ReLU]
[ConvTranspose2D(Filters = 32, Kernel = 2, Stride = 2, Name = "up2")]
public partial class UNetLevel3 { }

/// <summary>The bottleneck, [64, 32, 32] -> [64, 32, 32]: 128 channels at 16 x 16.</summary>
[Block]
[MaxPool2D(Kernel = 2, Name = "pool")]
[Conv2D(Filters = 128, Kernel = 3, Padding = 1, Name = "mida")]
[BatchNorm2D(Name = "bnma")]
[ReLU]
[Conv2D(Filters = 128, Kernel = 3, Padding = 1, Name = "midb")]
[BatchNorm2D(Name = "bnmb")]
[ReLU]
[ConvTranspose2D(Filters = 64, Kernel = 2, Stride = 2, Name = "up3")]
public partial class UNetBottleneck { }

/// <summary>
/// ESPCN (Shi et al. 2016, "Real-time single image and video super-resolution using an efficient sub-pixel
/// convolutional neural network") for 3x super-resolution of the luminance: 5x5 (64 filters, reflect padding),
/// 3x3 (32), 3x3 (1 * 3 * 3), Tanh after the first two as in the paper, then PixelShuffle(3):
/// [1, 64, 64] -> [1, 192, 192]. 0.19 GFLOP.
/// </summary>
[InputShape(1, 64, 64)]
[Conv2D(Filters = 64, Kernel = 5, Padding = 2, PaddingMode = "reflect", Name = "conv1")]
[Tanh]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Name = "conv2")]
[Tanh]
[Conv2D(Filters = 9, Kernel = 3, Padding = 1, Name = "conv3")]
[PixelShuffle(Factor = 3, Name = "shuffle")]
public partial class Espcn { }

/// <summary>
/// A decoder (an autoencoder's or a segmentation head's) that upsamples by repeating pixels: [64, 16, 16] ->
/// Upsample(2) -> 3x3 (64) + ReLU -> Upsample(2) -> 3x3 (32) + ReLU -> 3x3 (3): [3, 64, 64]. 0.23 GFLOP.
/// </summary>
[InputShape(64, 16, 16)]
[Upsample(Scale = 2, Name = "up1")]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Name = "conv1")]
[ReLU]
[Upsample(Scale = 2, Name = "up2")]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Name = "conv2")]
[ReLU]
[Conv2D(Filters = 3, Kernel = 3, Padding = 1, Name = "conv3")]
public partial class DecoderNearest { }

/// <summary><see cref="DecoderNearest"/> with bilinear upsampling (align_corners=False).</summary>
[InputShape(64, 16, 16)]
[Upsample(Scale = 2, Mode = "bilinear", Name = "up1")]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Name = "conv1")]
[ReLU]
[Upsample(Scale = 2, Mode = "bilinear", Name = "up2")]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Name = "conv2")]
[ReLU]
[Conv2D(Filters = 3, Kernel = 3, Padding = 1, Name = "conv3")]
public partial class DecoderBilinear { }

// The upsampling steps alone, on the shapes they have in the networks above, to time their share of the
// forward pass (ForwardCase runs them on random inputs and weights; their time does not depend on the values).

/// <summary>ESPCN without its PixelShuffle: the output is the [9, 64, 64] map before the shuffle (ESPCN's weights and input).</summary>
[InputShape(1, 64, 64)]
[Conv2D(Filters = 64, Kernel = 5, Padding = 2, PaddingMode = "reflect", Name = "conv1")]
[Tanh]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Name = "conv2")]
[Tanh]
[Conv2D(Filters = 9, Kernel = 3, Padding = 1, Name = "conv3")]
public partial class EspcnTrunk { }

/// <summary>ESPCN's PixelShuffle alone: [9, 64, 64] -> [1, 192, 192].</summary>
[InputShape(9, 64, 64)]
[PixelShuffle(Factor = 3)]
public partial class EspcnShuffle { }

/// <summary>The decoder's first nearest Upsample alone: [64, 16, 16] -> [64, 32, 32].</summary>
[InputShape(64, 16, 16)]
[Upsample(Scale = 2)]
public partial class DecoderNearestUp1 { }

/// <summary>The decoder's second nearest Upsample alone: [64, 32, 32] -> [64, 64, 64].</summary>
[InputShape(64, 32, 32)]
[Upsample(Scale = 2)]
public partial class DecoderNearestUp2 { }

/// <summary>The first bilinear Upsample alone: [64, 16, 16] -> [64, 32, 32].</summary>
[InputShape(64, 16, 16)]
[Upsample(Scale = 2, Mode = "bilinear")]
public partial class DecoderBilinearUp1 { }

/// <summary>The second bilinear Upsample alone: [64, 32, 32] -> [64, 64, 64].</summary>
[InputShape(64, 32, 32)]
[Upsample(Scale = 2, Mode = "bilinear")]
public partial class DecoderBilinearUp2 { }

/// <summary>The U-Net's bottleneck up-convolution alone: [128, 16, 16] -> [64, 32, 32].</summary>
[InputShape(128, 16, 16)]
[ConvTranspose2D(Filters = 64, Kernel = 2, Stride = 2)]
public partial class UNetUp3 { }

/// <summary>The U-Net's third-level up-convolution alone: [64, 32, 32] -> [32, 64, 64].</summary>
[InputShape(64, 32, 32)]
[ConvTranspose2D(Filters = 32, Kernel = 2, Stride = 2)]
public partial class UNetUp2 { }

/// <summary>The U-Net's second-level up-convolution alone: [32, 64, 64] -> [16, 128, 128].</summary>
[InputShape(32, 64, 64)]
[ConvTranspose2D(Filters = 16, Kernel = 2, Stride = 2)]
public partial class UNetUp1 { }
