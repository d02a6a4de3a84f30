using CnnGen;

namespace SignalClassifier;

// The network train.py trains (model.py's EcgNet, which is this class's TorchSource), block for block. A
// [Block] class is not a network by itself: its layers are used where [Sequential] or [Residual] names it.
// State_dict keys follow the names: "layer2.0.conv1.weight" is conv1 of the residual block "0" of layer2,
// "layer2.0.downsample.0.weight" the first layer of that block's shortcut.
//
// Lengths, for a strip of 1000 samples (4 s at 250 Hz): 500 after conv1, 250 after pool1 (a position every
// 16 ms), 125 after pool2, 63 after layer2 (every 64 ms). Each of the 63 positions that the average pooling
// averages sees 565 samples (2.26 s) of the strip: two or three heartbeats, enough to compare RR intervals.

/// <summary>
/// A small M5-style 1D ResNet for single-lead ECG rhythm strips (1 x 1000): a strided stem, three residual
/// stages (dilated, strided with a projection shortcut, causal and dilated), global average pooling, a linear
/// classifier to six rhythms, and LogSoftmax.
/// </summary>
[InputShape(1, 1000)]
[Conv1D(Filters = 16, Kernel = 15, Stride = 2, Padding = 7, Bias = false, Name = "conv1")]   // 16 x 500
[BatchNorm1D(Name = "bn1")]
[ReLU(Name = "relu")]
[MaxPool1D(Kernel = 2, Name = "pool1")]                                                       // 16 x 250
[Sequential(typeof(Stage1), Name = "layer1")]                                                 // 16 x 250
[MaxPool1D(Kernel = 2, Name = "pool2")]                                                       // 16 x 125
[Sequential(typeof(Stage2), Name = "layer2")]                                                 // 32 x 63
[Sequential(typeof(Stage3), Name = "layer3")]                                                 // 32 x 63
[GlobalAvgPool1D(Name = "avgpool")]                                                           // 32 x 1
[Flatten(Name = "flatten")]                                                                   // 32
[Dense(Outputs = 6, Name = "fc")]                                                             // 6
[LogSoftmax(Name = "logsoftmax")]                                                             // log-probabilities
public partial class EcgNet { }

/// <summary>Stage 1: Dilated16(x) + x, then ReLU. 16 x 250 in and out.</summary>
[Block]
[Residual(typeof(Dilated16), Name = "0")]
[ReLU(Name = "relu0")]
public partial class Stage1 { }

/// <summary>The body of stage 1's residual block: two convolutions of kernel 5 and dilation 2 (9 positions, 144 ms wide), each with BatchNorm.</summary>
[Block]
[Conv1D(Filters = 16, Kernel = 5, Dilation = 2, Padding = 4, Bias = false, Name = "conv1")]
[BatchNorm1D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv1D(Filters = 16, Kernel = 5, Dilation = 2, Padding = 4, Bias = false, Name = "conv2")]
[BatchNorm1D(Name = "bn2")]
public partial class Dilated16 { }

/// <summary>Stage 2: Strided32(x) + Down32(x), then ReLU. 16 x 125 in, 32 x 63 out.</summary>
[Block]
[Residual(typeof(Strided32), Shortcut = typeof(Down32), ShortcutName = "downsample", Name = "0")]
[ReLU(Name = "relu0")]
public partial class Stage2 { }

/// <summary>The body of stage 2's residual block: a stride-2 convolution to 32 filters, then another, kernel 5, each with BatchNorm.</summary>
[Block]
[Conv1D(Filters = 32, Kernel = 5, Stride = 2, Padding = 2, Bias = false, Name = "conv1")]
[BatchNorm1D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv1D(Filters = 32, Kernel = 5, Padding = 2, Bias = false, Name = "conv2")]
[BatchNorm1D(Name = "bn2")]
public partial class Strided32 { }

/// <summary>Stage 2's shortcut: a 1-wide stride-2 projection to 32 channels and BatchNorm (children "0" and "1").</summary>
[Block]
[Conv1D(Filters = 32, Kernel = 1, Stride = 2, Bias = false)]
[BatchNorm1D]
public partial class Down32 { }

/// <summary>Stage 3: Causal32(x) + x, then ReLU. 32 x 63 in and out.</summary>
[Block]
[Residual(typeof(Causal32), Name = "0")]
[ReLU(Name = "relu0")]
public partial class Stage3 { }

/// <summary>
/// The body of stage 3's residual block, as a temporal convolutional network's (TCN): two causal convolutions
/// of kernel 3, dilations 4 and 8, each padded on the left only by (Kernel - 1) * Dilation, so that position t
/// sees positions t - 24 ... t (1.5 s back) and nothing after it; each with BatchNorm.
/// </summary>
[Block]
[Conv1D(Filters = 32, Kernel = 3, Dilation = 4, PadLeft = 8, Bias = false, Name = "conv1")]
[BatchNorm1D(Name = "bn1")]
[ReLU(Name = "relu")]
[Conv1D(Filters = 32, Kernel = 3, Dilation = 8, PadLeft = 16, Bias = false, Name = "conv2")]
[BatchNorm1D(Name = "bn2")]
public partial class Causal32 { }
