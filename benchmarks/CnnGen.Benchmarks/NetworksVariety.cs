// written by torch/networks_variety.py, which also writes their ONNX exports: edit that, not this
using CnnGen;

namespace Benchmarks;

[Block]
[Conv2D(Filters = 16, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 16, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarB0 { }

[Block]
[Conv2D(Filters = 16, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 16, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarB1 { }

[Block]
[Conv2D(Filters = 16, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 16, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarB2 { }

[Block]
[Conv2D(Filters = 32, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 32, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarB3 { }

[Block]
[Conv2D(Filters = 32, Kernel = 1, Stride = 2, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarS3 { }

[Block]
[Conv2D(Filters = 32, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 32, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarB4 { }

[Block]
[Conv2D(Filters = 32, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 32, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarB5 { }

[Block]
[Conv2D(Filters = 64, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 64, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarB6 { }

[Block]
[Conv2D(Filters = 64, Kernel = 1, Stride = 2, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarS6 { }

[Block]
[Conv2D(Filters = 64, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 64, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarB7 { }

[Block]
[Conv2D(Filters = 64, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 64, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet20CifarB8 { }

[InputShape(3, 32, 32)]
[Conv2D(Filters = 16, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Residual(typeof(ResNet20CifarB0))]
[ReLU]
[Residual(typeof(ResNet20CifarB1))]
[ReLU]
[Residual(typeof(ResNet20CifarB2))]
[ReLU]
[Residual(typeof(ResNet20CifarB3), Shortcut = typeof(ResNet20CifarS3))]
[ReLU]
[Residual(typeof(ResNet20CifarB4))]
[ReLU]
[Residual(typeof(ResNet20CifarB5))]
[ReLU]
[Residual(typeof(ResNet20CifarB6), Shortcut = typeof(ResNet20CifarS6))]
[ReLU]
[Residual(typeof(ResNet20CifarB7))]
[ReLU]
[Residual(typeof(ResNet20CifarB8))]
[ReLU]
[GlobalAvgPool2D]
[Flatten]
[Dense(Outputs = 10)]
public partial class ResNet20Cifar { }

[Block]
[Conv2D(Filters = 24, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 24, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNetOdd64B0 { }

[Block]
[Conv2D(Filters = 48, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 48, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNetOdd64B1 { }

[Block]
[Conv2D(Filters = 48, Kernel = 1, Stride = 2, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class ResNetOdd64S1 { }

[Block]
[Conv2D(Filters = 96, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 96, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNetOdd64B2 { }

[Block]
[Conv2D(Filters = 96, Kernel = 1, Stride = 2, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class ResNetOdd64S2 { }

[Block]
[Conv2D(Filters = 192, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 192, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNetOdd64B3 { }

[Block]
[Conv2D(Filters = 192, Kernel = 1, Stride = 2, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class ResNetOdd64S3 { }

[InputShape(3, 64, 64)]
[Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Residual(typeof(ResNetOdd64B0))]
[ReLU]
[Residual(typeof(ResNetOdd64B1), Shortcut = typeof(ResNetOdd64S1))]
[ReLU]
[Residual(typeof(ResNetOdd64B2), Shortcut = typeof(ResNetOdd64S2))]
[ReLU]
[Residual(typeof(ResNetOdd64B3), Shortcut = typeof(ResNetOdd64S3))]
[ReLU]
[GlobalAvgPool2D]
[Flatten]
[Dense(Outputs = 10)]
public partial class ResNetOdd64 { }

[Block]
[Conv2D(Filters = 48, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 48, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet10WideB0 { }

[Block]
[Conv2D(Filters = 48, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class ResNet10WideS0 { }

[Block]
[Conv2D(Filters = 80, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 80, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet10WideB1 { }

[Block]
[Conv2D(Filters = 80, Kernel = 1, Stride = 2, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class ResNet10WideS1 { }

[Block]
[Conv2D(Filters = 160, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 160, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet10WideB2 { }

[Block]
[Conv2D(Filters = 160, Kernel = 1, Stride = 2, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class ResNet10WideS2 { }

[Block]
[Conv2D(Filters = 320, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU]
[Conv2D(Filters = 320, Kernel = 3, Stride = 1, Padding = 1, Bias = false)]
[BatchNorm2D]
public partial class ResNet10WideB3 { }

[Block]
[Conv2D(Filters = 320, Kernel = 1, Stride = 2, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class ResNet10WideS3 { }

[InputShape(3, 64, 64)]
[Conv2D(Filters = 32, Kernel = 7, Stride = 2, Padding = 3, Bias = false)]
[BatchNorm2D]
[ReLU]
[MaxPool2D(Kernel = 3, Stride = 2, Padding = 1)]
[Residual(typeof(ResNet10WideB0), Shortcut = typeof(ResNet10WideS0))]
[ReLU]
[Residual(typeof(ResNet10WideB1), Shortcut = typeof(ResNet10WideS1))]
[ReLU]
[Residual(typeof(ResNet10WideB2), Shortcut = typeof(ResNet10WideS2))]
[ReLU]
[Residual(typeof(ResNet10WideB3), Shortcut = typeof(ResNet10WideS3))]
[ReLU]
[GlobalAvgPool2D]
[Flatten]
[Dense(Outputs = 10)]
public partial class ResNet10Wide { }

[Block]
[Conv2D(Filters = 16, Kernel = 3, Stride = 1, Padding = 1, Groups = 16, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 8, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B0 { }

[Block]
[Conv2D(Filters = 48, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 48, Kernel = 3, Stride = 2, Padding = 1, Groups = 48, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 16, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B1 { }

[Block]
[Conv2D(Filters = 96, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 96, Kernel = 3, Stride = 1, Padding = 1, Groups = 96, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 16, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B2 { }

[Block]
[Conv2D(Filters = 96, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 96, Kernel = 3, Stride = 2, Padding = 1, Groups = 96, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 16, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B3 { }

[Block]
[Conv2D(Filters = 96, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 96, Kernel = 3, Stride = 1, Padding = 1, Groups = 96, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 16, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B4 { }

[Block]
[Conv2D(Filters = 96, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 96, Kernel = 3, Stride = 1, Padding = 1, Groups = 96, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 16, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B5 { }

[Block]
[Conv2D(Filters = 96, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 96, Kernel = 3, Stride = 2, Padding = 1, Groups = 96, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 32, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B6 { }

[Block]
[Conv2D(Filters = 192, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 192, Kernel = 3, Stride = 1, Padding = 1, Groups = 192, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 32, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B7 { }

[Block]
[Conv2D(Filters = 192, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 192, Kernel = 3, Stride = 1, Padding = 1, Groups = 192, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 32, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B8 { }

[Block]
[Conv2D(Filters = 192, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 192, Kernel = 3, Stride = 1, Padding = 1, Groups = 192, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 32, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B9 { }

[Block]
[Conv2D(Filters = 192, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 192, Kernel = 3, Stride = 1, Padding = 1, Groups = 192, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 48, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B10 { }

[Block]
[Conv2D(Filters = 288, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 288, Kernel = 3, Stride = 1, Padding = 1, Groups = 288, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 48, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B11 { }

[Block]
[Conv2D(Filters = 288, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 288, Kernel = 3, Stride = 1, Padding = 1, Groups = 288, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 48, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B12 { }

[Block]
[Conv2D(Filters = 288, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 288, Kernel = 3, Stride = 2, Padding = 1, Groups = 288, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 80, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B13 { }

[Block]
[Conv2D(Filters = 480, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 480, Kernel = 3, Stride = 1, Padding = 1, Groups = 480, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 80, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B14 { }

[Block]
[Conv2D(Filters = 480, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 480, Kernel = 3, Stride = 1, Padding = 1, Groups = 480, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 80, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B15 { }

[Block]
[Conv2D(Filters = 480, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 480, Kernel = 3, Stride = 1, Padding = 1, Groups = 480, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 160, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetHalf64B16 { }

[InputShape(3, 64, 64)]
[Conv2D(Filters = 16, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Sequential(typeof(MobileNetHalf64B0))]
[Sequential(typeof(MobileNetHalf64B1))]
[Residual(typeof(MobileNetHalf64B2))]
[Sequential(typeof(MobileNetHalf64B3))]
[Residual(typeof(MobileNetHalf64B4))]
[Residual(typeof(MobileNetHalf64B5))]
[Sequential(typeof(MobileNetHalf64B6))]
[Residual(typeof(MobileNetHalf64B7))]
[Residual(typeof(MobileNetHalf64B8))]
[Residual(typeof(MobileNetHalf64B9))]
[Sequential(typeof(MobileNetHalf64B10))]
[Residual(typeof(MobileNetHalf64B11))]
[Residual(typeof(MobileNetHalf64B12))]
[Sequential(typeof(MobileNetHalf64B13))]
[Residual(typeof(MobileNetHalf64B14))]
[Residual(typeof(MobileNetHalf64B15))]
[Sequential(typeof(MobileNetHalf64B16))]
[Conv2D(Filters = 1280, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[GlobalAvgPool2D]
[Flatten]
[Dense(Outputs = 10)]
public partial class MobileNetHalf64 { }

[Block]
[Conv2D(Filters = 24, Kernel = 3, Stride = 1, Padding = 1, Groups = 24, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 16, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetCifar40B0 { }

[Block]
[Conv2D(Filters = 64, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 64, Kernel = 3, Stride = 1, Padding = 1, Groups = 64, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 24, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetCifar40B1 { }

[Block]
[Conv2D(Filters = 96, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 96, Kernel = 3, Stride = 1, Padding = 1, Groups = 96, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 24, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetCifar40B2 { }

[Block]
[Conv2D(Filters = 96, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 96, Kernel = 3, Stride = 2, Padding = 1, Groups = 96, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 40, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetCifar40B3 { }

[Block]
[Conv2D(Filters = 160, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 160, Kernel = 3, Stride = 1, Padding = 1, Groups = 160, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 40, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetCifar40B4 { }

[Block]
[Conv2D(Filters = 160, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 160, Kernel = 3, Stride = 2, Padding = 1, Groups = 160, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 80, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetCifar40B5 { }

[Block]
[Conv2D(Filters = 320, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 320, Kernel = 3, Stride = 1, Padding = 1, Groups = 320, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 80, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetCifar40B6 { }

[Block]
[Conv2D(Filters = 320, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 320, Kernel = 3, Stride = 1, Padding = 1, Groups = 320, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 80, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetCifar40B7 { }

[Block]
[Conv2D(Filters = 320, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 320, Kernel = 3, Stride = 1, Padding = 1, Groups = 320, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 112, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetCifar40B8 { }

[Block]
[Conv2D(Filters = 448, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 448, Kernel = 3, Stride = 1, Padding = 1, Groups = 448, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Conv2D(Filters = 112, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
public partial class MobileNetCifar40B9 { }

[InputShape(3, 32, 32)]
[Conv2D(Filters = 24, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2D]
[ReLU6]
[Sequential(typeof(MobileNetCifar40B0))]
[Sequential(typeof(MobileNetCifar40B1))]
[Residual(typeof(MobileNetCifar40B2))]
[Sequential(typeof(MobileNetCifar40B3))]
[Residual(typeof(MobileNetCifar40B4))]
[Sequential(typeof(MobileNetCifar40B5))]
[Residual(typeof(MobileNetCifar40B6))]
[Residual(typeof(MobileNetCifar40B7))]
[Sequential(typeof(MobileNetCifar40B8))]
[Residual(typeof(MobileNetCifar40B9))]
[Conv2D(Filters = 320, Kernel = 1, Stride = 1, Padding = 0, Bias = false)]
[BatchNorm2D]
[ReLU6]
[GlobalAvgPool2D]
[Flatten]
[Dense(Outputs = 10)]
public partial class MobileNetCifar40 { }

