using CnnGen;

namespace Benchmarks;

/// <summary>A MobileNet-style depthwise-separable block: a 3x3 conv per channel, then a 1x1 conv mixing them.</summary>
[InputShape(32, 32, 32)]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Groups = 32)]
[ReLU]
[Conv2D(Filters = 64, Kernel = 1)]
[ReLU]
public partial class DepthwiseSeparable { }

/// <summary>A 1D convolution: 32 channels to 32 over a length of 1024 with 9 taps, 9.4 million multiply-adds.</summary>
[InputShape(32, 1024)]
[Conv1D(Filters = 32, Kernel = 9, Padding = 4)]
[ReLU]
public partial class Conv1DRate { }

/// <summary>Its 2D twin: the same channels, kernel area (3 x 3) and output count (32 x 32), so the same multiply-adds.</summary>
[InputShape(32, 32, 32)]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1)]
[ReLU]
public partial class Conv2DRate { }

/// <summary>
/// ResNet-18's last stage on 96 x 96 (its 3 x 3 maps) without the shortcuts: 33 MB of weights for 58 million
/// multiply-adds, 9 a weight, so the pass streams its weights from memory and times that stream.
/// </summary>
[InputShape(256, 6, 6)]
[Conv2D(Filters = 512, Kernel = 3, Stride = 2, Padding = 1)]
[ReLU]
[Conv2D(Filters = 512, Kernel = 3, Padding = 1)]
[ReLU]
[Conv2D(Filters = 512, Kernel = 3, Padding = 1)]
[ReLU]
[Conv2D(Filters = 512, Kernel = 3, Padding = 1)]
[ReLU]
public partial class WeightStream { }

/// <summary>
/// Two Dense layers of 16 MiB each (4096 -> 1024 -> 4096, a ReLU between): 32 MiB of weights a call, more than L3
/// keeps, so the pass times the Dense kernel's stream from memory; the first layer reads every input, the second the
/// ReLU's nonzero half.
/// </summary>
[InputShape(4096, 1, 1)]
[Flatten]
[Dense(Outputs = 1024)]
[ReLU]
[Dense(Outputs = 4096)]
public partial class DenseStream { }
