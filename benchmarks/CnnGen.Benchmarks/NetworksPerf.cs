using CnnGen;

namespace Benchmarks;

// The two CIFAR-size networks our performance targets name beside LeNet5, SmallCifar, M5 and UNetSmall, with
// PyTorch's weights and ONNX exports in fixtures/ (torch/networks_perf.py writes them). Their names are
// torchvision's, so the generated TorchSource's state_dict keys are those of torchvision's ResNet and MobileNetV2.

/// <summary>
/// A ResNet-8 for CIFAR (He et al. 2016, torchvision's BasicBlock): a 3x3 convolution of 16 without bias, BatchNorm and
/// ReLU at 32 x 32; three layers of one BasicBlock each, 16 -> 16 (stride 1), 16 -> 32 and 32 -> 64 (stride 2, with a
/// 1x1 stride-2 convolution and BatchNorm as the shortcut, torchvision's downsample); a global average; a linear layer
/// to 10 classes. Maps [16, 32, 32] -> [32, 16, 16] -> [64, 8, 8]. 25.0 MFLOP (12.5 million multiply-adds).
/// </summary>
[InputShape(3, 32, 32)]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Sequential(typeof(ResNet8CifarLayer1), Name = "layer1")]
[Sequential(typeof(ResNet8CifarLayer2), Name = "layer2")]
[Sequential(typeof(ResNet8CifarLayer3), Name = "layer3")]
[GlobalAvgPool2D(Name = "avgpool")]
[Flatten]
[Dense(Outputs = 10, Name = "fc")]
public partial class ResNet8Cifar { }

/// <summary>layer1: one BasicBlock, 16 -> 16 at 32 x 32, its input as the shortcut; the ReLU after the addition.</summary>
[Block]
[Residual(typeof(ResNet8CifarBasic16), Name = "0")]
[ReLU]
public partial class ResNet8CifarLayer1 { }

[Block]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class ResNet8CifarBasic16 { }

/// <summary>layer2: one BasicBlock, 16 -> 32, stride 2 (32 x 32 -> 16 x 16), a 1x1 stride-2 convolution and BatchNorm as the shortcut.</summary>
[Block]
[Residual(typeof(ResNet8CifarBasic32), Shortcut = typeof(ResNet8CifarDown32), ShortcutName = "downsample", Name = "0")]
[ReLU]
public partial class ResNet8CifarLayer2 { }

