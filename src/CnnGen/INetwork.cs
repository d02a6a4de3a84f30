using System;
using System.IO;

namespace CnnGen;

/// <summary>
/// What every network offers, generated or reference: code that checks one against the other, or
/// serves several networks, can be written once against this interface.
/// </summary>
public interface INetwork
{
    /// <summary>The network as runtime data.</summary>
    NetworkSpec Spec { get; }

    /// <summary>Floats in one input sample (NCHW, C order).</summary>
    int InputLength { get; }

    /// <summary>Floats in one output sample, flattened in C order.</summary>
    int OutputLength { get; }

    /// <summary>Floats of the state: every learnable parameter and every float buffer (BatchNorm's running statistics).</summary>
    int ParameterCount { get; }

    /// <summary>
    /// Loads the state: the state_dict's float tensors in order,
    /// <c>torch.cat([t.flatten() for t in model.state_dict().values() if t.is_floating_point()])</c>
    /// (per layer its parameters, then its buffers); without BatchNorm the same as <c>model.parameters()</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The span does not hold exactly <see cref="ParameterCount"/> floats; nothing is loaded.</exception>
    void LoadParameters(ReadOnlySpan<float> values);

    /// <summary>Loads the F32 tensors "{layer}.weight", "{layer}.bias", "{layer}.running_mean", ... from a safetensors file; other tensors are ignored.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt or lacks a tensor of the right name, dtype and shape; nothing is loaded.</exception>
    void LoadSafetensors(string path);

    /// <summary>Loads parameters from a safetensors stream.</summary>
    /// <exception cref="InvalidDataException">The stream is corrupt or lacks a tensor of the right name, dtype and shape; nothing is loaded.</exception>
    void LoadSafetensors(Stream stream);

    /// <summary>Runs one sample.</summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    void Forward(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Runs N samples stored back to back; N is inputs.Length / InputLength.</summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same whole number of samples.</exception>
    void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs);
}
