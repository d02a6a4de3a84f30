using CnnGen;

namespace FashionResNet;

// The network train.py trains (model.py's FashionNet), block for block. A [Block] class is not a network
// by itself: its layers are used where [Sequential] or [Residual] names it. State_dict keys follow the
// names: "layer2.0.conv1.weight" is conv1 of the residual block "0" of layer2, "layer2.0.downsample.0.weight"
// the first layer of that block's shortcut.

/// <summary>A small ResNet for 28x28 Fashion-MNIST: a stem, three residual stages, global average pooling and a linear classifier.</summary>
[InputShape(1, 28, 28)]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Sequential(typeof(Stage1), Name = "layer1")]   // 16 x 28 x 28
[Sequential(typeof(Stage2), Name = "layer2")]   // 32 x 14 x 14
[Sequential(typeof(Stage3), Name = "layer3")]   // 64 x 7 x 7
[GlobalAvgPool2D(Name = "avgpool")]
[Flatten(Name = "flatten")]
[Dense(Outputs = 10, Name = "fc")]
public partial class FashionNet { }

/// <summary>Stage 1: Basic16(x) + x, then ReLU. 16 x 28 x 28 in and out.</summary>
[Block]
[Residual(typeof(Basic16), Name = "0")]
[ReLU(Name = "relu0")]
public partial class Stage1 { }

/// <summary>The body of stage 1's residual block: two 3x3 convolutions of 16 filters, each with BatchNorm.</summary>
[Block]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 16, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class Basic16 { }

/// <summary>Stage 2: Basic32(x) + Down32(x), then ReLU. 16 x 28 x 28 in, 32 x 14 x 14 out.</summary>
[Block]
[Residual(typeof(Basic32), Shortcut = typeof(Down32), ShortcutName = "downsample", Name = "0")]
[ReLU(Name = "relu0")]
public partial class Stage2 { }

/// <summary>The body of stage 2's residual block: a 3x3 stride-2 convolution to 32 filters, then a 3x3 one, each with BatchNorm.</summary>
[Block]
[Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class Basic32 { }

/// <summary>Stage 2's shortcut: a 1x1 stride-2 projection to 32 channels and BatchNorm (children "0" and "1").</summary>
[Block]
[Conv2D(Filters = 32, Kernel = 1, Stride = 2, Bias = false)]
[BatchNorm2D]
public partial class Down32 { }

/// <summary>Stage 3: Basic64(x) + Down64(x), then ReLU. 32 x 14 x 14 in, 64 x 7 x 7 out.</summary>
[Block]
[Residual(typeof(Basic64), Shortcut = typeof(Down64), ShortcutName = "downsample", Name = "0")]
[ReLU(Name = "relu0")]
public partial class Stage3 { }

/// <summary>The body of stage 3's residual block: a 3x3 stride-2 convolution to 64 filters, then a 3x3 one, each with BatchNorm.</summary>
[Block]
[Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv2D(Filters = 64, Kernel = 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2D(Name = "bn2")]
public partial class Basic64 { }

/// <summary>Stage 3's shortcut: a 1x1 stride-2 projection to 64 channels and BatchNorm (children "0" and "1").</summary>
[Block]
[Conv2D(Filters = 64, Kernel = 1, Stride = 2, Bias = false)]
[BatchNorm2D]
public partial class Down64 { }
