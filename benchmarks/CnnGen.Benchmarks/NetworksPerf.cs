using CnnGen;

namespace Benchmarks;

// The two CIFAR-size networks our performance targets name beside LeNet5, SmallCifar, M5 and UNetSmall, and two larger
// ones shaped as users bring them from torchvision (resnet18 and mobilenet_v2 exactly, on 96 x 96 images: the Unseen
// group), with PyTorch's weights and ONNX exports in fixtures/ (torch/networks_perf.py writes them). Their names are
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

/// <summary>
/// torchvision's resnet18 (He et al. 2016) with 10 classes, on a 3 x 96 x 96 input: a 7x7 stride-2 convolution of 64
/// without bias (padding 3), BatchNorm and ReLU at 48 x 48; a 3x3 stride-2 max pool with padding 1 (24 x 24); four
/// layers of two BasicBlocks each, 64 (stride 1, 24 x 24), 128, 256 and 512 channels (the first block of each stride
/// 2, with a 1x1 stride-2 convolution and BatchNorm as the shortcut, torchvision's downsample: 12 x 12, 6 x 6, and an
/// odd 3 x 3 at the last stage); a global average (AdaptiveAvgPool2d((1, 1))); a linear layer to 10 classes.
/// 666.216448 MFLOP (333,108,224 multiply-adds). Its ONNX export (BatchNorm folded into the convolutions) has 49 nodes
/// (20 Conv, 17 Relu, 8 Add, MaxPool, GlobalAveragePool, Flatten, Gemm).
/// </summary>
[InputShape(3, 96, 96)]
[Conv2D(Filters = 64, Kernel = 7, Stride = 2, Padding = 3, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[MaxPool2D(Kernel = 3, Stride = 2, Padding = 1, Name = "maxpool")]
[Sequential(typeof(ResNet18SmallLayer1), Name = "layer1")]
[Sequential(typeof(ResNet18SmallLayer2), Name = "layer2")]
[Sequential(typeof(ResNet18SmallLayer3), Name = "layer3")]
[Sequential(typeof(ResNet18SmallLayer4), Name = "layer4")]
[GlobalAvgPool2D(Name = "avgpool")]
[Flatten]
[Dense(Outputs = 10, Name = "fc")]
public partial class ResNet18Small { }

// Each layer: two BasicBlocks, each the residual named by its index and the ReLU after the addition. The ReLU between
// the two is named, as it would otherwise take its position, "1", the second block's name (it holds no tensors).

/// <summary>layer1: two BasicBlocks, 64 -> 64 at 24 x 24, their inputs as the shortcuts.</summary>
[Block]
[Residual(typeof(ResNet18SmallBasic64), Name = "0")]
[ReLU(Name = "relu0")]
[Residual(typeof(ResNet18SmallBasic64), Name = "1")]
[ReLU]
public partial class ResNet18SmallLayer1 { }

[Block]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class ResNet18SmallBasic64 { }

/// <summary>layer2: 64 -> 128, stride 2 (24 x 24 -> 12 x 12), a 1x1 stride-2 convolution and BatchNorm as the shortcut; then 128 -> 128.</summary>
[Block]
[Residual(typeof(ResNet18SmallBasic128S2), Shortcut = typeof(ResNet18SmallDown128), ShortcutName = "downsample", Name = "0")]
[ReLU(Name = "relu0")]
[Residual(typeof(ResNet18SmallBasic128), Name = "1")]
[ReLU]
public partial class ResNet18SmallLayer2 { }

[Block]
[Conv2D(Filters = 128, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 128, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class ResNet18SmallBasic128S2 { }

[Block]
[Conv2D(Filters = 128, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 128, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class ResNet18SmallBasic128 { }

[Block]
[Conv2D(Filters = 128, Kernel = 1, Stride = 2, Bias = false)]
[BatchNorm2D]
public partial class ResNet18SmallDown128 { }

/// <summary>layer3: 128 -> 256, stride 2 (12 x 12 -> 6 x 6), the same kind of shortcut; then 256 -> 256.</summary>
[Block]
[Residual(typeof(ResNet18SmallBasic256S2), Shortcut = typeof(ResNet18SmallDown256), ShortcutName = "downsample", Name = "0")]
[ReLU(Name = "relu0")]
[Residual(typeof(ResNet18SmallBasic256), Name = "1")]
[ReLU]
public partial class ResNet18SmallLayer3 { }

[Block]
[Conv2D(Filters = 256, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 256, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class ResNet18SmallBasic256S2 { }

[Block]
[Conv2D(Filters = 256, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 256, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class ResNet18SmallBasic256 { }

[Block]
[Conv2D(Filters = 256, Kernel = 1, Stride = 2, Bias = false)]
[BatchNorm2D]
public partial class ResNet18SmallDown256 { }

/// <summary>layer4: 256 -> 512, stride 2 (6 x 6 -> 3 x 3), the same kind of shortcut; then 512 -> 512 at 3 x 3.</summary>
[Block]
[Residual(typeof(ResNet18SmallBasic512S2), Shortcut = typeof(ResNet18SmallDown512), ShortcutName = "downsample", Name = "0")]
[ReLU(Name = "relu0")]
[Residual(typeof(ResNet18SmallBasic512), Name = "1")]
[ReLU]
public partial class ResNet18SmallLayer4 { }

[Block]
[Conv2D(Filters = 512, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 512, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class ResNet18SmallBasic512S2 { }

[Block]
[Conv2D(Filters = 512, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 512, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class ResNet18SmallBasic512 { }

[Block]
[Conv2D(Filters = 512, Kernel = 1, Stride = 2, Bias = false)]
[BatchNorm2D]
public partial class ResNet18SmallDown512 { }

/// <summary>
/// torchvision's mobilenet_v2 (Sandler et al. 2018, width 1.0) with 10 classes, on a 3 x 96 x 96 input: a 3x3 stride-2
/// stem of 32 with BatchNorm and ReLU6 (48 x 48); inverted residuals (t, c, n, s) = (1, 16, 1, 1), (6, 24, 2, 2),
/// (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1), i.e. features.1 to .17 (expand 1x1
/// conv-BN-ReLU6, depthwise 3x3 conv-BN-ReLU6 of stride 1 or 2, project 1x1 conv-BN; the input added where the shape
/// is kept: 10 additions), maps 48, 24, 12, 6 and 3 x 3; a 1x1 conv-BN-ReLU6 to 1280; a global average, dropout
/// (the identity at inference) and a linear layer to 10 classes.
/// 110.043904 MFLOP (55,021,952 multiply-adds). Its ONNX export (BatchNorm folded into the convolutions) has 100 nodes
/// that compute (52 Conv, 35 Clip, 10 Add, GlobalAveragePool, Flatten, Gemm) and 70 Constant nodes, each Clip's 0 and 6.
/// </summary>
[InputShape(3, 96, 96)]
[Sequential(typeof(MobileNetV2SmallFeatures), Name = "features")]
[GlobalAvgPool2D]
[Flatten]
[Sequential(typeof(MobileNetV2SmallClassifier), Name = "classifier")]
public partial class MobileNetV2Small { }

/// <summary>torchvision's features: the stem, the 17 inverted residuals (10 of them with the addition), the last 1x1 convolution, named by position.</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallStem))]
[Sequential(typeof(MobileNetV2SmallIr16))]
[Sequential(typeof(MobileNetV2SmallIr24S2))]
[Residual(typeof(MobileNetV2SmallIr24))]
[Sequential(typeof(MobileNetV2SmallIr32S2))]
[Residual(typeof(MobileNetV2SmallIr32))]
[Residual(typeof(MobileNetV2SmallIr32))]
[Sequential(typeof(MobileNetV2SmallIr64S2))]
[Residual(typeof(MobileNetV2SmallIr64))]
[Residual(typeof(MobileNetV2SmallIr64))]
[Residual(typeof(MobileNetV2SmallIr64))]
[Sequential(typeof(MobileNetV2SmallIr96From64))]
[Residual(typeof(MobileNetV2SmallIr96))]
[Residual(typeof(MobileNetV2SmallIr96))]
[Sequential(typeof(MobileNetV2SmallIr160S2))]
[Residual(typeof(MobileNetV2SmallIr160))]
[Residual(typeof(MobileNetV2SmallIr160))]
[Sequential(typeof(MobileNetV2SmallIr320))]
[Sequential(typeof(MobileNetV2SmallLast))]
public partial class MobileNetV2SmallFeatures { }

/// <summary>features.0: the stem, a 3x3 stride-2 convolution of 32 (96 x 96 -> 48 x 48), BatchNorm, ReLU6.</summary>
[Block]
[Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallStem { }

/// <summary>features.1, expansion 1: depthwise 3x3 of 32, then the projection to 16 (torchvision's conv.0, conv.1, conv.2), at 48 x 48.</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr16Conv), Name = "conv")]
public partial class MobileNetV2SmallIr16 { }

[Block]
[Sequential(typeof(MobileNetV2SmallDw32))]
[Conv2D(Filters = 16, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr16Conv { }

/// <summary>features.2: 16 -> 96 -> depthwise stride 2 -> 24 (48 x 48 -> 24 x 24).</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr24S2Conv), Name = "conv")]
public partial class MobileNetV2SmallIr24S2 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand96))]
[Sequential(typeof(MobileNetV2SmallDw96S2))]
[Conv2D(Filters = 24, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr24S2Conv { }

/// <summary>features.3: 24 -> 144 -> depthwise -> 24, plus the input.</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr24Conv), Name = "conv")]
public partial class MobileNetV2SmallIr24 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand144))]
[Sequential(typeof(MobileNetV2SmallDw144))]
[Conv2D(Filters = 24, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr24Conv { }

/// <summary>features.4: 24 -> 144 -> depthwise stride 2 -> 32 (24 x 24 -> 12 x 12).</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr32S2Conv), Name = "conv")]
public partial class MobileNetV2SmallIr32S2 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand144))]
[Sequential(typeof(MobileNetV2SmallDw144S2))]
[Conv2D(Filters = 32, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr32S2Conv { }

/// <summary>features.5 and .6: 32 -> 192 -> depthwise -> 32, plus the input.</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr32Conv), Name = "conv")]
public partial class MobileNetV2SmallIr32 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand192))]
[Sequential(typeof(MobileNetV2SmallDw192))]
[Conv2D(Filters = 32, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr32Conv { }

/// <summary>features.7: 32 -> 192 -> depthwise stride 2 -> 64 (12 x 12 -> 6 x 6).</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr64S2Conv), Name = "conv")]
public partial class MobileNetV2SmallIr64S2 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand192))]
[Sequential(typeof(MobileNetV2SmallDw192S2))]
[Conv2D(Filters = 64, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr64S2Conv { }

/// <summary>features.8 to .10: 64 -> 384 -> depthwise -> 64, plus the input.</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr64Conv), Name = "conv")]
public partial class MobileNetV2SmallIr64 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand384))]
[Sequential(typeof(MobileNetV2SmallDw384))]
[Conv2D(Filters = 64, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr64Conv { }

/// <summary>features.11: 64 -> 384 -> depthwise -> 96 (stride 1, but the channels change: no addition).</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr96From64Conv), Name = "conv")]
public partial class MobileNetV2SmallIr96From64 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand384))]
[Sequential(typeof(MobileNetV2SmallDw384))]
[Conv2D(Filters = 96, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr96From64Conv { }

/// <summary>features.12 and .13: 96 -> 576 -> depthwise -> 96, plus the input.</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr96Conv), Name = "conv")]
public partial class MobileNetV2SmallIr96 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand576))]
[Sequential(typeof(MobileNetV2SmallDw576))]
[Conv2D(Filters = 96, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr96Conv { }

/// <summary>features.14: 96 -> 576 -> depthwise stride 2 -> 160 (6 x 6 -> 3 x 3).</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr160S2Conv), Name = "conv")]
public partial class MobileNetV2SmallIr160S2 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand576))]
[Sequential(typeof(MobileNetV2SmallDw576S2))]
[Conv2D(Filters = 160, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr160S2Conv { }

/// <summary>features.15 and .16: 160 -> 960 -> depthwise -> 160, plus the input, at 3 x 3.</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr160Conv), Name = "conv")]
public partial class MobileNetV2SmallIr160 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand960))]
[Sequential(typeof(MobileNetV2SmallDw960))]
[Conv2D(Filters = 160, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr160Conv { }

/// <summary>features.17: 160 -> 960 -> depthwise -> 320 (no addition).</summary>
[Block]
[Sequential(typeof(MobileNetV2SmallIr320Conv), Name = "conv")]
public partial class MobileNetV2SmallIr320 { }

[Block]
[Sequential(typeof(MobileNetV2SmallExpand960))]
[Sequential(typeof(MobileNetV2SmallDw960))]
[Conv2D(Filters = 320, Kernel = 1, Bias = false)]
[BatchNorm2D]
public partial class MobileNetV2SmallIr320Conv { }

/// <summary>features.18: the last 1x1 convolution, 320 -> 1280, BatchNorm, ReLU6.</summary>
[Block]
[Conv2D(Filters = 1280, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallLast { }

[Block]
[Conv2D(Filters = 96, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallExpand96 { }

[Block]
[Conv2D(Filters = 144, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallExpand144 { }

[Block]
[Conv2D(Filters = 192, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallExpand192 { }

[Block]
[Conv2D(Filters = 384, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallExpand384 { }

[Block]
[Conv2D(Filters = 576, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallExpand576 { }

[Block]
[Conv2D(Filters = 960, Kernel = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallExpand960 { }

[Block]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Groups = 32, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallDw32 { }

[Block]
[Conv2D(Filters = 96, Kernel = 3, Stride = 2, Padding = 1, Groups = 96, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallDw96S2 { }

[Block]
[Conv2D(Filters = 144, Kernel = 3, Padding = 1, Groups = 144, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallDw144 { }

[Block]
[Conv2D(Filters = 144, Kernel = 3, Stride = 2, Padding = 1, Groups = 144, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallDw144S2 { }

[Block]
[Conv2D(Filters = 192, Kernel = 3, Padding = 1, Groups = 192, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallDw192 { }

[Block]
[Conv2D(Filters = 192, Kernel = 3, Stride = 2, Padding = 1, Groups = 192, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallDw192S2 { }

[Block]
[Conv2D(Filters = 384, Kernel = 3, Padding = 1, Groups = 384, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallDw384 { }

[Block]
[Conv2D(Filters = 576, Kernel = 3, Padding = 1, Groups = 576, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallDw576 { }

[Block]
[Conv2D(Filters = 576, Kernel = 3, Stride = 2, Padding = 1, Groups = 576, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallDw576S2 { }

[Block]
[Conv2D(Filters = 960, Kernel = 3, Padding = 1, Groups = 960, Bias = false)]
[BatchNorm2D]
[ReLU6]
public partial class MobileNetV2SmallDw960 { }

[Block]
[Dropout(P = 0.2f)]
[Dense(Outputs = 10)]
public partial class MobileNetV2SmallClassifier { }

/// <summary>
/// torchvision's resnet18 as it builds it by default: ResNet18Small's layers on a 3 x 224 x 224 input (maps 112, 56, 28,
/// 14 and 7) and a linear layer to ImageNet's 1000 classes (2 MB of weights).
/// </summary>
[InputShape(3, 224, 224)]
[Conv2D(Filters = 64, Kernel = 7, Stride = 2, Padding = 3, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[MaxPool2D(Kernel = 3, Stride = 2, Padding = 1, Name = "maxpool")]
[Sequential(typeof(ResNet18SmallLayer1), Name = "layer1")]
[Sequential(typeof(ResNet18SmallLayer2), Name = "layer2")]
[Sequential(typeof(ResNet18SmallLayer3), Name = "layer3")]
[Sequential(typeof(ResNet18SmallLayer4), Name = "layer4")]
[GlobalAvgPool2D(Name = "avgpool")]
[Flatten]
[Dense(Outputs = 1000, Name = "fc")]
public partial class ResNet18At224 { }

/// <summary>
/// torchvision's mobilenet_v2 as it builds it by default: MobileNetV2Small's features on a 3 x 224 x 224 input (maps
/// 112, 56, 28, 14 and 7) and a linear layer from 1280 features to ImageNet's 1000 classes (5 MB of weights).
/// </summary>
[InputShape(3, 224, 224)]
[Sequential(typeof(MobileNetV2SmallFeatures), Name = "features")]
[GlobalAvgPool2D]
[Flatten]
[Sequential(typeof(MobileNetV2At224Classifier), Name = "classifier")]
public partial class MobileNetV2At224 { }

[Block]
[Dropout(P = 0.2f)]
[Dense(Outputs = 1000)]
public partial class MobileNetV2At224Classifier { }
