using CnnGen;

namespace Benchmarks;

// Two realistic 1D networks, with PyTorch's weights and ONNX exports in fixtures/ (torch/networks_1d.py writes them).

/// <summary>
/// M5 (Dai et al. 2017, "Very deep convolutional neural networks for raw waveforms"), as torchaudio's speech-command
/// tutorial has it: one second of 8 kHz audio, a wide strided first convolution (80 taps, stride 16), three 3-tap ones,
/// each with BatchNorm, ReLU and a 4-wide max pool; a global average and a linear layer to 35 keywords.
/// Lengths 8000 -> 496 -> 124 -> 122 -> 30 -> 28 -> 7 -> 5 -> 1.
/// </summary>
[InputShape(1, 8000)]
[Conv1D(Filters = 32, Kernel = 80, Stride = 16, Name = "conv1")]
[BatchNorm1D(Name = "bn1")]
[ReLU]
[MaxPool1D(Kernel = 4, Name = "pool1")]
[Conv1D(Filters = 32, Kernel = 3, Name = "conv2")]
[BatchNorm1D(Name = "bn2")]
[ReLU]
[MaxPool1D(Kernel = 4, Name = "pool2")]
[Conv1D(Filters = 64, Kernel = 3, Name = "conv3")]
[BatchNorm1D(Name = "bn3")]
[ReLU]
[MaxPool1D(Kernel = 4, Name = "pool3")]
[Conv1D(Filters = 64, Kernel = 3, Name = "conv4")]
[BatchNorm1D(Name = "bn4")]
[ReLU]
[MaxPool1D(Kernel = 4, Name = "pool4")]
[GlobalAvgPool1D]
[Flatten]
[Dense(Outputs = 35, Name = "fc1")]
[LogSoftmax]
public partial class M5 { }

/// <summary>
/// A temporal convolution network (Bai et al. 2018) on 16 sensor channels x 1024 steps: four residual blocks of two
/// causal 3-tap convolutions of 64 filters with dilations 1, 2, 4, 8 (so the output at t sees the last 61 steps only),
/// a 1x1 convolution on the first block's shortcut (16 channels to 64), a ReLU after each sum; global average, 10 classes.
/// </summary>
[InputShape(16, 1024)]
[Residual(typeof(TcnBlock1), Shortcut = typeof(TcnDownsample), ShortcutName = "downsample", Name = "block1")]
[ReLU]
[Residual(typeof(TcnBlock2), Name = "block2")]
[ReLU]
[Residual(typeof(TcnBlock4), Name = "block3")]
[ReLU]
[Residual(typeof(TcnBlock8), Name = "block4")]
[ReLU]
[GlobalAvgPool1D]
[Flatten]
[Dense(Outputs = 10, Name = "fc")]
public partial class Tcn { }

/// <summary>A temporal block with dilation 1: causal (PadLeft = (Kernel - 1) * Dilation), each convolution followed by a ReLU.</summary>
[Block]
[Conv1D(Filters = 64, Kernel = 3, PadLeft = 2, Dilation = 1, Name = "conv1")]
[ReLU]
[Conv1D(Filters = 64, Kernel = 3, PadLeft = 2, Dilation = 1, Name = "conv2")]
[ReLU]
public partial class TcnBlock1 { }

/// <summary>The temporal block with dilation 2.</summary>
[Block]
[Conv1D(Filters = 64, Kernel = 3, PadLeft = 4, Dilation = 2, Name = "conv1")]
[ReLU]
[Conv1D(Filters = 64, Kernel = 3, PadLeft = 4, Dilation = 2, Name = "conv2")]
[ReLU]
public partial class TcnBlock2 { }

/// <summary>The temporal block with dilation 4.</summary>
[Block]
[Conv1D(Filters = 64, Kernel = 3, PadLeft = 8, Dilation = 4, Name = "conv1")]
[ReLU]
[Conv1D(Filters = 64, Kernel = 3, PadLeft = 8, Dilation = 4, Name = "conv2")]
[ReLU]
public partial class TcnBlock4 { }

/// <summary>The temporal block with dilation 8.</summary>
[Block]
[Conv1D(Filters = 64, Kernel = 3, PadLeft = 16, Dilation = 8, Name = "conv1")]
[ReLU]
[Conv1D(Filters = 64, Kernel = 3, PadLeft = 16, Dilation = 8, Name = "conv2")]
[ReLU]
public partial class TcnBlock8 { }

/// <summary>The first block's shortcut: a 1x1 convolution from the 16 input channels to 64.</summary>
[Block]
[Conv1D(Filters = 64, Kernel = 1)]
public partial class TcnDownsample { }