[Block]
[Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class ResNet8CifarBasic32 { }

[Block]
[Conv2D(Filters = 32, Kernel = 1, Stride = 2, Bias = false)]
[BatchNorm2D]
public partial class ResNet8CifarDown32 { }

/// <summary>layer3: one BasicBlock, 32 -> 64, stride 2 (16 x 16 -> 8 x 8), the same kind of shortcut.</summary>
[Block]
[Residual(typeof(ResNet8CifarBasic64), Shortcut = typeof(ResNet8CifarDown64), ShortcutName = "downsample", Name = "0")]
[ReLU]
public partial class ResNet8CifarLayer3 { }

[Block]
[Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class ResNet8CifarBasic64 { }

[Block]
[Conv2D(Filters = 64, Kernel = 1, Stride = 2, Bias = false)]
[BatchNorm2D]
public partial class ResNet8CifarDown64 { }

/// <summary>
/// A small MobileNetV2 (Sandler et al. 2018, torchvision's InvertedResidual and names) for 32 x 32 images: a 3x3
/// stride-2 stem of 16 with BatchNorm and ReLU6 (16 x 16); inverted residuals (t, c, n, s) = (1, 8, 1, 1), (3, 16,
/// 2, 2), (3, 24, 2, 2), (3, 32, 3, 1), i.e. features.1 to .8: 16 -> 8 (no expansion), 8 -> 16 stride 2 (8 x 8),
/// 16 -> 16 + x, 16 -> 24 stride 2 (4 x 4), 24 -> 24 + x, 24 -> 32, 32 -> 32 + x twice (expand 1x1 conv-BN-ReLU6,
/// depthwise 3x3 conv-BN-ReLU6 of stride 1 or 2, project 1x1 conv-BN; the input added where the shape is kept: 4
/// additions); a 1x1 conv-BN-ReLU6 to 128; a global average, dropout and a linear layer to 10 classes.
/// 1.80 MFLOP (0.90 million multiply-adds). Its ONNX export (BatchNorm folded into the convolutions) has 49 nodes
/// that compute (25 Conv, 17 Clip, 4 Add, GlobalAveragePool, Flatten, Gemm) and 34 Constant nodes, each Clip's 0 and 6.
/// </summary>
[InputShape(3, 32, 32)]
[Sequential(typeof(MobileNetV2CifarFeatures), Name = "features")]
[GlobalAvgPool2D]
[Flatten]
[Sequential(typeof(MobileNetV2CifarClassifier), Name = "classifier")]
public partial class MobileNetV2Cifar { }

/// <summary>torchvision's features: the stem, the inverted residuals, the last 1x1 convolution, named by position.</summary>
[Block]
[Sequential(typeof(MobileNetV2CifarStem))]
[Sequential(typeof(MobileNetV2CifarIr8))]
[Sequential(typeof(MobileNetV2CifarIr16S2))]
[Residual(typeof(MobileNetV2CifarIr16))]
[Sequential(typeof(MobileNetV2CifarIr24S2))]
[Residual(typeof(MobileNetV2CifarIr24))]
[Sequential(typeof(MobileNetV2CifarIr32From24))]
[Residual(typeof(MobileNetV2CifarIr32))]
[Residual(typeof(MobileNetV2CifarIr32))]
[Sequential(typeof(MobileNetV2CifarLast))]
public partial class MobileNetV2CifarFeatures { }

[Block]
[Conv2D(Filters = 16, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarStem { }

/// <summary>features.1, expansion 1: depthwise 3x3 of 16, then the projection to 8 (torchvision's conv.0, conv.1, conv.2).</summary>
[Block]
[Sequential(typeof(MobileNetV2CifarIr8Conv), Name = "conv")]
public partial class MobileNetV2CifarIr8 { }

[Block]
[Sequential(typeof(MobileNetV2CifarDw16))]
[Conv2D(Filters = 8, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2CifarIr8Conv { }

/// <summary>features.2: 8 -> 24 -> depthwise stride 2 -> 16.</summary>
[Block]
[Sequential(typeof(MobileNetV2CifarIr16S2Conv), Name = "conv")]
public partial class MobileNetV2CifarIr16S2 { }

[Block]
[Sequential(typeof(MobileNetV2CifarExpand24))]
[Sequential(typeof(MobileNetV2CifarDw24S2))]
[Conv2D(Filters = 16, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2CifarIr16S2Conv { }

/// <summary>features.3: 16 -> 48 -> depthwise -> 16, plus the input.</summary>
[Block]
[Sequential(typeof(MobileNetV2CifarIr16Conv), Name = "conv")]
public partial class MobileNetV2CifarIr16 { }

[Block]
[Sequential(typeof(MobileNetV2CifarExpand48))]
[Sequential(typeof(MobileNetV2CifarDw48))]
[Conv2D(Filters = 16, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2CifarIr16Conv { }

/// <summary>features.4: 16 -> 48 -> depthwise stride 2 -> 24.</summary>
[Block]
[Sequential(typeof(MobileNetV2CifarIr24S2Conv), Name = "conv")]
public partial class MobileNetV2CifarIr24S2 { }

[Block]
[Sequential(typeof(MobileNetV2CifarExpand48))]
[Sequential(typeof(MobileNetV2CifarDw48S2))]
[Conv2D(Filters = 24, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2CifarIr24S2Conv { }

/// <summary>features.5: 24 -> 72 -> depthwise -> 24, plus the input.</summary>
[Block]
[Sequential(typeof(MobileNetV2CifarIr24Conv), Name = "conv")]
public partial class MobileNetV2CifarIr24 { }

[Block]
[Sequential(typeof(MobileNetV2CifarExpand72))]
[Sequential(typeof(MobileNetV2CifarDw72))]
[Conv2D(Filters = 24, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2CifarIr24Conv { }

/// <summary>features.6: 24 -> 72 -> depthwise -> 32 (stride 1, but the channels change: no addition).</summary>
[Block]
[Sequential(typeof(MobileNetV2CifarIr32From24Conv), Name = "conv")]
public partial class MobileNetV2CifarIr32From24 { }

[Block]
[Sequential(typeof(MobileNetV2CifarExpand72))]
[Sequential(typeof(MobileNetV2CifarDw72))]
[Conv2D(Filters = 32, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2CifarIr32From24Conv { }

/// <summary>features.7 and .8: 32 -> 96 -> depthwise -> 32, plus the input.</summary>
[Block]
[Sequential(typeof(MobileNetV2CifarIr32Conv), Name = "conv")]
public partial class MobileNetV2CifarIr32 { }

[Block]
[Sequential(typeof(MobileNetV2CifarExpand96))]
[Sequential(typeof(MobileNetV2CifarDw96))]
[Conv2D(Filters = 32, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2CifarIr32Conv { }

/// <summary>features.9: the last 1x1 convolution, 32 -> 128, BatchNorm, ReLU6.</summary>
[Block]
[Conv2D(Filters = 128, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarLast { }

[Block]
[Conv2D(Filters = 24, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarExpand24 { }

[Block]
[Conv2D(Filters = 48, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarExpand48 { }

[Block]
[Conv2D(Filters = 72, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarExpand72 { }

[Block]
[Conv2D(Filters = 96, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarExpand96 { }

[Block]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Groups = 16, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarDw16 { }

[Block]
[Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1, Groups = 24, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarDw24S2 { }

[Block]
[Conv2D(Filters = 48, Kernel = 3, Padding = 1, Groups = 48, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarDw48 { }

[Block]
[Conv2D(Filters = 48, Kernel = 3, Stride = 2, Padding = 1, Groups = 48, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarDw48S2 { }

[Block]
[Conv2D(Filters = 72, Kernel = 3, Padding = 1, Groups = 72, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarDw72 { }

[Block]
[Conv2D(Filters = 96, Kernel = 3, Padding = 1, Groups = 96, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2CifarDw96 { }

[Block]
[Dropout(P = 0.2f)]
[Dense(Outputs = 10)]
public partial class MobileNetV2CifarClassifier { }
