using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Ir;

namespace CnnGen;

/// <summary>
/// A floating-point tensor of a network's state_dict: a learnable parameter, or a buffer such as
/// BatchNorm's running statistics. Its key, PyTorch shape and place in the flat state vector.
/// </summary>
public sealed class ParameterTensor
{
    internal ParameterTensor(int layerIndex, StateTensor tensor)
    {
        LayerIndex = layerIndex;
        Name = tensor.Name;
        Shape = tensor.Dimensions.ToArray();
        Offset = tensor.Offset;
        Length = tensor.Length;
        IsBuffer = tensor.IsBuffer;
    }

    /// <summary>The layer (nn.Sequential module index) that owns the tensor.</summary>
    public int LayerIndex { get; }

    /// <summary>The key nn.Sequential gives it in state_dict(): "0.weight", "3.bias", "features.running_mean".</summary>
    public string Name { get; }

    /// <summary>Whether the tensor is a buffer (BatchNorm's running_mean and running_var), not a learnable parameter.</summary>
    public bool IsBuffer { get; }

    /// <summary>The tensor's shape in PyTorch's layout.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Where the tensor starts in the flat state vector (the state_dict's float tensors in order).</summary>
    public int Offset { get; }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}

/// <summary>
/// A network as runtime data: the input shape and the layers in order, with every shape inferred by
/// the same arithmetic the generator uses. Generated classes expose theirs as <c>Spec</c>; the
/// reference engine (<see cref="Reference.ReferenceNetwork"/>) runs one. The parameters are the
/// state_dict's floating-point tensors in order: <c>torch.cat([t.flatten() for t in
/// model.state_dict().values() if t.is_floating_point()])</c> (per module its parameters, then its
/// float buffers: BatchNorm's weight, bias, running_mean, running_var).
/// </summary>
public sealed class NetworkSpec
{
    private readonly NetworkShapes _shapes;

    /// <summary>A network over channels x height x width inputs.</summary>
    /// <exception cref="ArgumentException">The layers do not fit together; the message says where and why.</exception>
    public NetworkSpec(int channels, int height, int width, IEnumerable<LayerSpec> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var list = layers.ToArray();
        if (list.Any(l => l is null)) throw new ArgumentException("A layer is null.", nameof(layers));
        Graph = NetworkGraph.Chain(FeatureShape.Map(channels, height, width), list.Select(l => l.ToOp()).ToArray());
        _shapes = ShapeInference.Infer(Graph);
        var error = _shapes.Problems.FirstOrDefault(p => !p.IsWarning);
        if (error is not null) throw new ArgumentException(error.Message, nameof(layers));
        Layers = list;
        Parameters = _shapes.Layers.SelectMany((s, i) => s.Tensors.Select(p => new ParameterTensor(i, p))).ToArray();
    }

    /// <summary>The layers in order; layer i is nn.Sequential's module i.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>The network as the graph the generator compiles and the reference engine runs.</summary>
    internal NetworkGraph Graph { get; }

    /// <summary>The input shape: [channels, height, width].</summary>
    public IReadOnlyList<int> InputShape => Dimensions(_shapes.Input);

    /// <summary>The output shape as PyTorch reports it without the batch dimension: [C, H, W] or [features].</summary>
    public IReadOnlyList<int> OutputShape => Dimensions(_shapes.Output);

    /// <summary>Floats in one input sample.</summary>
    public int InputLength => _shapes.Input.Length;

    /// <summary>Floats in one output sample.</summary>
    public int OutputLength => _shapes.Output.Length;

    /// <summary>Floats in all state tensors: every layer's parameters and buffers.</summary>
    public int ParameterCount => _shapes.ParameterCount;

    /// <summary>The state_dict's float tensors in order: parameters and buffers.</summary>
    public IReadOnlyList<ParameterTensor> Parameters { get; }

    /// <summary>The shape that layer <paramref name="layer"/> receives.</summary>
    public IReadOnlyList<int> GetInputShape(int layer) => Dimensions(_shapes.Layers[layer].Input);

    /// <summary>The shape that layer <paramref name="layer"/> produces.</summary>
    public IReadOnlyList<int> GetOutputShape(int layer) => Dimensions(_shapes.Layers[layer].Output);

    private static int[] Dimensions(FeatureShape s) => s.IsFlat ? new[] { s.Channels } : new[] { s.Channels, s.Height, s.Width };
}
