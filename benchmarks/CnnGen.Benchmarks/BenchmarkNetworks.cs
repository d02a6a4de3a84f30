using CnnGen;

namespace Benchmarks;

/// <summary>A MobileNet-style depthwise-separable block: a 3x3 conv per channel, then a 1x1 conv mixing them.</summary>
[InputShape(32, 32, 32)]
[Conv2D(Filters = 32, Kernel = 3, Padding = 1, Groups = 32)]
[ReLU]
[Conv2D(Filters = 64, Kernel = 1)]
[ReLU]
public partial class DepthwiseSeparable { }
