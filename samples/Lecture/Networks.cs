using CnnGen;

namespace Lecture;

// Each class is one network of the lecture. The attributes describe it; the CnnGen generator fills
// in the rest of the partial class (constants, LoadParameters, Forward, Spec) at compile time.

/// <summary>Step 1: a 4x4 image and a 2x2 kernel, no padding: 3x3 out.</summary>
[InputShape(1, 4, 4)]
[Conv2D(Filters = 1, Kernel = 2)]
public partial class SmallConv { }

/// <summary>Step 1: the same, with one ring of zeros around the image: 5x5 out.</summary>
[InputShape(1, 4, 4)]
[Conv2D(Filters = 1, Kernel = 2, Padding = 1)]
public partial class SmallConvPadded { }

/// <summary>Step 1: padding on two sides only (bottom and right): the output keeps the input's 4x4 size.</summary>
[InputShape(1, 4, 4)]
[Conv2D(Filters = 1, Kernel = 2, PadBottom = 1, PadRight = 1)]
public partial class SmallConvSame { }

/// <summary>Step 2: the worked 5x5 example with a 3x3 kernel, stride 1.</summary>
[InputShape(1, 5, 5)]
[Conv2D(Filters = 1, Kernel = 3, Stride = 1)]
public partial class WorkedStride1 { }

/// <summary>Step 2: the same example with stride 2.</summary>
[InputShape(1, 5, 5)]
[Conv2D(Filters = 1, Kernel = 3, Stride = 2)]
public partial class WorkedStride2 { }

/// <summary>Step 3: a 3-channel 5x5 image and two 3x3x3 filters: 2 output channels of 3x3.</summary>
[InputShape(3, 5, 5)]
[Conv2D(Filters = 2, Kernel = 3)]
public partial class ColorConv { }

/// <summary>Step 4: 2x2 max pooling, stride 2.</summary>
[InputShape(1, 4, 4)]
[MaxPool2D(Kernel = 2, Stride = 2)]
public partial class MaxPool { }

/// <summary>Step 4: 2x2 mean pooling, stride 2.</summary>
[InputShape(1, 4, 4)]
[AvgPool2D(Kernel = 2, Stride = 2)]
public partial class MeanPool { }

/// <summary>Step 4: 2x2 min pooling, stride 2.</summary>
[InputShape(1, 4, 4)]
[MinPool2D(Kernel = 2, Stride = 2)]
public partial class MinPool { }
