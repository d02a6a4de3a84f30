using CnnGen;

namespace Segmentation;

// The network train.py trains (model.py's SegNet, which is this class's TorchSource), block for block: a U-Net
// with two levels below the full resolution. A [Block] class is not a network by itself: its layers are used
// where [Sequential] or [Concat] names it. [Concat(typeof(B), IncludeInput = true)] is cat([x, B(x)], dim = 1):
// U-Net's skip connection, x being the features of this level and B going one level down and back up. Its
// branch is its child "0", so state_dict keys read "level1.0.enc.conv1.weight" (the first convolution one level
// down), "level1.0.level2.0.enc.bn2.running_var" (two levels down), "level1.0.up.weight" (the way back up).
//
// Shapes (channels x height x width), for a 32x32 image:
//
//   inc      1 x 32 x 32 -> 8 x 32 x 32                     two 3x3 convolutions
//   level1   8 x 32 x 32 -> 8 + 8 = 16 x 32 x 32            x, and Level1(x):
//     pool                   8 x 16 x 16
//     enc                   16 x 16 x 16                    two 3x3 convolutions
//     level2                16 + 16 = 32 x 16 x 16          x, and Level2(x):
//       pool                    16 x 8 x 8
//       enc                     32 x 8 x 8                  two 3x3 convolutions (the bottom of the U)
//       upsample                32 x 16 x 16                bilinear
//       up                      16 x 16 x 16                1x1 convolution
//     dec                   16 x 16 x 16                    two 3x3 convolutions
//     up                     8 x 32 x 32                    2x2 transposed convolution, stride 2
//   dec1     16 x 32 x 32 -> 8 x 32 x 32                    two 3x3 convolutions
//   outc     8 x 32 x 32 -> 3 x 32 x 32                     1x1 convolution: a logit per class and pixel
//
// Each pixel of the bottom level (8 x 8) sees a 32 x 32 window of the image, and each output pixel a 48 x 48 one
// (the receptive fields): a pixel's class can depend on the whole shape it belongs to, round or angular.

/// <summary>
/// A small U-Net for 32x32 grayscale images: per pixel, the logits of three classes (background, circle,
/// polygon). Two levels down by max pooling and back up, by a bilinear upsampling and a 1x1 convolution from the
/// bottom, by a transposed convolution to the full resolution, each joined to the features of its own level.
/// </summary>
[InputShape(1, 32, 32)]
[Sequential(typeof(DoubleConv8), Name = "inc")]                        //  8 x 32 x 32
[Concat(typeof(Level1), IncludeInput = true, Name = "level1")]         // 16 x 32 x 32: x and Level1(x)
[Sequential(typeof(DoubleConv8), Name = "dec1")]                       //  8 x 32 x 32
[Conv2D(Filters = 3, Kernel = 1, Name = "outc")]                       //  3 x 32 x 32
public partial class SegNet { }

/// <summary>One level down (16 x 16) and back up: 8 x 32 x 32 in and out.</summary>
[Block]
[MaxPool2D(Kernel = 2, Name = "pool")]                                 //  8 x 16 x 16
[Sequential(typeof(DoubleConv16), Name = "enc")]                       // 16 x 16 x 16
[Concat(typeof(Level2), IncludeInput = true, Name = "level2")]         // 32 x 16 x 16: x and Level2(x)
[Sequential(typeof(DoubleConv16), Name = "dec")]                       // 16 x 16 x 16
[ConvTranspose2D(Filters = 8, Kernel = 2, Stride = 2, Name = "up")]    //  8 x 32 x 32
public partial class Level1 { }

/// <summary>The bottom of the U (8 x 8) and back up, bilinearly: 16 x 16 x 16 in and out.</summary>
[Block]
[MaxPool2D(Kernel = 2, Name = "pool")]                                 // 16 x 8 x 8
[Sequential(typeof(DoubleConv32), Name = "enc")]                       // 32 x 8 x 8
[Upsample(Mode = "bilinear", Name = "upsample")]                       // 32 x 16 x 16
[Conv2D(Filters = 16, Kernel = 1, Name = "up")]                        // 16 x 16 x 16
public partial class Level2 { }

/// <summary>Two 3x3 convolutions to 8 channels, each with BatchNorm and ReLU (U-Net's "double conv").</summary>
[Block]
[Conv2D(Filters = 8, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu1")]
[Conv2D(Filters = 8, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
[ReLU(Name = "relu2")]
public partial class DoubleConv8 { }

/// <summary>Two 3x3 convolutions to 16 channels, each with BatchNorm and ReLU.</summary>
[Block]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu1")]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
[ReLU(Name = "relu2")]
public partial class DoubleConv16 { }

/// <summary>Two 3x3 convolutions to 32 channels, each with BatchNorm and ReLU.</summary>
[Block]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu1")]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
[ReLU(Name = "relu2")]
public partial class DoubleConv32 { }
