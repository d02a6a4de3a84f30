using System;
using System.Collections.Generic;

namespace CnnGen.Reference;

/// <summary>
/// Runs a <see cref="NetworkSpec"/> the obvious way: it interprets the spec's graph node by node,
/// every op a loop nest written straight from PyTorch's definition, with no tiling, no precomputed
/// index tables and nothing shared with the generated code. Each layer works out its own output size
/// from PyTorch's formula and checks it against the spec's. It is slow on purpose; it is the
/// yardstick generated networks are checked against.
/// </summary>
public sealed class ReferenceNetwork : INetwork
{
    // Zero until LoadParameters replaces the whole vector; never modified in place.
    private float[] _parameters;

    /// <summary>A network that runs <paramref name="spec"/>; all parameters start at zero.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="spec"/> is null.</exception>
    public ReferenceNetwork(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _parameters = new float[spec.ParameterCount];
    }

    /// <summary>The network this engine runs.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Floats in one input sample (channels x height x width).</summary>
    public int InputLength => Spec.InputLength;

    /// <summary>Floats in one output sample.</summary>
    public int OutputLength => Spec.OutputLength;

    /// <summary>Floats in the flat state vector: every layer's parameters and buffers.</summary>
    public int ParameterCount => Spec.ParameterCount;

    /// <summary>
    /// Replaces all parameters: the state_dict's float tensors in order (see <see cref="NetworkSpec.Parameters"/>),
    /// each in PyTorch's layout (Conv2D weight [Filters, InChannels/Groups, KH, KW], Dense [Outputs, Inputs],
    /// BatchNorm2D weight, bias, running_mean, running_var [C]).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="values"/> does not hold exactly <see cref="ParameterCount"/> floats; the current parameters are kept.
    /// </exception>
    public void LoadParameters(ReadOnlySpan<float> values)
    {
        if (values.Length != ParameterCount)
        {
            throw new ArgumentException(
                $"Expected {ParameterCount} parameters but got {values.Length}.", nameof(values));
        }
        _parameters = values.ToArray();
    }

    /// <summary>Loads parameters from a safetensors file written by <c>safetensors.torch.save_file(model.state_dict(), path)</c>.</summary>
    /// <exception cref="System.IO.InvalidDataException">The file is corrupt or lacks a tensor of the right name, dtype and shape; the current parameters are kept.</exception>
    public void LoadSafetensors(string path) => LoadParameters(Safetensors.ReadParameters(path, Spec));

    /// <summary>Loads parameters from a safetensors stream.</summary>
    /// <exception cref="System.IO.InvalidDataException">The stream is corrupt or lacks a tensor of the right name, dtype and shape; the current parameters are kept.</exception>
    public void LoadSafetensors(System.IO.Stream stream) => LoadParameters(Safetensors.ReadParameters(stream, Spec));

    /// <summary>Runs N samples stored back to back, one after another.</summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same whole number of samples.</exception>
    public void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        if (inputs.Length % InputLength != 0)
        {
            throw new ArgumentException($"Expected a multiple of {InputLength} input values but got {inputs.Length}.", nameof(inputs));
        }
        int count = inputs.Length / InputLength;
        RequireLength(outputs.Length, count * OutputLength, "output values", nameof(outputs));
        for (int n = 0; n < count; n++)
        {
            Forward(inputs.Slice(n * InputLength, InputLength), outputs.Slice(n * OutputLength, OutputLength));
        }
    }

    /// <summary>Runs one sample (NCHW without the batch dimension) and returns the output in C order.</summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> does not hold exactly <see cref="InputLength"/> floats.</exception>
    public float[] Forward(ReadOnlySpan<float> input)
    {
        var output = new float[OutputLength];
        Forward(input, output);
        return output;
    }

    /// <summary>Runs one sample (NCHW without the batch dimension) and writes the output in C order.</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="input"/> does not hold <see cref="InputLength"/> floats, or <paramref name="output"/> not <see cref="OutputLength"/>.
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// The engine's own output sizes or tensors for a layer disagree with the spec's: a bug in one of them, named in the message.
    /// </exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        RequireLength(input.Length, InputLength, "input values", nameof(input));
        RequireLength(output.Length, OutputLength, "output values", nameof(output));

        // one snapshot of the parameters for the whole pass, whatever LoadParameters does meanwhile
        float[] parameters = _parameters;
        var graph = Spec.Graph;
        var inputShape = Spec.InputShape;
        var values = new Dictionary<int, ReferenceValue>
        {
            [0] = new ReferenceValue(input.ToArray(), inputShape.Count switch
            {
                1 => ValueShape.Vector(inputShape[0]),
                2 => ValueShape.Sequence(inputShape[0], inputShape[1]),
                _ => ValueShape.Map(inputShape[0], inputShape[1], inputShape[2]),
            }),
        };
        for (int index = 0; index < graph.Nodes.Count; index++)
        {
            var node = graph.Nodes[index];
            var inputs = new ReferenceValue[node.Inputs.Count];
            for (int k = 0; k < inputs.Length; k++) inputs[k] = values[node.Inputs[k]];
            values[node.Output] = ReferenceLayer.Run(Spec, parameters, index, inputs);
        }

        var result = values[graph.OutputValue];
        if (!result.Shape.Matches(Spec.OutputShape))
        {
            throw new InvalidOperationException($"Reference engine: the network produces the shape {result.Shape} but the spec's output is {ValueShape.Format(Spec.OutputShape)}.");
        }
        result.Data.CopyTo(output);
    }

    private static void RequireLength(int actual, int expected, string what, string parameterName)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} {what} but got {actual}.", parameterName);
        }
    }
}
