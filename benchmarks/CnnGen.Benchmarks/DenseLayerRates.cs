using CnnGen;

namespace Benchmarks;

// ConvTranspose2D's rate beside Conv2D's, on the shapes dense-prediction networks use. No activation after any of
// them, so each times the layer alone. Per case three classes with the same multiply-adds:
//   ConvT*     the ConvTranspose2D: InChannels * Filters * KH * KW * InHeight * InWidth multiply-adds
//              (every input pixel scatters a full kernel, cropped taps counted too);
//   Conv*      its stride-1 twin: a Conv2D on the same input with the same channels and kernel, padded to keep
//              the input's size (asymmetrically for an even kernel), so Filters * InChannels * KH * KW * H * W;
//   Conv*Adj   the Conv2D whose transpose it is (its adjoint: the ConvTranspose2D's output shape in, its input
//              shape out, the same kernel, stride and padding, the same number of weights), strided like it.
// The stride-1 case is its own twin and adjoint: ConvTStride1 beside ConvStride1.

/// <summary>U-Net's up-convolution: [128, 32, 32] -> [64, 64, 64], kernel 2, stride 2 (33.6 million multiply-adds).</summary>
[InputShape(128, 32, 32)]
[ConvTranspose2D(Filters = 64, Kernel = 2, Stride = 2)]
public partial class ConvTUNetUp { }

/// <summary>Its twin: [128, 32, 32] -> [64, 32, 32], a 2x2 kernel padded below and right.</summary>
[InputShape(128, 32, 32)]
[Conv2D(Filters = 64, Kernel = 2, PadBottom = 1, PadRight = 1)]
public partial class ConvUNetUp { }

/// <summary>Its adjoint: [64, 64, 64] -> [128, 32, 32], kernel 2, stride 2.</summary>
[InputShape(64, 64, 64)]
[Conv2D(Filters = 128, Kernel = 2, Stride = 2)]
public partial class ConvUNetUpAdj { }

/// <summary>A DCGAN / autoencoder decoder step: [64, 16, 16] -> [32, 32, 32], kernel 4, stride 2, padding 1 (8.4 million multiply-adds).</summary>
[InputShape(64, 16, 16)]
[ConvTranspose2D(Filters = 32, Kernel = 4, Stride = 2, Padding = 1)]
public partial class ConvTDcganUp { }

/// <summary>Its twin: [64, 16, 16] -> [32, 16, 16], a 4x4 kernel padded 1 above and left, 2 below and right.</summary>
[InputShape(64, 16, 16)]
[Conv2D(Filters = 32, Kernel = 4, PadTop = 1, PadLeft = 1, PadBottom = 2, PadRight = 2)]
public partial class ConvDcganUp { }

/// <summary>Its adjoint: [32, 32, 32] -> [64, 16, 16], kernel 4, stride 2, padding 1.</summary>
[InputShape(32, 32, 32)]
[Conv2D(Filters = 64, Kernel = 4, Stride = 2, Padding = 1)]
public partial class ConvDcganUpAdj { }

/// <summary>A ResNet-style decoder step: [64, 32, 32] -> [64, 64, 64], kernel 3, stride 2, padding 1, output padding 1 (37.7 million multiply-adds).</summary>
[InputShape(64, 32, 32)]
[ConvTranspose2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1, OutputPadding = 1)]
public partial class ConvTResNetUp { }

/// <summary>Its twin: [64, 32, 32] -> [64, 32, 32], 3x3, padding 1.</summary>
[InputShape(64, 32, 32)]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1)]
public partial class ConvResNetUp { }

/// <summary>Its adjoint: [64, 64, 64] -> [64, 32, 32], kernel 3, stride 2, padding 1.</summary>
[InputShape(64, 64, 64)]
[Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1)]
public partial class ConvResNetUpAdj { }

/// <summary>A stride-1 transposed convolution, [32, 32, 32] -> [32, 32, 32], 3x3, padding 1: a 3x3 convolution with the kernel flipped (9.4 million multiply-adds).</summary>
[InputShape(32, 32, 32)]
[ConvTranspose2D(Filters = 32, Kernel = 3, Padding = 1)]
public partial class ConvTStride1 { }

/// <summary>Its twin and adjoint: <see cref="Conv2DRate"/> without the ReLU.</summary>
[InputShape(32, 32, 32)]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1)]
public partial class ConvStride1 { }
