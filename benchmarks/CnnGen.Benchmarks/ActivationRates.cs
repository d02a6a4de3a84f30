using CnnGen;

namespace Benchmarks;

// The activations whose vector forms are emitted helpers (a polynomial, an exp, a division), each a step of its own on
// 96 x 32 x 32 floats (384 KiB: from L2), timed by --activations on inputs of standard deviation 1 and of 6, the
// second reaching the tails where a form that computes a subnormal float pays a microcode assist per vector on
// Intel's cores (GELU's erf form took 7.5 times as long there with its bound at 14, its tanh form 4.3 with its clamp at 11).

/// <summary>torch.nn.GELU(): x Phi(x) through erfc.</summary>
[InputShape(96, 32, 32)]
[GELU]
public partial class GeluStep { }

/// <summary>torch.nn.GELU(approximate="tanh").</summary>
[InputShape(96, 32, 32)]
[GELU(Approximate = "tanh")]
public partial class GeluTanhStep { }

/// <summary>torch.nn.Mish().</summary>
[InputShape(96, 32, 32)]
[Mish]
public partial class MishStep { }

/// <summary>torch.nn.SiLU().</summary>
[InputShape(96, 32, 32)]
[SiLU]
public partial class SiLUStep { }

/// <summary>torch.nn.ELU(): expm1 below 0.</summary>
[InputShape(96, 32, 32)]
[ELU]
public partial class ELUStep { }
